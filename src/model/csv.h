/* A streaming RFC 4180 CSV reader: quoted fields, doubled quotes, line breaks inside quotes, CRLF or LF,
   a UTF-8 byte-order mark skipped, explicit limits on field length and field count. */
#ifndef ARAYIS_MODEL_CSV_H
#define ARAYIS_MODEL_CSV_H

#include <stdio.h>

#include "core/err.h"

#define CSV_MAX_FIELDS 32
#define CSV_MAX_FIELD_BYTES 4096

typedef struct csv_reader csv_reader;

typedef struct csv_record {
    size_t nfields;
    const char *fields[CSV_MAX_FIELDS];   /* NUL-terminated; valid until the next csv_next */
    size_t lens[CSV_MAX_FIELDS];
    unsigned long line;                   /* physical line where the record starts (1-based) */
} csv_record;

/* Reads from f (not closed by the reader). Returns NULL when out of memory. */
csv_reader *csv_open_file(FILE *f);
void csv_close(csv_reader *r);

/* Reads the next record. Returns 1 with rec filled, 0 at the end, -1 on a malformed file (e names the
   line: a field over the limit, too many fields, a stray or unterminated quote, a NUL byte). */
int csv_next(csv_reader *r, csv_record *rec, err *e);

#endif
