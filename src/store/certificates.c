/* Statements on the certificates, certificate_documents and certificate_counters tables. */
#include "store/certificates.h"

#include <stdio.h>
#include <string.h>

#include "model/vcode.h"

#define CERT_COLUMNS                                                                                              \
    "number, application_id, code, issued_at, valid_until, subscriber_type, subscriber_code, holder, address,"  \
    " voen, debt_qepik, debt_as_of, sha256, revoked_at, revocation_reason, revoked_by, voided_at,"  \
    " signature_level"

static const char SQL_NEXT_SEQ[] = "INSERT INTO certificate_counters(year, last_seq) VALUES (?1, 1)"
                                   " ON CONFLICT(year) DO UPDATE SET last_seq = certificate_counters.last_seq + 1 RETURNING last_seq";
static const char SQL_SET_SEQ[] = "UPDATE certificate_counters SET last_seq = ?2 WHERE year = ?1 AND last_seq = ?2 - 1";
static const char SQL_INSERT[] = "INSERT INTO certificates(" CERT_COLUMNS ", claimed_until) VALUES"
                                 " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, '', NULL, NULL, NULL, NULL, 'B-B', ?13)";
/* A pending certificate by its number, found through the primary key. voided_at is tested through coalesce so that
   no plan can read the row through the certificates_pending index instead: PostgreSQL's generic plan may prefer that
   small index, whose dead entries (every certificate issued since the last vacuum went through it) a scan visits
   one by one, under the write order. */
#define PENDING_NUMBER " number = ?1 AND sha256 = '' AND coalesce(voided_at, 0) = 0"
static const char SQL_MARK_STORED[] = "UPDATE certificates SET sha256 = ?2, signature_level = ?3 WHERE" PENDING_NUMBER;
static const char SQL_STORE_PDF[] = "INSERT INTO certificate_documents(number, pdf) VALUES (?1, ?2)";
static const char SQL_BY_NUMBER[] = "SELECT " CERT_COLUMNS " FROM certificates WHERE number = ?1";
/* The log positions of certificate row c: its issuance entry's, and its revocation entry's when it is revoked, each
   looked up by the (number, type) index. */
#define LOG_POSITIONS                                                                                             \
    " (SELECT idx FROM tlog_entries t WHERE t.number = c.number AND t.type = 1),"                                 \
    " CASE WHEN revoked_at IS NOT NULL THEN (SELECT idx FROM tlog_entries t WHERE t.number = c.number AND t.type = 2) END"
/* Lands on a row either way (the number's or the nearest before it), so that the work is alike whether the number
   exists or not: one seek, one record, its log positions. */
static const char SQL_AT_OR_BEFORE[] =
    "SELECT " CERT_COLUMNS ", number = ?1 AND sha256 <> ''," LOG_POSITIONS
    " FROM certificates c WHERE number <= ?1 ORDER BY number DESC LIMIT 1";
/* The same read for a list of numbers in one statement (PostgreSQL: an array parameter), each row with its place in
   the list. */
static const char SQL_EACH_AT_OR_BEFORE[] =
    "SELECT " CERT_COLUMNS ", number = k.wanted AND sha256 <> ''," LOG_POSITIONS ", k.place"
    " FROM unnest(?1::text[]) WITH ORDINALITY AS k(wanted, place)"
    " CROSS JOIN LATERAL (SELECT * FROM certificates WHERE number <= k.wanted ORDER BY number DESC LIMIT 1) c";
static const char SQL_BY_APPLICATION[] = "SELECT " CERT_COLUMNS " FROM certificates WHERE application_id = ?1";
static const char SQL_BY_SHA256[] = "SELECT " CERT_COLUMNS " FROM certificates WHERE sha256 = ?1 AND EXISTS"
                                    " (SELECT 1 FROM certificate_documents d WHERE d.number = certificates.number)";
static const char SQL_PENDING[] = "SELECT number, application_id FROM certificates WHERE sha256 = '' AND voided_at IS NULL"
                                  " AND issued_at < ?1 AND coalesce(claimed_until, 0) <= ?2";
static const char SQL_CLAIM[] = "UPDATE certificates SET claimed_until = ?3 WHERE" PENDING_NUMBER
                                " AND coalesce(claimed_until, 0) <= ?2";
static const char SQL_RELEASE[] = "UPDATE certificates SET claimed_until = NULL WHERE number = ?1 AND sha256 = ''";
static const char SQL_VOID[] = "UPDATE certificates SET voided_at = ?2, void_reason = ?3 WHERE" PENDING_NUMBER;
static const char SQL_VOIDS[] = "SELECT number, application_id, voided_at, void_reason FROM certificates"
                                " WHERE voided_at IS NOT NULL ORDER BY voided_at, number";
static const char SQL_PDF[] = "SELECT pdf FROM certificate_documents WHERE number = ?1";
static const char SQL_REVOKE[] = "UPDATE certificates SET revoked_at = ?2, revocation_reason = ?3, revoked_by = ?4,"
                                 " revocation_code = ?5"
                                 " WHERE number = ?1 AND revoked_at IS NULL";

/* The year's next number from its counter row; once the running write transaction has taken one (its memo), the one
   after that, set without waiting for an answer. */
static int next_seq(db *d, int year, long long *seq, err *e)
{
    char key[DB_MEMO_KEY];
    snprintf(key, sizeof key, "certificates.seq.%d", year);
    long long taken;
    int known = db_memo_get(d, key, &taken, sizeof taken);
    stmt *st = db_stmt(d, known ? SQL_SET_SEQ : SQL_NEXT_SEQ, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_int64(st, 1, year) != 0 || (known && stmt_bind_int64(st, 2, taken + 1) != 0))
        return db_fail(d, e, "bind certificate");
    if (known ? db_exec_checked(st, 1, e) : db_one_int64(st, &taken, "number certificate", e))
        return -1;
    *seq = known ? taken + 1 : taken;
    db_memo_put(d, key, seq, sizeof *seq);
    return 0;
}

int certificates_reserve(db *d, certificate_row *c, time_t claimed_until, err *e)
{
    struct tm tm;
    if (gmtime_r(&c->issued_at, &tm) == NULL)
        return err_set(e, ERR_INVALID, "issue time %lld has no calendar year", (long long)c->issued_at);
    int year = tm.tm_year + 1900;
    long long seq = 0;
    if (next_seq(d, year, &seq, e) != 0)
        return -1;
    if (seq > 999999)
        return err_set(e, ERR_FULL, "certificate numbers of %d are exhausted", year);
    snprintf(c->number, sizeof c->number, "AZI-%04d-%06lld", year, seq);
    stmt *st = db_stmt(d, SQL_INSERT, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, c->number) != 0 ||
        stmt_bind_text(st, 2, c->application_id) != 0 ||
        stmt_bind_text(st, 3, c->code) != 0 ||
        stmt_bind_int64(st, 4, c->issued_at) != 0 ||
        stmt_bind_int64(st, 5, c->valid_until) != 0 ||
        stmt_bind_text(st, 6, c->non_residential ? "non_residential" : "residential") != 0 ||
        stmt_bind_text(st, 7, c->subscriber_code) != 0 ||
        stmt_bind_text(st, 8, c->holder) != 0 ||
        stmt_bind_optional_text(st, 9, c->address) != 0 ||
        stmt_bind_optional_text(st, 10, c->voen) != 0 ||
        stmt_bind_int64(st, 11, c->debt_qepik) != 0 ||
        stmt_bind_int64(st, 12, c->debt_as_of) != 0 ||
        stmt_bind_int64(st, 13, claimed_until) != 0)
        return db_fail(d, e, "bind certificate");
    return db_exec_deferred(st, e);
}

int certificates_mark_stored(db *d, const char *number, const char *sha256, signature_level level, err *e)
{
    stmt *mark = db_stmt(d, SQL_MARK_STORED, e);
    if (mark == NULL)
        return -1;
    if (stmt_bind_text(mark, 1, number) != 0 || stmt_bind_text(mark, 2, sha256) != 0 ||
        stmt_bind_text(mark, 3, signature_level_name(level)) != 0)
        return db_fail(d, e, "bind certificate");
    return db_exec_checked(mark, 1, e); /* one row: the number was pending (else ERR_CONFLICT) */
}

int certificates_put_document(db *d, const char *number, const unsigned char *pdf, size_t len, err *e)
{
    stmt *store = db_stmt(d, SQL_STORE_PDF, e);
    if (store == NULL)
        return -1;
    if (stmt_bind_text(store, 1, number) != 0 || stmt_bind_blob(store, 2, pdf, len) != 0)
        return db_fail(d, e, "bind certificate");
    return db_exec_deferred(store, e);
}

/* The state the stored columns say: void once voided_at is set, issued once the document's hash is, else pending. */
static certificate_state state_of(const certificate_row *c)
{
    if (c->voided_at != 0)
        return CERTIFICATE_VOID;
    return c->sha256[0] != '\0' ? CERTIFICATE_ISSUED : CERTIFICATE_PENDING;
}

static int read_row(stmt *st, void *ctx, err *e)
{
    certificate_row *c = ctx;
    c->issued_at = (time_t)stmt_column_int64(st, 3);
    c->valid_until = (time_t)stmt_column_int64(st, 4);
    if (billing_type_parse(stmt_column_text(st, 5), &c->non_residential) != 0)
        return err_set(e, ERR_INVALID, "certificate row with an unknown subscriber type");
    c->debt_qepik = stmt_column_int64(st, 10);
    c->debt_as_of = (time_t)stmt_column_int64(st, 11);
    c->revoked_at = (time_t)stmt_column_int64(st, 13);
    c->voided_at = (time_t)stmt_column_int64(st, 16);
    if (db_column_copy(st, 0, c->number, sizeof c->number, e) != 0 ||
        db_column_copy(st, 1, c->application_id, sizeof c->application_id, e) != 0 ||
        db_column_copy(st, 2, c->code, sizeof c->code, e) != 0 ||
        db_column_copy(st, 6, c->subscriber_code, sizeof c->subscriber_code, e) != 0 ||
        db_column_copy(st, 7, c->holder, sizeof c->holder, e) != 0 ||
        db_column_copy(st, 8, c->address, sizeof c->address, e) != 0 ||
        db_column_copy(st, 9, c->voen, sizeof c->voen, e) != 0 ||
        db_column_copy(st, 12, c->sha256, sizeof c->sha256, e) != 0 ||
        db_column_copy(st, 14, c->revocation_reason, sizeof c->revocation_reason, e) != 0 ||
        db_column_copy(st, 15, c->revoked_by, sizeof c->revoked_by, e) != 0)
        return -1;
    if (signature_level_parse(stmt_column_text(st, 17), &c->level) != 0)
        return err_set(e, ERR_INVALID, "certificate row with an unknown signature level");
    c->state = state_of(c);
    c->log_index = c->revocation_log_index = -1; /* the log's own tables say, when asked */
    return 0;
}

/* A one-parameter lookup returning at most one row, bound. NULL with e set. */
static stmt *bind_lookup(db *d, const char *sql, const char *key, err *e)
{
    stmt *st = db_stmt(d, sql, e);
    if (st != NULL && stmt_bind_text(st, 1, key) != 0) {
        db_fail(d, e, "bind certificate");
        return NULL;
    }
    return st;
}

int certificates_read_row(stmt *st, certificate_row *c, err *e)
{
    return st != NULL ? db_step_one(st, read_row, c, "find certificate", e) : -1;
}

static int find_one(db *d, const char *sql, const char *key, certificate_row *c, err *e)
{
    return certificates_read_row(bind_lookup(d, sql, key, e), c, e);
}

int certificates_find(db *d, const char *number, certificate_row *c, err *e)
{
    return find_one(d, SQL_BY_NUMBER, number, c, e);
}

/* Where read_checked puts the row and whether it was the number asked for. */
typedef struct checked_row {
    certificate_row *c;
    int exact;
} checked_row;

static int read_checked(stmt *st, void *ctx, err *e)
{
    checked_row *r = ctx;
    if (read_row(st, r->c, e) != 0)
        return -1;
    r->exact = (int)stmt_column_int64(st, 18);
    r->c->log_index = stmt_column_is_null(st, 19) ? -1 : stmt_column_int64(st, 19);
    r->c->revocation_log_index = stmt_column_is_null(st, 20) ? -1 : stmt_column_int64(st, 20);
    return 0;
}

int certificates_find_at_or_before(db *d, const char *number, certificate_row *c, int *exact, err *e)
{
    checked_row r = {c, 0};
    stmt *st = db_stmt(d, SQL_AT_OR_BEFORE, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, number) != 0)
        return db_fail(d, e, "bind certificate number");
    int found = db_step_one(st, read_checked, &r, "find certificate code", e);
    *exact = found == 1 && r.exact;
    return found;
}

/* Reads one row of SQL_EACH_AT_OR_BEFORE into the lookup at its place. */
static int read_listed(stmt *st, void *ctx, err *e)
{
    certificate_lookups *l = ctx;
    long long place = stmt_column_int64(st, 21);
    if (place < 1 || (size_t)place > l->count)
        return err_set(e, ERR_INTERNAL, "a certificate row for no number asked for");
    certificate_lookup *one = &l->items[place - 1];
    checked_row r = {one->row, 0};
    if (read_checked(st, &r, e) != 0)
        return -1;
    one->found = 1;
    one->exact = r.exact;
    return 0;
}

/* SQLite, in process: one statement per lookup. */
static int find_each_alone(db *d, certificate_lookups *l, err *e)
{
    for (size_t i = 0; i < l->count; i++) {
        certificate_lookup *one = &l->items[i];
        if ((one->found = certificates_find_at_or_before(d, one->number, one->row, &one->exact, e)) < 0)
            return -1;
    }
    return 0;
}

/* PostgreSQL: one statement for all, the numbers as one array literal, "{AZI-2026-000001,…}" (well-formed numbers
   need no quoting). */
static int find_each_in_one(db *d, certificate_lookups *l, err *e)
{
    buf list = BUF_INIT;
    int rc = buf_puts(&list, "{");
    for (size_t i = 0; rc == 0 && i < l->count; i++)
        rc = buf_printf(&list, "%s%s", i ? "," : "", l->items[i].number);
    if (rc != 0 || buf_puts(&list, "}") != 0) {
        buf_free(&list);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    stmt *st = db_stmt(d, SQL_EACH_AT_OR_BEFORE, e);
    if (st == NULL)
        rc = -1;
    else if (stmt_bind_text(st, 1, buf_cstr(&list)) != 0)
        rc = db_fail(d, e, "bind certificate numbers");
    else
        rc = db_each_row(st, read_listed, l, "find certificate codes", e);
    buf_free(&list);
    return rc;
}

int certificates_find_each_at_or_before(db *d, certificate_lookups *l, err *e)
{
    for (size_t i = 0; i < l->count; i++) {
        int year;
        long seq;
        l->items[i].found = l->items[i].exact = 0;
        if (vcode_parse_number(l->items[i].number, &year, &seq) != 0)
            return err_set(e, ERR_INVALID, "not a certificate number");
    }
    return db_is_embedded(d) ? find_each_alone(d, l, e) : find_each_in_one(d, l, e);
}

int certificates_find_by_application(db *d, const char *application_id, certificate_row *c, err *e)
{
    return find_one(d, SQL_BY_APPLICATION, application_id, c, e);
}

stmt *certificates_find_by_application_ahead(db *d, const char *application_id, err *e)
{
    return db_read_ahead(bind_lookup(d, SQL_BY_APPLICATION, application_id, e), e);
}

int certificates_find_by_sha256(db *d, const char *sha256, certificate_row *c, err *e)
{
    return find_one(d, SQL_BY_SHA256, sha256, c, e);
}

/* Appends the document column to the buffer ctx. */
static int read_pdf(stmt *st, void *ctx, err *e)
{
    size_t len;
    const void *pdf = stmt_column_blob(st, 0, &len);
    if (buf_append(ctx, pdf, len) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

int certificates_read_pdf(db *d, const char *number, buf *out, err *e)
{
    stmt *st = db_stmt(d, SQL_PDF, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, number) != 0)
        return db_fail(d, e, "bind certificate");
    return db_step_one(st, read_pdf, out, "read certificate", e);
}

int certificates_revoke(db *d, const char *number, time_t at, const char *reason, revocation_code code, const char *by,
                        err *e)
{
    stmt *st = db_stmt(d, SQL_REVOKE, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, number) != 0 ||
        stmt_bind_int64(st, 2, at) != 0 ||
        stmt_bind_text(st, 3, reason) != 0 ||
        stmt_bind_text(st, 4, by) != 0 ||
        stmt_bind_int64(st, 5, code) != 0)
        return db_fail(d, e, "bind certificate");
    if (db_exec_stmt(st, e) != 0)
        return -1;
    return db_changes(d) > 0;
}

/* The caller's function for pending certificates, and its context. */
typedef struct pending_visit {
    void (*fn)(const char *number, const char *application_id, void *ctx);
    void *ctx;
} pending_visit;

static int visit_pending(stmt *st, void *ctx, err *e)
{
    (void)e;
    const pending_visit *v = ctx;
    v->fn(stmt_column_text(st, 0), stmt_column_text(st, 1), v->ctx);
    return 0;
}

int certificates_each_pending(db *d, time_t numbered_before, time_t unclaimed_at,
                              void (*fn)(const char *number, const char *application_id, void *ctx), void *ctx, err *e)
{
    stmt *st = db_stmt(d, SQL_PENDING, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_int64(st, 1, numbered_before) != 0 || stmt_bind_int64(st, 2, unclaimed_at) != 0)
        return db_fail(d, e, "bind pending");
    pending_visit visit = {fn, ctx};
    return db_each_row(st, visit_pending, &visit, "list pending certificates", e);
}

int certificates_claim(db *d, const char *number, time_t now, time_t until, err *e)
{
    stmt *st = db_stmt(d, SQL_CLAIM, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, number) != 0 || stmt_bind_int64(st, 2, now) != 0 || stmt_bind_int64(st, 3, until) != 0)
        return db_fail(d, e, "bind claim");
    return db_exec_stmt(st, e) == 0 ? db_changes(d) == 1 : -1;
}

int certificates_release(db *d, const char *number, err *e)
{
    stmt *st = db_stmt(d, SQL_RELEASE, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, number) != 0)
        return db_fail(d, e, "bind claim");
    return db_exec_stmt(st, e);
}

int certificates_void(db *d, const char *number, time_t at, const char *reason, err *e)
{
    stmt *st = db_stmt(d, SQL_VOID, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, number) != 0 ||
        stmt_bind_int64(st, 2, at) != 0 ||
        stmt_bind_text(st, 3, reason) != 0)
        return db_fail(d, e, "bind certificate");
    if (db_exec_stmt(st, e) != 0)
        return -1;
    return db_changes(d) > 0;
}

/* The caller's function for void certificates, and its context. */
typedef struct void_visit {
    void (*fn)(const certificate_void *v, void *ctx);
    void *ctx;
} void_visit;

static int visit_void(stmt *st, void *ctx, err *e)
{
    (void)e;
    const void_visit *visit = ctx;
    const char *reason = stmt_column_text(st, 3);
    certificate_void v = {stmt_column_text(st, 0), stmt_column_text(st, 1),
                          reason ? reason : "", (time_t)stmt_column_int64(st, 2)};
    visit->fn(&v, visit->ctx);
    return 0;
}

int certificates_each_void(db *d, void (*fn)(const certificate_void *v, void *ctx), void *ctx, err *e)
{
    stmt *st = db_stmt(d, SQL_VOIDS, e);
    if (st == NULL)
        return -1;
    void_visit visit = {fn, ctx};
    return db_each_row(st, visit_void, &visit, "list void certificates", e);
}
