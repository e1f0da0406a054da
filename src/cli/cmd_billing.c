/* arayis billing import FILE.csv: loads subscriber balances in one all-or-nothing transaction. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "model/csv.h"
#include "store/subscribers.h"

#define BILLING_COLUMNS 8
#define BILLING_ERRORS_SHOWN 50
#define BILLING_PROGRESS_EVERY 50000

static const char *const columns[BILLING_COLUMNS] = {"subscriber_code", "subscriber_type", "owner_fin",
                                                     "owner_voen", "holder_name", "address", "debt_amount", "as_of"};

typedef struct import_stats {
    unsigned long rows, bad_rows, counts[3]; /* by subscriber_write */
    off_t file_size;
    struct timespec started;
} import_stats;

static void usage(FILE *out)
{
    fprintf(out, "usage: arayis billing import FILE.csv [settings]\n"
                 "Header row: %s,%s,%s,%s,%s,%s,%s,%s\n"
                 "All rows load in one transaction, or none when any row is bad (each bad row is reported with its line).\n",
            columns[0], columns[1], columns[2], columns[3], columns[4], columns[5], columns[6], columns[7]);
}

static double elapsed(const import_stats *s)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - s->started.tv_sec) + (double)(now.tv_nsec - s->started.tv_nsec) / 1e9;
}

static void show_progress(const import_stats *s, FILE *f)
{
    double t = elapsed(s), rate = t > 0 ? (double)s->rows / t : 0;
    long pos = ftell(f);
    double done = s->file_size > 0 && pos > 0 ? (double)pos / (double)s->file_size : 0;
    double left = done > 0 ? t / done - t : 0;
    fprintf(stderr, "\r%lu rows, %.0f rows/s, %.0f%%, about %.0f s left   ", s->rows, rate, done * 100, left);
}

static int check_header(const csv_record *rec)
{
    if (rec->nfields != BILLING_COLUMNS)
        return -1;
    for (size_t i = 0; i < BILLING_COLUMNS; i++)
        if (rec->lens[i] != strlen(columns[i]) || memcmp(rec->fields[i], columns[i], rec->lens[i]) != 0)
            return -1;
    return 0;
}

static void report_bad_row(import_stats *s, unsigned long line, const field_errors *errs)
{
    if (s->bad_rows++ >= BILLING_ERRORS_SHOWN)
        return;
    for (size_t i = 0; i < errs->count; i++)
        fprintf(stderr, "line %lu: %s: %s\n", line, errs->items[i].field, errs->items[i].message);
}

/* Validates one data row and, while no row has been bad, writes it. Returns -1 only on a store failure. */
static int import_row(db *d, const csv_record *rec, import_stats *s, time_t now, err *e)
{
    field_errors errs = {0};
    const char *cell[BILLING_COLUMNS] = {0};
    if (rec->nfields != BILLING_COLUMNS) {
        field_errors_add(&errs, "row", "must have exactly 8 fields");
        report_bad_row(s, rec->line, &errs);
        return 0;
    }
    for (size_t i = 0; i < BILLING_COLUMNS; i++)
        cell[i] = rec->lens[i] ? rec->fields[i] : NULL;
    billing_input in = {cell[0], cell[1], cell[2], cell[3], cell[4], cell[5], cell[6], cell[7]};
    billing_record r;
    if (billing_validate(&in, &r, now, &errs) != 0) {
        report_bad_row(s, rec->line, &errs);
        return 0;
    }
    subscriber_write result = SUBSCRIBER_CREATED;
    int rc = s->bad_rows == 0 ? subscribers_put(d, &r, now, &result, e) : 0;
    s->counts[result]++;
    billing_record_free(&r);
    return rc;
}

static int import_records(db *d, csv_reader *csv, FILE *f, import_stats *s, err *e)
{
    csv_record rec;
    int got = csv_next(csv, &rec, e);
    if (got <= 0 || check_header(&rec) != 0) {
        fprintf(stderr, "line 1: the header must be exactly: %s,%s,%s,%s,%s,%s,%s,%s\n", columns[0], columns[1],
                columns[2], columns[3], columns[4], columns[5], columns[6], columns[7]);
        return -1;
    }
    time_t now = time(NULL);
    int progress = isatty(STDERR_FILENO);
    while ((got = csv_next(csv, &rec, e)) > 0) {
        s->rows++;
        if (import_row(d, &rec, s, now, e) != 0)
            return -1;
        if (progress && s->rows % BILLING_PROGRESS_EVERY == 0)
            show_progress(s, f);
    }
    if (progress)
        fputc('\n', stderr);
    if (got < 0)
        fprintf(stderr, "%s\n", e->msg);
    return got < 0 || s->bad_rows > 0 ? -1 : 0;
}

static int import_file(db *d, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "arayis: cannot open %s\n", path);
        return 1;
    }
    import_stats s = {0};
    struct stat st;
    s.file_size = fstat(fileno(f), &st) == 0 ? st.st_size : 0;
    clock_gettime(CLOCK_MONOTONIC, &s.started);
    err e = {0};
    csv_reader *csv = csv_open_file(f);
    int ok = csv && db_begin(d, &e) == 0 && import_records(d, csv, f, &s, &e) == 0 && db_commit(d, &e) == 0;
    if (!ok) {
        db_rollback(d);
        if (s.bad_rows > BILLING_ERRORS_SHOWN)
            fprintf(stderr, "... and %lu more bad rows\n", s.bad_rows - BILLING_ERRORS_SHOWN);
        fprintf(stderr, "nothing imported: %lu of %lu rows are bad%s%s\n", s.bad_rows, s.rows, e.msg[0] ? "; " : "", e.msg);
    } else {
        printf("imported %lu rows in %.1f s: %lu created, %lu updated, %lu older than stored (left unchanged)\n", s.rows,
               elapsed(&s), s.counts[SUBSCRIBER_CREATED], s.counts[SUBSCRIBER_UPDATED], s.counts[SUBSCRIBER_STALE]);
    }
    csv_close(csv);
    fclose(f);
    return ok ? 0 : 1;
}

int cmd_billing(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "import") != 0 || argc < 3) {
        usage(stderr);
        return 2;
    }
    config c;
    if (cli_config(&c, argc, argv, 3) != 0)
        return 2;
    store *s = cli_open_store(&c);
    if (s == NULL)
        return 1;
    err e = {0};
    db *d = store_db(s, &e);
    int rc = import_file(d, argv[2]);
    store_close(s);
    return rc;
}
