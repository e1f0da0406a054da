/* Unit tests of the store's statements against a real SQLite file in a scratch directory, one contract comment at a
   time: found / none / error returns, certificate numbering, issuing, revoking and voiding, verification codes,
   stale billing, the SMS outbox, API keys, applications with their history, the audit log, read snapshots, and
   appends to the transparency log (the frontier read once per transaction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scratch_dir.h"
#include "store/db_sqlite.h"
#include "store/apikeys.h"
#include "store/applications.h"
#include "store/audit.h"
#include "store/certificates.h"
#include "store/outbox.h"
#include "store/store.h"
#include "store/subscribers.h"
#include "crypto/merkle.h"
#include "service/tlog_append.h"

#define Y2026 1767225600 /* 2026-01-01T00:00:00Z */
#define Y2027 1798761600 /* 2027-01-01T00:00:00Z */
#define DAY 86400
#define CLAIM_S 20

typedef struct fixture {
    char dir[SCRATCH_DIR_LEN];
    store *store;
    db *db;
    long long key;                 /* the id of a portal key every application is made with */
    int applications;              /* applications made so far, for their ids */
} fixture;

static fixture fx;

/* The value of sql, one integer in one row. */
static long long query_int(const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db_sqlite_handle(fx.db), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Adds a key and returns its id. */
static long long add_key(const char *name, apikey_role role, const char *hash)
{
    err e = {0};
    assert_int_equal(apikeys_insert(fx.db, name, role, hash, Y2026, &e), 0);
    return sqlite3_last_insert_rowid(db_sqlite_handle(fx.db));
}

static int setup(void **state)
{
    (void)state;
    err e = {0};
    char data[SCRATCH_DIR_LEN + 8];
    memset(&fx, 0, sizeof fx);
    if (scratch_dir_make(fx.dir, "statements") != 0)
        return -1;
    snprintf(data, sizeof data, "%s/data", fx.dir);
    if ((fx.store = store_open(data, "", &e)) == NULL || (fx.db = store_db(fx.store, &e)) == NULL) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    fx.key = add_key("egov", ROLE_PORTAL, "hash-egov");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(fx.store);
    return scratch_dir_remove(fx.dir);
}

static const applicant_data applicant = {.fin = "5ABCD12", .full_name = "Məmmədov Əli Şükür oğlu",
                                         .birth_date = "1980-05-17", .mobile = "+994501234567"};

/* A received application with reference (may be ""); its id is written to id. */
static void add_application(const char *reference, char id[32])
{
    err e = {0};
    application_row row = {.api_key_id = fx.key, .status = APPLICATION_RECEIVED, .submitted_at = Y2026 + 100};
    snprintf(row.id, sizeof row.id, "app-%04d", ++fx.applications);
    snprintf(row.portal_reference, sizeof row.portal_reference, "%s", reference);
    snprintf(row.request_sha256, sizeof row.request_sha256, "%064d", fx.applications);
    snprintf(row.subscriber_code, sizeof row.subscriber_code, "1234567890");
    assert_int_equal(applications_insert(fx.db, &row, &applicant, &e), 0);
    memcpy(id, row.id, sizeof row.id);
}

/* Numbers a certificate for a new application issued at issued_at; returns its row with the number filled. */
static certificate_row reserve(time_t issued_at)
{
    err e = {0};
    certificate_row c = {.issued_at = issued_at, .valid_until = issued_at + 30 * DAY, .debt_as_of = issued_at - DAY,
                         .debt_qepik = 123456};
    add_application("", c.application_id);
    snprintf(c.code, sizeof c.code, "K7Q2M9XD4P8T%04d", fx.applications);
    snprintf(c.subscriber_code, sizeof c.subscriber_code, "1234567890");
    snprintf(c.holder, sizeof c.holder, "Məmmədov Əli Şükür oğlu");
    assert_int_equal(certificates_reserve(fx.db, &c, issued_at + CLAIM_S, &e), 0);
    return c;
}

/* Stores a document for c: "%PDF-" and the number, its digest a made-up hex string derived from the number. */
static void store_document(const certificate_row *c, char sha256[65])
{
    err e = {0};
    char pdf[64];
    int len = snprintf(pdf, sizeof pdf, "%%PDF-1.7 %s", c->number);
    snprintf(sha256, 65, "%064x", (unsigned)fx.applications * 7919u);
    assert_int_equal(certificates_mark_stored(fx.db, c->number, sha256, SIGNATURE_B_B, &e), 0);
    assert_int_equal(certificates_put_document(fx.db, c->number, (const unsigned char *)pdf, (size_t)len, &e), 0);
}

/* --- certificates --- */

static void test_numbers_are_consecutive_per_year(void **state)
{
    (void)state;
    static const struct {
        time_t at;
        const char *number;
    } issues[] = {
        {Y2026 + 10, "AZI-2026-000001"},        {Y2026 + 200 * DAY, "AZI-2026-000002"},
        {Y2027 - 1, "AZI-2026-000003"},         {Y2027, "AZI-2027-000001"},
        {Y2026 + 5 * DAY, "AZI-2026-000004"},   {Y2027 + 40 * DAY, "AZI-2027-000002"},
    };
    for (size_t i = 0; i < sizeof issues / sizeof issues[0]; i++) {
        certificate_row c = reserve(issues[i].at);
        assert_string_equal(c.number, issues[i].number);
    }
    assert_int_equal(query_int("SELECT count(*) FROM certificates"), 6);
}

/* Inside one write transaction the numbers after the first come from its memo: still consecutive per year, the
   counter row set to the last; a rollback forgets them, and the next transaction reads the counter again. */
static void test_numbers_within_one_transaction(void **state)
{
    (void)state;
    err e = {0};
    assert_int_equal(db_begin(fx.db, &e), 0);
    const char *expected[] = {"AZI-2026-000001", "AZI-2026-000002", "AZI-2027-000001", "AZI-2026-000003"};
    const time_t at[] = {Y2026 + 10, Y2026 + 20, Y2027 + 1, Y2026 + 30};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(reserve(at[i]).number, expected[i]);
    assert_int_equal(db_commit(fx.db, &e), 0);
    assert_int_equal(query_int("SELECT last_seq FROM certificate_counters WHERE year = 2026"), 3);
    assert_int_equal(query_int("SELECT last_seq FROM certificate_counters WHERE year = 2027"), 1);
    assert_int_equal(db_begin(fx.db, &e), 0);
    assert_string_equal(reserve(Y2026 + 40).number, "AZI-2026-000004");
    assert_string_equal(reserve(Y2026 + 50).number, "AZI-2026-000005");
    db_rollback(fx.db);
    assert_int_equal(db_begin(fx.db, &e), 0);
    assert_string_equal(reserve(Y2026 + 60).number, "AZI-2026-000004");
    assert_int_equal(db_commit(fx.db, &e), 0);
    assert_string_equal(reserve(Y2026 + 70).number, "AZI-2026-000005"); /* outside a transaction: no memo */
    assert_int_equal(query_int("SELECT last_seq FROM certificate_counters WHERE year = 2026"), 5);
}

/* The memo keeps values only inside a write transaction, forgets them when it ends, and makes room by dropping the
   oldest key. */
static void test_memo_lives_as_long_as_its_transaction(void **state)
{
    (void)state;
    err e = {0};
    long long value = 7, got = 0;
    db_memo_put(fx.db, "k", &value, sizeof value);
    assert_int_equal(db_memo_get(fx.db, "k", &got, sizeof got), 0);
    assert_int_equal(db_begin(fx.db, &e), 0);
    db_memo_put(fx.db, "k", &value, sizeof value);
    assert_int_equal(db_memo_get(fx.db, "k", &got, sizeof got), 1);
    assert_int_equal(got, 7);
    assert_int_equal(db_memo_get(fx.db, "k", &got, sizeof(int)), 0); /* another length is another value */
    value = 8;
    db_memo_put(fx.db, "k", &value, sizeof value);
    for (long long i = 0; i < DB_MEMO_SLOTS - 1; i++) {
        char key[DB_MEMO_KEY];
        snprintf(key, sizeof key, "other.%lld", i);
        db_memo_put(fx.db, key, &i, sizeof i);
    }
    assert_int_equal(db_memo_get(fx.db, "k", &got, sizeof got), 1);
    assert_int_equal(got, 8);
    db_memo_put(fx.db, "one.more", &value, sizeof value); /* takes the oldest key's place: k's */
    assert_int_equal(db_memo_get(fx.db, "k", &got, sizeof got), 0);
    assert_int_equal(db_memo_get(fx.db, "one.more", &got, sizeof got), 1);
    assert_int_equal(db_memo_get(fx.db, "other.0", &got, sizeof got), 1);
    assert_int_equal(got, 0);
    assert_int_equal(db_commit(fx.db, &e), 0);
    assert_int_equal(db_memo_get(fx.db, "one.more", &got, sizeof got), 0);
    assert_int_equal(db_begin(fx.db, &e), 0);
    assert_int_equal(db_memo_get(fx.db, "one.more", &got, sizeof got), 0);
    db_rollback(fx.db);
}

static void test_reserve_store_and_find(void **state)
{
    (void)state;
    err e = {0};
    certificate_row c = reserve(Y2026 + DAY), got;
    char sha[65];
    buf pdf = BUF_INIT;
    assert_int_equal(certificates_find(fx.db, c.number, &got, &e), 1);
    assert_int_equal(got.state, CERTIFICATE_PENDING);
    assert_string_equal(got.application_id, c.application_id);
    assert_string_equal(got.holder, c.holder);
    assert_string_equal(got.code, c.code);
    assert_int_equal(got.debt_qepik, 123456);
    assert_int_equal(got.valid_until, c.valid_until);
    assert_string_equal(got.address, "");
    assert_int_equal(certificates_read_pdf(fx.db, c.number, &pdf, &e), 0); /* not yet stored */

    store_document(&c, sha);
    assert_int_equal(certificates_find(fx.db, c.number, &got, &e), 1);
    assert_int_equal(got.state, CERTIFICATE_ISSUED);
    assert_string_equal(got.sha256, sha);
    memset(&got, 0, sizeof got);
    assert_int_equal(certificates_find_by_sha256(fx.db, sha, &got, &e), 1);
    assert_string_equal(got.number, c.number);
    assert_int_equal(certificates_find_by_application(fx.db, c.application_id, &got, &e), 1);
    assert_string_equal(got.number, c.number);
    assert_int_equal(certificates_read_pdf(fx.db, c.number, &pdf, &e), 1);
    char expected[64];
    snprintf(expected, sizeof expected, "%%PDF-1.7 %s", c.number);
    assert_int_equal(pdf.len, strlen(expected));
    assert_memory_equal(pdf.data, expected, pdf.len);
    buf_free(&pdf);

    assert_int_equal(certificates_mark_stored(fx.db, c.number, sha, SIGNATURE_B_B, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT); /* stored once only */
    assert_int_equal(certificates_put_document(fx.db, c.number, (const unsigned char *)"x", 1, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
}

static void test_lookups_of_what_is_not_there(void **state)
{
    (void)state;
    err e = {0};
    certificate_row c = reserve(Y2026 + DAY), got;
    buf pdf = BUF_INIT;
    assert_int_equal(certificates_find(fx.db, "AZI-2026-999999", &got, &e), 0);
    assert_int_equal(certificates_find_by_application(fx.db, "app-none", &got, &e), 0);
    assert_int_equal(certificates_find_by_sha256(fx.db, "", &got, &e), 0); /* pending rows have no digest yet */
    assert_int_equal(certificates_find_by_sha256(fx.db, "00", &got, &e), 0);
    assert_int_equal(certificates_read_pdf(fx.db, "AZI-2026-999999", &pdf, &e), 0);
    assert_int_equal(certificates_mark_stored(fx.db, "AZI-2026-999999", "ab", SIGNATURE_B_B, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_int_equal(certificates_put_document(fx.db, "AZI-2026-999999", (const unsigned char *)"x", 1, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT); /* no such certificate */
    assert_int_equal(certificates_find(fx.db, c.number, &got, &e), 1);
    assert_int_equal(got.state, CERTIFICATE_PENDING); /* untouched by the failed store */
    buf_free(&pdf);
}

static void test_revoke_twice(void **state)
{
    (void)state;
    err e = {0};
    certificate_row c = reserve(Y2026 + DAY), got;
    char sha[65];
    store_document(&c, sha);
    assert_int_equal(certificates_revoke(fx.db, c.number, Y2026 + 2 * DAY, "Səhv məlumat", REVOCATION_SUPERSEDED, "ops", &e), 1);
    assert_int_equal(certificates_revoke(fx.db, c.number, Y2026 + 3 * DAY, "again", REVOCATION_UNSPECIFIED, "other", &e), 0);
    assert_int_equal(certificates_revoke(fx.db, "AZI-2026-999999", Y2026, "none", REVOCATION_UNSPECIFIED, "ops", &e), 0);
    assert_int_equal(certificates_find(fx.db, c.number, &got, &e), 1);
    assert_int_equal(got.revoked_at, Y2026 + 2 * DAY); /* the first revocation stands */
    assert_string_equal(got.revocation_reason, "Səhv məlumat");
    assert_string_equal(got.revoked_by, "ops");
    assert_int_equal(got.state, CERTIFICATE_ISSUED);
}

/* What a listing's callbacks saw, in order: up to two texts and a time per item. */
typedef struct listed {
    char items[8][2][80];
    time_t at[8];
    int n;
} listed;

static void listed_add(listed *l, const char *first, const char *second, time_t at)
{
    assert_true(l->n < 8);
    snprintf(l->items[l->n][0], sizeof l->items[0][0], "%s", first);
    snprintf(l->items[l->n][1], sizeof l->items[0][1], "%s", second ? second : "");
    l->at[l->n++] = at;
}

static void list_pending(const char *number, const char *application_id, void *ctx)
{
    listed_add(ctx, number, application_id, 0);
}

static void list_void(const certificate_void *v, void *ctx)
{
    listed_add(ctx, v->number, v->reason, v->voided_at);
}

static void test_void_and_pending_listings(void **state)
{
    (void)state;
    err e = {0};
    certificate_row a = reserve(Y2026 + DAY), b = reserve(Y2026 + DAY), c = reserve(Y2026 + DAY), got;
    char sha[65];
    store_document(&b, sha);
    listed pending = {0}, voids = {0};
    assert_int_equal(certificates_each_pending(fx.db, time(NULL) + 1, time(NULL), list_pending, &pending, &e), 0);
    assert_int_equal(pending.n, 2);
    assert_true((strcmp(pending.items[0][0], a.number) == 0 && strcmp(pending.items[1][0], c.number) == 0) ||
                (strcmp(pending.items[0][0], c.number) == 0 && strcmp(pending.items[1][0], a.number) == 0));

    assert_int_equal(certificates_void(fx.db, c.number, Y2026 + 3 * DAY, "render failed", &e), 1);
    assert_int_equal(certificates_void(fx.db, a.number, Y2026 + 2 * DAY, "signing failed", &e), 1);
    assert_int_equal(certificates_void(fx.db, a.number, Y2026 + 4 * DAY, "again", &e), 0);
    assert_int_equal(certificates_void(fx.db, b.number, Y2026 + 4 * DAY, "issued", &e), 0);
    assert_int_equal(certificates_void(fx.db, "AZI-2026-999999", Y2026, "none", &e), 0);
    assert_int_equal(certificates_find(fx.db, a.number, &got, &e), 1);
    assert_int_equal(got.state, CERTIFICATE_VOID);
    assert_int_equal(certificates_mark_stored(fx.db, a.number, "cd", SIGNATURE_B_B, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);

    assert_int_equal(certificates_each_void(fx.db, list_void, &voids, &e), 0);
    assert_int_equal(voids.n, 2); /* oldest first */
    assert_string_equal(voids.items[0][0], a.number);
    assert_string_equal(voids.items[0][1], "signing failed");
    assert_int_equal(voids.at[0], Y2026 + 2 * DAY);
    assert_string_equal(voids.items[1][0], c.number);
    pending.n = 0;
    assert_int_equal(certificates_each_pending(fx.db, time(NULL) + 1, time(NULL), list_pending, &pending, &e), 0);
    assert_int_equal(pending.n, 0);
    assert_string_equal(reserve(Y2026 + 5 * DAY).number, "AZI-2026-000004"); /* void numbers stay taken */
}

static void test_claims_of_pending_certificates(void **state)
{
    (void)state;
    err e = {0};
    time_t t = Y2026 + DAY;
    certificate_row a = reserve(t); /* claimed by its reservation until t + CLAIM_S */
    listed pending = {0};
    assert_int_equal(certificates_each_pending(fx.db, t + 1, t + CLAIM_S - 1, list_pending, &pending, &e), 0);
    assert_int_equal(pending.n, 0);
    assert_int_equal(certificates_claim(fx.db, a.number, t + CLAIM_S - 1, t + 100, &e), 0); /* still held */
    assert_int_equal(certificates_claim(fx.db, a.number, t + CLAIM_S, t + 100, &e), 1);     /* ran out: taken */
    assert_int_equal(certificates_claim(fx.db, a.number, t + 99, t + 200, &e), 0);          /* the new holder's */
    assert_int_equal(certificates_release(fx.db, a.number, &e), 0);
    assert_int_equal(certificates_each_pending(fx.db, t + 1, t, list_pending, &pending, &e), 0);
    assert_int_equal(pending.n, 1);
    assert_int_equal(certificates_claim(fx.db, a.number, t, t + 300, &e), 1); /* released: anyone at once */
    char sha[65];
    store_document(&a, sha);
    assert_int_equal(certificates_claim(fx.db, a.number, t + 1000, t + 2000, &e), 0); /* stored: nothing to claim */
}

static void test_certificates_without_a_calendar_year_are_refused(void **state)
{
    (void)state;
    err e = {0};
    certificate_row c = {.issued_at = (time_t)1 << 62};
    snprintf(c.application_id, sizeof c.application_id, "app-none");
    assert_int_equal(certificates_reserve(fx.db, &c, 0, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(query_int("SELECT count(*) FROM certificate_counters"), 0);
}

/* --- verification codes --- */

static void test_codes_by_number(void **state)
{
    (void)state;
    err e = {0};
    certificate_row got;
    int exact = 1;
    assert_int_equal(certificates_find_at_or_before(fx.db, "AZI-2026-000001", &got, &exact, &e), 0);
    assert_false(exact); /* no row precedes it */
    certificate_row first = reserve(Y2026 + DAY), second = reserve(Y2026 + DAY);
    char sha[65];
    store_document(&first, sha);
    assert_int_equal(query_int("INSERT INTO tlog_entries(idx, number, type, entry, leaf_hash)"
                               " VALUES (7, 'AZI-2026-000001', 1, x'00', x'00') RETURNING idx"), 7);
    assert_int_equal(certificates_find_at_or_before(fx.db, first.number, &got, &exact, &e), 1);
    assert_true(exact);
    assert_string_equal(got.code, first.code);
    assert_int_equal(got.log_index, 7);
    assert_int_equal(got.revocation_log_index, -1);
    assert_int_equal(certificates_find_at_or_before(fx.db, second.number, &got, &exact, &e), 1);
    assert_false(exact); /* pending: no document yet */
    assert_int_equal(certificates_find_at_or_before(fx.db, "AZI-2026-000009", &got, &exact, &e), 1);
    assert_false(exact);
    assert_string_equal(got.code, second.code); /* the neighbour's, read as much as a real one */
    assert_int_equal(certificates_revoke(fx.db, first.number, Y2026 + 2 * DAY, "x", REVOCATION_SUPERSEDED, "ops", &e), 1);
    assert_int_equal(query_int("INSERT INTO tlog_entries(idx, number, type, entry, leaf_hash)"
                               " VALUES (8, 'AZI-2026-000001', 2, x'00', x'00') RETURNING idx"), 8);
    assert_int_equal(certificates_find_at_or_before(fx.db, first.number, &got, &exact, &e), 1);
    assert_int_equal(got.log_index, 7);
    assert_int_equal(got.revocation_log_index, 8);
}

static void test_codes_by_number_in_one_call(void **state)
{
    (void)state;
    err e = {0};
    certificate_row first = reserve(Y2026 + DAY), second = reserve(Y2026 + DAY);
    char sha[65];
    store_document(&first, sha);
    certificate_row rows[3];
    certificate_lookup items[3] = {{.number = "AZI-2026-000009", .row = &rows[0]}, {.number = first.number, .row = &rows[1]},
                                   {.number = "AZI-2025-000001", .row = &rows[2]}};
    certificate_lookups each = {items, 3};
    assert_int_equal(certificates_find_each_at_or_before(fx.db, &each, &e), 0);
    assert_int_equal(items[0].found, 1);
    assert_false(items[0].exact);
    assert_string_equal(rows[0].code, second.code);
    assert_int_equal(items[1].found, 1);
    assert_true(items[1].exact);
    assert_string_equal(rows[1].code, first.code);
    assert_int_equal(items[2].found, 0); /* nothing precedes it */
    items[2].number = "AZI-2025-1' OR '1'='1";
    assert_int_equal(certificates_find_each_at_or_before(fx.db, &each, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(items[1].found, 0); /* nothing read */
}

/* --- subscribers --- */

static billing_record billing(const char *holder, int64_t debt, time_t as_of)
{
    billing_record r = {.subscriber_code = "1234567890", .owner_fin = "5ABCD12", .holder_name = (char *)holder,
                        .debt_qepik = debt, .as_of = as_of};
    return r;
}

static void put_subscriber(const billing_record *r, subscriber_write expected)
{
    err e = {0};
    subscriber_write result = (subscriber_write)-1;
    assert_int_equal(db_begin(fx.db, &e), 0);
    assert_int_equal(subscribers_put(fx.db, r, Y2026 + 9 * DAY, &result, &e), 0);
    assert_int_equal(db_commit(fx.db, &e), 0);
    assert_int_equal(result, expected);
}

static void test_subscriber_updates_and_stale_ones(void **state)
{
    (void)state;
    err e = {0};
    billing_record got;
    assert_int_equal(subscribers_find(fx.db, "1234567890", &got, &e), 0);
    billing_record first = billing("Əliyev Vüqar", 5000, Y2026 + DAY);
    billing_record newer = billing("Əliyev Vüqar Şahin oğlu", 0, Y2026 + 3 * DAY);
    billing_record older = billing("köhnə", 99999, Y2026 + 2 * DAY);
    put_subscriber(&first, SUBSCRIBER_CREATED);
    put_subscriber(&newer, SUBSCRIBER_UPDATED);
    put_subscriber(&older, SUBSCRIBER_STALE);
    assert_int_equal(subscribers_find(fx.db, "1234567890", &got, &e), 1);
    assert_string_equal(got.holder_name, "Əliyev Vüqar Şahin oğlu"); /* the stale record left nothing */
    assert_int_equal(got.debt_qepik, 0);
    assert_int_equal(got.as_of, Y2026 + 3 * DAY);
    assert_string_equal(got.owner_fin, "5ABCD12");
    assert_null(got.address);
    billing_record_free(&got);
    billing_record same_time = billing("eyni vaxt", 700, Y2026 + 3 * DAY);
    put_subscriber(&same_time, SUBSCRIBER_UPDATED); /* only an older as_of is stale */
    assert_int_equal(subscribers_find(fx.db, "1234567890", &got, &e), 1);
    assert_int_equal(got.debt_qepik, 700);
    billing_record_free(&got);
}

/* --- outbox --- */

static void enqueue(const char *reference, time_t now)
{
    err e = {0};
    char app[32];
    add_application(reference, app); /* its portal reference: the message's own */
    assert_int_equal(outbox_enqueue(fx.db, reference, app, "+994501234567", "Arayışınız hazırdır", now, &e), 0);
}

static void record_attempt(const outbox_message *m, sms_status status, long long next_ms, const char *error)
{
    err e = {0};
    assert_int_equal(db_begin(fx.db, &e), 0);
    assert_int_equal(outbox_record_attempt(fx.db, m, status, next_ms, error, Y2026 + DAY, &e), 0);
    assert_int_equal(db_commit(fx.db, &e), 0);
}

static void collect_messages(const outbox_message *m, void *ctx)
{
    listed_add(ctx, m->reference, NULL, m->created_at);
}

/* A message of no application (an operator's own) is due with no owner, beside one that has its owner. */
static void test_outbox_due_without_application(void **state)
{
    (void)state;
    err e = {0};
    outbox_message due[4];
    assert_int_equal(outbox_enqueue(fx.db, "sms-own", NULL, "+994501234567", "Sınaq", Y2026 + 10, &e), 0);
    enqueue("sms-app", Y2026 + 20);
    assert_int_equal(outbox_due(fx.db, (Y2026 + 30) * 1000LL, due, 4, &e), 2);
    assert_string_equal(due[0].reference, "sms-own");
    assert_int_equal(due[0].has_application, 0);
    assert_int_equal(due[0].api_key_id, 0);
    assert_string_equal(due[0].portal_reference, "");
    assert_string_equal(due[1].reference, "sms-app");
    assert_int_equal(due[1].has_application, 1);
    assert_int_equal(due[1].api_key_id, fx.key);
    assert_string_equal(due[1].portal_reference, "sms-app");
}

static void test_outbox_due_order_and_retry(void **state)
{
    (void)state;
    err e = {0};
    outbox_message due[8];
    long long next = -1, count = -1;
    time_t oldest = -1;
    assert_int_equal(outbox_next_due_ms(fx.db, &next, &e), 0);
    assert_int_equal(next, 0);
    enqueue("sms-b", Y2026 + 20);
    enqueue("sms-a", Y2026 + 10);
    enqueue("sms-c", Y2026 + 30);
    assert_int_equal(outbox_due(fx.db, (Y2026 + 5) * 1000LL, due, 8, &e), 0);  /* none due yet */
    assert_int_equal(outbox_due(fx.db, (Y2026 + 20) * 1000LL, due, 8, &e), 2); /* oldest first */
    assert_string_equal(due[0].reference, "sms-a");
    assert_string_equal(due[1].reference, "sms-b");
    assert_int_equal(due[0].status, SMS_PENDING);
    assert_int_equal(due[0].next_attempt_ms, (Y2026 + 10) * 1000LL);
    for (int i = 0; i < 2; i++) { /* each with its application as its portal event names it */
        assert_int_equal(due[i].has_application, 1);
        assert_int_equal(due[i].api_key_id, fx.key);
        assert_string_equal(due[i].portal_reference, due[i].reference);
    }
    assert_int_equal(outbox_due(fx.db, (Y2026 + 99) * 1000LL, due, 1, &e), 1); /* at most max */
    assert_string_equal(due[0].reference, "sms-a");

    record_attempt(&due[0], SMS_PENDING, (Y2026 + 60) * 1000LL, "gateway busy"); /* a is due again later */
    assert_int_equal(outbox_due(fx.db, (Y2026 + 99) * 1000LL, due, 8, &e), 3);
    assert_string_equal(due[0].reference, "sms-b");
    assert_string_equal(due[1].reference, "sms-c");
    assert_string_equal(due[2].reference, "sms-a");
    assert_int_equal(due[2].attempts, 1);
    assert_string_equal(due[2].last_error, "gateway busy");
    assert_int_equal(outbox_next_due_ms(fx.db, &next, &e), 0);
    assert_int_equal(next, (Y2026 + 20) * 1000LL);

    record_attempt(&due[0], SMS_SENT, 0, NULL);
    record_attempt(&due[2], SMS_FAILED, 0, "rejected");
    assert_int_equal(outbox_pending_stats(fx.db, &count, &oldest, &e), 0);
    assert_int_equal(count, 1);
    assert_int_equal(oldest, Y2026 + 30);
    assert_int_equal(outbox_retry(fx.db, due[1].id, (Y2026 + 100) * 1000LL, &e), 0); /* pending, not failed */
    assert_int_equal(outbox_retry(fx.db, due[0].id, (Y2026 + 100) * 1000LL, &e), 0); /* sent */
    assert_int_equal(outbox_retry(fx.db, 99999, (Y2026 + 100) * 1000LL, &e), 0);
    assert_int_equal(outbox_retry(fx.db, due[2].id, (Y2026 + 100) * 1000LL, &e), 1);
    assert_int_equal(outbox_due(fx.db, (Y2026 + 99) * 1000LL, due, 8, &e), 1); /* a: not before its new time */
    assert_int_equal(outbox_due(fx.db, (Y2026 + 100) * 1000LL, due, 8, &e), 2);
    assert_string_equal(due[1].reference, "sms-a");

    listed all = {0}, sent = {0};
    sms_status s = SMS_SENT;
    assert_int_equal(outbox_each(fx.db, NULL, 10, collect_messages, &all, &e), 0);
    assert_int_equal(all.n, 3); /* newest first */
    assert_string_equal(all.items[0][0], "sms-c");
    assert_string_equal(all.items[2][0], "sms-b");
    assert_int_equal(outbox_each(fx.db, &s, 10, collect_messages, &sent, &e), 0);
    assert_int_equal(sent.n, 1);
    assert_string_equal(sent.items[0][0], "sms-b");
}

static void test_outbox_refusals(void **state)
{
    (void)state;
    err e = {0};
    char app[32], body[OUTBOX_BODY_MAX + 2];
    enqueue("sms-a", Y2026);
    add_application("", app);
    assert_int_equal(outbox_enqueue(fx.db, "sms-a", app, "+994501234567", "again", Y2026, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    memset(body, 'x', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    assert_int_equal(outbox_enqueue(fx.db, "sms-long", app, "+994501234567", body, Y2026, &e), -1);
    assert_int_equal(e.code, ERR_TOO_LONG);
    body[OUTBOX_BODY_MAX] = '\0'; /* exactly the limit is accepted */
    assert_int_equal(outbox_enqueue(fx.db, "sms-limit", app, "+994501234567", body, Y2026, &e), 0);
    assert_int_equal(query_int("SELECT count(*) FROM sms_outbox"), 2);
}

/* --- API keys --- */

static void collect_keys(const apikey_row *row, void *ctx)
{
    listed_add(ctx, row->name, NULL, row->revoked_at);
}

static void test_keys_found_until_revoked(void **state)
{
    (void)state;
    err e = {0};
    apikey_row row;
    long long id = add_key("billing-1", ROLE_BILLING, "hash-billing");
    assert_int_equal(apikeys_find_active(fx.db, "hash-billing", &row, &e), 1);
    assert_int_equal(row.id, id);
    assert_string_equal(row.name, "billing-1");
    assert_int_equal(row.role, ROLE_BILLING);
    assert_int_equal(row.revoked_at, 0);
    assert_int_equal(apikeys_find_active(fx.db, "hash-unknown", &row, &e), 0);
    assert_int_equal(apikeys_insert(fx.db, "billing-1", ROLE_ADMIN, "hash-other", Y2026, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);

    assert_int_equal(apikeys_revoke(fx.db, "billing-1", Y2026 + DAY, &e), 1);
    assert_int_equal(apikeys_find_active(fx.db, "hash-billing", &row, &e), 0);
    assert_int_equal(apikeys_revoke(fx.db, "billing-1", Y2026 + 2 * DAY, &e), 0);
    assert_int_equal(apikeys_revoke(fx.db, "nobody", Y2026, &e), 0);
    assert_int_equal(apikeys_find_active(fx.db, "hash-egov", &row, &e), 1); /* the others stay */

    listed keys = {0};
    assert_int_equal(apikeys_each(fx.db, collect_keys, &keys, &e), 0);
    assert_int_equal(keys.n, 2); /* oldest first */
    assert_string_equal(keys.items[0][0], "egov");
    assert_int_equal(keys.at[0], 0);
    assert_string_equal(keys.items[1][0], "billing-1");
    assert_int_equal(keys.at[1], Y2026 + DAY);
}

/* --- applications --- */

static void collect_events(const char *status, time_t at, void *ctx)
{
    listed_add(ctx, status, NULL, at);
}

static void test_applications_and_their_history(void **state)
{
    (void)state;
    err e = {0};
    char id[32], other[32], mobile[16], tiny[8];
    application_row row;
    add_application("portal-77", id);
    add_application("", other);
    assert_int_equal(applications_find(fx.db, id, &row, &e), 1);
    assert_int_equal(row.status, APPLICATION_RECEIVED);
    assert_string_equal(row.portal_reference, "portal-77");
    assert_int_equal(row.has_debt, 0);
    assert_int_equal(applications_find(fx.db, "app-none", &row, &e), 0);
    assert_int_equal(applications_find_by_reference(fx.db, fx.key, "portal-77", &row, &e), 1);
    assert_string_equal(row.id, id);
    assert_int_equal(applications_find_by_reference(fx.db, fx.key + 1, "portal-77", &row, &e), 0);
    assert_int_equal(applications_find_by_reference(fx.db, fx.key, "portal-78", &row, &e), 0);

    application_row again = row;
    snprintf(again.id, sizeof again.id, "app-again");
    assert_int_equal(applications_insert(fx.db, &again, &applicant, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT); /* the reference is the key's already */

    row.status = APPLICATION_DEBT_CHECKED;
    row.has_debt = 1, row.debt_qepik = 4321, row.debt_as_of = Y2026 + DAY;
    assert_int_equal(applications_update(fx.db, &row, &e), 0);
    assert_int_equal(applications_find(fx.db, id, &row, &e), 1);
    assert_int_equal(row.status, APPLICATION_DEBT_CHECKED);
    assert_int_equal(row.has_debt, 1);
    assert_int_equal(row.debt_qepik, 4321);
    assert_int_equal(row.debt_as_of, Y2026 + DAY);

    assert_int_equal(applications_mobile(fx.db, id, mobile, sizeof mobile, &e), 1);
    assert_string_equal(mobile, "+994501234567");
    assert_int_equal(applications_mobile(fx.db, "app-none", mobile, sizeof mobile, &e), 0);
    assert_int_equal(applications_mobile(fx.db, id, tiny, sizeof tiny, &e), -1);
    assert_int_equal(e.code, ERR_TOO_LONG);

    static const char *const statuses[] = {"received", "debt_checked", "issued", "revoked"};
    /* the same second for the first three, the first two in one statement: the order is kept anyway */
    assert_int_equal(application_events_append_pair(fx.db, id, statuses[0], statuses[1], Y2026, &e), 0);
    assert_int_equal(application_events_append(fx.db, other, "received", Y2026 - DAY, NULL, &e), 0);
    for (int i = 2; i < 4; i++)
        assert_int_equal(application_events_append(fx.db, id, statuses[i], Y2026 + (i == 3 ? DAY : 0),
                                                   i == 3 ? "operator" : NULL, &e), 0);
    listed history = {0};
    assert_int_equal(application_events_each(fx.db, id, collect_events, &history, &e), 0);
    assert_int_equal(history.n, 4);
    for (int i = 0; i < 4; i++)
        assert_string_equal(history.items[i][0], statuses[i]);
    assert_int_equal(history.at[0], Y2026);
    assert_int_equal(history.at[1], Y2026);
    assert_int_equal(history.at[3], Y2026 + DAY);
    history.n = 0;
    assert_int_equal(application_events_each(fx.db, "app-none", collect_events, &history, &e), 0);
    assert_int_equal(history.n, 0);
}

/* --- audit log --- */

static void test_audit_entries_are_appended(void **state)
{
    (void)state;
    err e = {0};
    assert_int_equal(audit_append(fx.db, Y2026, "cli", "apikey.create", "billing-1", NULL, &e), 0);
    assert_int_equal(audit_append(fx.db, Y2026 + 1, "ops", "certificate.revoke", NULL, "Səhv məlumat", &e), 0);
    assert_int_equal(query_int("SELECT count(*) FROM audit_log"), 2);
    assert_int_equal(query_int("SELECT count(*) FROM audit_log WHERE actor = 'ops' AND action = 'certificate.revoke'"
                               " AND target IS NULL AND detail = 'Səhv məlumat' AND at = 1767225601"), 1);
    assert_int_equal(query_int("SELECT count(*) FROM audit_log WHERE actor = 'cli' AND target = 'billing-1'"
                               " AND detail IS NULL"), 1);
}

/* --- snapshots --- */

/* Inside the snapshot: an audit entry committed by another connection is not seen until the snapshot ends. */
static int read_around_a_commit(db *d, void *ctx, err *e)
{
    (void)d;
    (void)e;
    long long before = query_int("SELECT count(*) FROM audit_log");
    sqlite3 *other = NULL;
    char path[SCRATCH_DIR_LEN + 32];
    snprintf(path, sizeof path, "%s/data/arayis.db", fx.dir);
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "INSERT INTO audit_log (at, actor, action) VALUES (1, 'other', 'x')", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(other);
    assert_int_equal(query_int("SELECT count(*) FROM audit_log"), before);
    *(long long *)ctx = before;
    return 0;
}

static void test_snapshot_reads_one_instant(void **state)
{
    (void)state;
    err e = {0};
    long long before = -1;
    assert_int_equal(audit_append(fx.db, Y2026, "cli", "apikey.create", NULL, NULL, &e), 0);
    assert_int_equal(db_snapshot(fx.db, read_around_a_commit, &before, &e), 0);
    assert_int_equal(before, 1);
    assert_int_equal(query_int("SELECT count(*) FROM audit_log"), 2);
}

/* --- the transparency log --- */

/* The root (RFC 9162 MTH) of n leaf hashes, from them alone. */
static void tree_hash(const unsigned char (*leaves)[32], uint64_t n, unsigned char out[32])
{
    if (n == 1) {
        memcpy(out, leaves[0], 32);
        return;
    }
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    unsigned char left[32], right[32];
    tree_hash(leaves, k, left);
    tree_hash(leaves + k, n - k, right);
    merkle_node_hash(left, right, out);
}

static int trailing_ones(uint64_t i)
{
    int n = 0;
    for (; i & 1; i >>= 1)
        n++;
    return n;
}

/* Appends in transactions of several sizes: each reads the log once (its size with the frontier: the siblings of
   every append in it are never read back one by one), writes the entry and the subtrees it completes, and the
   stored subtrees make the root that the leaves alone make. */
static void test_appends_read_the_log_frontier_once(void **state)
{
    (void)state;
    static const int batches[] = {1, 2, 3, 1, 5, 8, 4, 7};
    enum { ENTRIES = 31 };
    err e = {0};
    tlog_appender log = {.enabled = 1};
    uint64_t size = 0;
    for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        assert_int_equal(db_begin(fx.db, &e), 0);
        long long before = db_statement_count(fx.db), expected = 1; /* the size with the frontier */
        for (int i = 0; i < batches[b]; i++, size++) {
            char number[32], sha256[65];
            snprintf(number, sizeof number, "AZI-2026-%06llu", (unsigned long long)size + 1);
            snprintf(sha256, sizeof sha256, "%064llx", (unsigned long long)size + 1);
            assert_int_equal(tlog_append_issuance(fx.db, &log, number, sha256, Y2026, Y2026 + DAY, &e), 0);
            expected += 1 + trailing_ones(size); /* the entry, and each subtree it completes */
        }
        assert_int_equal(db_statement_count(fx.db) - before, expected);
        assert_int_equal(db_commit(fx.db, &e), 0);
    }
    assert_int_equal(size, ENTRIES);
    unsigned char leaves[ENTRIES][32], want[32], got[32];
    for (uint64_t i = 0; i < size; i++)
        assert_int_equal(tlog_store_subtree(fx.db, 0, i, leaves[i], &e), 1);
    tree_hash((const unsigned char (*)[32])leaves, size, want);
    assert_int_equal(merkle_root(size, tlog_stored_subtree, fx.db, got, &e), 0);
    assert_memory_equal(got, want, 32);
}

#define STORE_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        STORE_TEST(test_numbers_are_consecutive_per_year),
        STORE_TEST(test_numbers_within_one_transaction),
        STORE_TEST(test_memo_lives_as_long_as_its_transaction),
        STORE_TEST(test_reserve_store_and_find),
        STORE_TEST(test_lookups_of_what_is_not_there),
        STORE_TEST(test_revoke_twice),
        STORE_TEST(test_void_and_pending_listings),
        STORE_TEST(test_claims_of_pending_certificates),
        STORE_TEST(test_certificates_without_a_calendar_year_are_refused),
        STORE_TEST(test_codes_by_number),
        STORE_TEST(test_codes_by_number_in_one_call),
        STORE_TEST(test_subscriber_updates_and_stale_ones),
        STORE_TEST(test_outbox_due_order_and_retry),
        STORE_TEST(test_outbox_due_without_application),
        STORE_TEST(test_outbox_refusals),
        STORE_TEST(test_keys_found_until_revoked),
        STORE_TEST(test_applications_and_their_history),
        STORE_TEST(test_audit_entries_are_appended),
        STORE_TEST(test_snapshot_reads_one_instant),
        STORE_TEST(test_appends_read_the_log_frontier_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
