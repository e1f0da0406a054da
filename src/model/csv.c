/* The CSV reader: a small state machine over getc_unlocked, copying fields into one reused buffer. */
#include "model/csv.h"

#include <stdlib.h>

struct csv_reader {
    FILE *f;
    unsigned long line;
    int started;
    char buf[CSV_MAX_FIELDS * (CSV_MAX_FIELD_BYTES + 1)];
};

csv_reader *csv_open_file(FILE *f)
{
    csv_reader *r = calloc(1, sizeof *r);
    if (r != NULL) {
        r->f = f;
        r->line = 1;
    }
    return r;
}

void csv_close(csv_reader *r)
{
    free(r);
}

/* Skips a UTF-8 byte-order mark. A first byte 0xEF can only begin a BOM in a valid file, whose header row
   is ASCII, so its next two bytes are dropped unseen and the header check reports the file. */
static void skip_bom(csv_reader *r)
{
    int c = getc_unlocked(r->f);
    if (c != 0xEF) {
        ungetc(c, r->f);
        return;
    }
    getc_unlocked(r->f);
    getc_unlocked(r->f);
}

typedef struct field_cursor {
    csv_record *rec;
    char *start, *out;
} field_cursor;

static int put_char(field_cursor *fc, int c)
{
    if ((size_t)(fc->out - fc->start) >= CSV_MAX_FIELD_BYTES)
        return -1;
    *fc->out++ = (char)c;
    return 0;
}

static int end_field(field_cursor *fc)
{
    csv_record *rec = fc->rec;
    if (rec->nfields == CSV_MAX_FIELDS)
        return -1;
    *fc->out = '\0';
    rec->fields[rec->nfields] = fc->start;
    rec->lens[rec->nfields++] = (size_t)(fc->out - fc->start);
    fc->start = fc->out + 1;
    fc->out = fc->start;
    return 0;
}

/* Reads a quoted field's body after its opening quote. Returns the character after the closing quote. */
static int read_quoted(csv_reader *r, field_cursor *fc, err *e)
{
    for (;;) {
        int c = getc_unlocked(r->f);
        if (c == EOF)
            return err_set(e, ERR_INVALID, "line %lu: unterminated quoted field", fc->rec->line), -2;
        if (c == '"') {
            c = getc_unlocked(r->f);
            if (c != '"')
                return c;
        }
        if (c == '\n')
            r->line++;
        if (c == '\0' || put_char(fc, c) != 0)
            return err_set(e, ERR_INVALID, "line %lu: field too long or holds a NUL byte", fc->rec->line), -2;
    }
}

int csv_next(csv_reader *r, csv_record *rec, err *e)
{
    if (!r->started) {
        r->started = 1;
        skip_bom(r);
    }
    rec->nfields = 0;
    rec->line = r->line;
    field_cursor fc = {rec, r->buf, r->buf};
    int c = getc_unlocked(r->f);
    if (c == EOF)
        return 0;
    for (;;) {
        if (c == '"' && fc.out == fc.start) {
            c = read_quoted(r, &fc, e);
            if (c == -2)
                return -1;
            if (c != ',' && c != '\n' && c != '\r' && c != EOF)
                return err_set(e, ERR_INVALID, "line %lu: text after a closing quote", rec->line);
        }
        if (c == ',' || c == '\n' || c == '\r' || c == EOF) {
            if (end_field(&fc) != 0)
                return err_set(e, ERR_TOO_LONG, "line %lu: more than %d fields", rec->line, CSV_MAX_FIELDS);
            if (c == '\r' && (c = getc_unlocked(r->f)) != '\n')
                return err_set(e, ERR_INVALID, "line %lu: carriage return without line feed", rec->line);
            if (c == '\n' || c == EOF) {
                r->line += c == '\n';
                return 1;
            }
        } else if (c == '"' || c == '\0' || put_char(&fc, c) != 0) {
            return err_set(e, ERR_INVALID, "line %lu: stray quote, NUL byte or field over %d bytes", rec->line, CSV_MAX_FIELD_BYTES);
        }
        c = getc_unlocked(r->f);
    }
}
