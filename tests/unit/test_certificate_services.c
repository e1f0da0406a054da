/* Unit tests of the certificate, verification and billing use cases against a real SQLite file and real signed PDFs
   in a scratch directory: revocation, billing updates, the code check, the PDF check and who may see a certificate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/metrics.h"
#include "core/share.h"
#include "crypto/hash.h"
#include "crypto/signer.h"
#include "pdf/certificate.h"
#include "scratch_dir.h"
#include "service/billing.h"
#include "service/certificates.h"
#include "service/services.h"
#include "service/verification.h"
#include "store/db_sqlite.h"
#include "store/certificates.h"
#include "store/store.h"
#include "store/subscribers.h"

#define DAY (24 * 60 * 60)
#define PORTAL_KEY 1
#define OTHER_PORTAL_KEY 2

typedef struct fixture {
    char dir[SCRATCH_DIR_LEN];
    config cfg;
    store *store;
    metrics *metrics;
    services *svc;
    pdf_renderer *renderer;
    signer *signer;
    int applications;                       /* applications made so far, for their ids */
} fixture;

static fixture fx;

static const char KEYS[] =
    "INSERT INTO api_keys(id, name, role, key_hash, created_at) VALUES"
    " (1, 'egov', 'portal', 'h1', 0), (2, 'azerishiq', 'portal', 'h2', 0), (3, 'ops', 'admin', 'h3', 0);";

static int exec_sql(const char *sql)
{
    err e = {0};
    db *d = store_db(fx.store, &e);
    return d != NULL && sqlite3_exec(db_sqlite_handle(d), sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* The number of rows sql (one integer column, one row) counts. */
static long long count_rows(const char *sql)
{
    err e = {0};
    sqlite3_stmt *st = NULL;
    db *d = store_db(fx.store, &e);
    assert_non_null(d);
    assert_int_equal(sqlite3_prepare_v2(db_sqlite_handle(d), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int setup(void **state)
{
    (void)state;
    static const char *const route_names[] = {"/"};
    err e = {0};
    if (scratch_dir_make(fx.dir, "certsvc") != 0)
        return -1;
    config_defaults(&fx.cfg);
    snprintf(fx.cfg.data_dir, sizeof fx.cfg.data_dir, "%s/data", fx.dir);
    snprintf(fx.cfg.keys_dir, sizeof fx.cfg.keys_dir, "%s/keys", fx.dir);
    if ((fx.store = store_open(fx.cfg.data_dir, "", &e)) == NULL || (fx.metrics = metrics_new(route_names, 1)) == NULL ||
        (fx.svc = services_start(&fx.cfg, fx.store, fx.metrics, &e)) == NULL ||
        (fx.renderer = pdf_renderer_open(share_dir(), &e)) == NULL || (fx.signer = signer_load(fx.cfg.keys_dir, &e)) == NULL ||
        exec_sql(KEYS) != 0) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    signer_free(fx.signer);
    pdf_renderer_close(fx.renderer);
    services_stop(fx.svc);
    store_close(fx.store);
    metrics_free(fx.metrics);
    return scratch_dir_remove(fx.dir);
}

/* Inserts an application of key_id; writes its id into id (32 bytes). */
static void make_application(long long key_id, char id[32])
{
    char sql[512];
    snprintf(id, 32, "APP%04d", ++fx.applications);
    snprintf(sql, sizeof sql,
             "INSERT INTO applications(id, api_key_id, request_sha256, subscriber_type, subscriber_code, applicant_fin,"
             " applicant_name, birth_date, mobile, status, submitted_at) VALUES ('%s', %lld, '%s', 'residential',"
             " '1234567890', '5ABC7D9', 'Əliyev Əli', '1985-04-12', '+994501234567', 'debt_checked', 0)",
             id, key_id, id);
    assert_int_equal(exec_sql(sql), 0);
}

static int write_reserve(db *d, void *ctx, err *e)
{
    return certificates_reserve(d, ctx, time(NULL) + 60, e);
}

typedef struct stored_pdf {
    const char *number;
    const buf *pdf;
    const char *sha256;
} stored_pdf;

static int write_pdf(db *d, void *ctx, err *e)
{
    const stored_pdf *s = ctx;
    return certificates_mark_stored(d, s->number, s->sha256, SIGNATURE_B_B, e) == 0 &&
                   certificates_put_document(d, s->number, s->pdf->data, s->pdf->len, e) == 0
               ? 0
               : -1;
}

/* Numbers a certificate of key_id's new application valid from issued_at to valid_until and, unless pending_only,
   renders, signs and stores its document (appended to pdf when pdf is not NULL). Fills c as numbered. */
static void make_certificate(long long key_id, time_t issued_at, time_t valid_until, int pending_only,
                             certificate_row *c, buf *pdf)
{
    static const char codes[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    err e = {0};
    memset(c, 0, sizeof *c);
    make_application(key_id, c->application_id);
    for (int i = 0; i < 16; i++)
        c->code[i] = codes[(fx.applications * 7 + i * 3) % 32];
    c->issued_at = issued_at;
    c->valid_until = valid_until;
    snprintf(c->subscriber_code, sizeof c->subscriber_code, "1234567890");
    snprintf(c->holder, sizeof c->holder, "Əliyev Əli Vəli oğlu");
    c->debt_as_of = issued_at;
    assert_int_equal(store_write(fx.store, write_reserve, c, &e), 0);
    if (pending_only)
        return;
    buf doc = BUF_INIT;
    cert_doc spec = {.number = c->number, .verification_code = c->code, .issued_at = c->issued_at,
                     .valid_until = c->valid_until, .subscriber_code = c->subscriber_code, .holder_name = c->holder,
                     .debt_as_of = c->debt_as_of, .verify_url = "https://arayis.example/v",
                     .public_base_url = "https://arayis.example"};
    assert_int_equal(pdf_render_certificate(fx.renderer, fx.signer, &spec, &doc, &e), 0);
    char sha[SHA256_HEX_LEN + 1];
    hash_sha256_hex(doc.data, doc.len, sha);
    stored_pdf s = {c->number, &doc, sha};
    assert_int_equal(store_write(fx.store, write_pdf, &s, &e), 0);
    if (pdf != NULL)
        assert_int_equal(buf_append(pdf, doc.data, doc.len), 0);
    buf_free(&doc);
}

static void make_issued(certificate_row *c, buf *pdf)
{
    time_t now = time(NULL);
    make_certificate(PORTAL_KEY, now, now + 30 * DAY, 0, c, pdf);
}

static long long audit_entries(const char *number)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit_log WHERE action = 'certificate.revoke' AND target = '%s'",
             number);
    return count_rows(sql);
}

static long long revoked_events(const char *application_id)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM application_events WHERE status = 'revoked' AND application_id = '%s'",
             application_id);
    return count_rows(sql);
}

/* --- the verdict --------------------------------------------------------------------------------------------- */

static void test_verdict_of_an_issued_certificate(void **state)
{
    (void)state;
    certificate_row c = {.state = CERTIFICATE_ISSUED, .valid_until = 1000};
    assert_int_equal(certificate_verdict(&c, 999), CERTIFICATE_VALID);
    assert_int_equal(certificate_verdict(&c, 1000), CERTIFICATE_EXPIRED);
    c.revoked_at = 500;
    assert_int_equal(certificate_verdict(&c, 999), CERTIFICATE_REVOKED);
    assert_int_equal(certificate_verdict(&c, 2000), CERTIFICATE_REVOKED);
    assert_string_equal(certificate_status_name(CERTIFICATE_VALID), "valid");
    assert_string_equal(certificate_status_name(CERTIFICATE_EXPIRED), "expired");
    assert_string_equal(certificate_status_name(CERTIFICATE_REVOKED), "revoked");
}

static void test_store_reads_the_state(void **state)
{
    (void)state;
    certificate_row pending, issued, read;
    err e = {0};
    time_t now = time(NULL);
    make_certificate(PORTAL_KEY, now, now + DAY, 1, &pending, NULL);
    make_issued(&issued, NULL);
    db *d = store_db(fx.store, &e);
    assert_int_equal(certificates_find(d, pending.number, &read, &e), 1);
    assert_int_equal(read.state, CERTIFICATE_PENDING);
    assert_int_equal(certificates_find(d, issued.number, &read, &e), 1);
    assert_int_equal(read.state, CERTIFICATE_ISSUED);
    assert_int_equal(certificates_void(d, pending.number, now, "render failed", &e), 1);
    assert_int_equal(certificates_find(d, pending.number, &read, &e), 1);
    assert_int_equal(read.state, CERTIFICATE_VOID);
}

/* --- revocation ---------------------------------------------------------------------------------------------- */

static void test_revoke_found_then_again(void **state)
{
    (void)state;
    certificate_row c, after;
    err e = {0};
    make_issued(&c, NULL);
    assert_int_equal(certificate_revoke(fx.svc, c.number, "Səhv məlumat", REVOCATION_UNSPECIFIED, "ops", &after, &e), 1);
    assert_string_equal(after.number, c.number);
    assert_int_not_equal(after.revoked_at, 0);
    assert_string_equal(after.revocation_reason, "Səhv məlumat");
    assert_string_equal(after.revoked_by, "ops");
    assert_int_equal(certificate_verdict(&after, time(NULL)), CERTIFICATE_REVOKED);
    time_t first = after.revoked_at;
    /* again: found, nothing changes, nothing more is recorded */
    assert_int_equal(certificate_revoke(fx.svc, c.number, "başqa səbəb", REVOCATION_UNSPECIFIED, "root", &after, &e), 1);
    assert_int_equal(after.revoked_at, first);
    assert_string_equal(after.revocation_reason, "Səhv məlumat");
    assert_string_equal(after.revoked_by, "ops");
    assert_int_equal(audit_entries(c.number), 1);
    assert_int_equal(revoked_events(c.application_id), 1);
}

static void test_revoke_unknown_or_not_issued(void **state)
{
    (void)state;
    certificate_row c, after;
    err e = {0};
    time_t now = time(NULL);
    assert_int_equal(certificate_revoke(fx.svc, "AZI-2026-999999", "x", REVOCATION_UNSPECIFIED, "ops", &after, &e), 0);
    make_certificate(PORTAL_KEY, now, now + DAY, 1, &c, NULL);
    assert_int_equal(certificate_revoke(fx.svc, c.number, "x", REVOCATION_UNSPECIFIED, "ops", &after, &e), 0);
    assert_int_equal(audit_entries(c.number), 0);
}

#define REVOKERS 6

typedef struct revoker {
    const char *number;
    char actor[16];
    certificate_row c;
    int rc;
    err e;
} revoker;

static void *revoke_thread(void *arg)
{
    revoker *r = arg;
    r->rc = certificate_revoke(fx.svc, r->number, "eyni anda", REVOCATION_UNSPECIFIED, r->actor, &r->c, &r->e);
    return NULL;
}

static void test_concurrent_revokes_record_once(void **state)
{
    (void)state;
    certificate_row c;
    make_issued(&c, NULL);
    revoker r[REVOKERS];
    pthread_t threads[REVOKERS];
    for (int i = 0; i < REVOKERS; i++) {
        r[i] = (revoker){.number = c.number};
        snprintf(r[i].actor, sizeof r[i].actor, "admin%d", i);
        assert_int_equal(pthread_create(&threads[i], NULL, revoke_thread, &r[i]), 0);
    }
    for (int i = 0; i < REVOKERS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < REVOKERS; i++) {
        assert_int_equal(r[i].rc, 1);
        /* every caller sees the one revocation that was stored */
        assert_int_equal(r[i].c.revoked_at, r[0].c.revoked_at);
        assert_string_equal(r[i].c.revoked_by, r[0].c.revoked_by);
    }
    assert_int_equal(audit_entries(c.number), 1);
    assert_int_equal(revoked_events(c.application_id), 1);
}

/* --- billing updates ----------------------------------------------------------------------------------------- */

static billing_record record(const char *code, int64_t qepik, time_t as_of)
{
    billing_record r = {.debt_qepik = qepik, .as_of = as_of, .holder_name = "Məmmədova Gülşən", .address = NULL};
    snprintf(r.subscriber_code, sizeof r.subscriber_code, "%s", code);
    snprintf(r.owner_fin, sizeof r.owner_fin, "5ABC7D9");
    return r;
}

static int64_t stored_debt(const char *code)
{
    err e = {0};
    billing_record r;
    assert_int_equal(subscribers_find(store_db(fx.store, &e), code, &r, &e), 1);
    int64_t debt = r.debt_qepik;
    billing_record_free(&r);
    return debt;
}

static void test_billing_created_updated_stale(void **state)
{
    (void)state;
    subscriber_write result;
    err e = {0};
    billing_record r = record("700000001", 12345, 1000);
    assert_int_equal(billing_update(fx.svc, &r, &result, &e), 0);
    assert_int_equal(result, SUBSCRIBER_CREATED);
    assert_int_equal(stored_debt("700000001"), 12345);
    r = record("700000001", 0, 2000);
    assert_int_equal(billing_update(fx.svc, &r, &result, &e), 0);
    assert_int_equal(result, SUBSCRIBER_UPDATED);
    assert_int_equal(stored_debt("700000001"), 0);
    r = record("700000001", 999, 1500); /* older than the stored record */
    assert_int_equal(billing_update(fx.svc, &r, &result, &e), 0);
    assert_int_equal(result, SUBSCRIBER_STALE);
    assert_int_equal(stored_debt("700000001"), 0);
    assert_string_equal(subscriber_write_name(SUBSCRIBER_STALE), "unchanged_stale");
}

static void test_billing_failed_write_stores_nothing(void **state)
{
    (void)state;
    subscriber_write result;
    err e = {0};
    billing_record r = record("700000002", -1, 1000); /* the table refuses a negative debt */
    assert_int_equal(billing_update(fx.svc, &r, &result, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_int_equal(count_rows("SELECT count(*) FROM subscribers WHERE code = '700000002'"), 0);
    /* the write path is not harmed */
    r = record("700000002", 5, 1000);
    assert_int_equal(billing_update(fx.svc, &r, &result, &e), 0);
    assert_int_equal(result, SUBSCRIBER_CREATED);
}

/* --- the code check ------------------------------------------------------------------------------------------ */

static void test_code_check(void **state)
{
    (void)state;
    certificate_row c, found;
    certificate_status status;
    err e = {0};
    make_issued(&c, NULL);
    assert_int_equal(verification_by_code(fx.svc, c.number, c.code, &found, &status, &e), 1);
    assert_string_equal(found.number, c.number);
    assert_int_equal(status, CERTIFICATE_VALID);
    /* as a person types it: grouped, lower case */
    char typed[24];
    snprintf(typed, sizeof typed, "%.4s-%.4s-%.4s-%.4s", c.code, c.code + 4, c.code + 8, c.code + 12);
    for (char *p = typed; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    assert_int_equal(verification_by_code(fx.svc, c.number, typed, &found, NULL, &e), 1);
    char wrong[17];
    memcpy(wrong, c.code, sizeof wrong);
    wrong[5] = wrong[5] == '1' ? '2' : '1';
    assert_int_equal(verification_by_code(fx.svc, c.number, wrong, &found, &status, &e), 0);
    assert_int_equal(verification_by_code(fx.svc, "AZI-2026-999999", c.code, &found, &status, &e), 0);
    assert_int_equal(verification_by_code(fx.svc, c.number, "not-a-code!", &found, &status, &e), 0);
    assert_int_equal(verification_by_code(fx.svc, c.number, NULL, &found, &status, &e), 0);
}

static void test_code_check_status(void **state)
{
    (void)state;
    certificate_row expired, revoked, found;
    certificate_status status;
    err e = {0};
    time_t now = time(NULL);
    make_certificate(PORTAL_KEY, now - 40 * DAY, now - 10 * DAY, 0, &expired, NULL);
    assert_int_equal(verification_by_code(fx.svc, expired.number, expired.code, &found, &status, &e), 1);
    assert_int_equal(status, CERTIFICATE_EXPIRED);
    make_issued(&revoked, NULL);
    assert_int_equal(certificate_revoke(fx.svc, revoked.number, "ləğv", REVOCATION_UNSPECIFIED, "ops", &found, &e), 1);
    assert_int_equal(verification_by_code(fx.svc, revoked.number, revoked.code, &found, &status, &e), 1);
    assert_int_equal(status, CERTIFICATE_REVOKED);
}

static void test_document_for_the_holder_of_the_code(void **state)
{
    (void)state;
    certificate_row c, found;
    buf issued = BUF_INIT, pdf = BUF_INIT;
    err e = {0};
    make_issued(&c, &issued);
    assert_int_equal(certificate_document(fx.svc, c.number, c.code, &found, &pdf, &e), 1);
    assert_int_equal(pdf.len, issued.len);
    assert_memory_equal(pdf.data, issued.data, issued.len);
    buf_free(&pdf);
    assert_int_equal(certificate_document(fx.svc, c.number, "0000000000000000", &found, &pdf, &e), 0);
    assert_int_equal(pdf.len, 0);
    buf_free(&issued);
}

/* --- the PDF check ------------------------------------------------------------------------------------------- */

static void test_pdf_check_of_an_issued_then_tampered_file(void **state)
{
    (void)state;
    certificate_row c;
    buf pdf = BUF_INIT;
    pdf_verification v;
    err e = {0};
    make_issued(&c, &pdf);
    assert_int_equal(verification_of_pdf(fx.svc, pdf.data, pdf.len, &v, &e), 0);
    assert_true(v.readable);
    assert_true(v.signature_valid);
    assert_true(v.registered);
    assert_true(v.genuine);
    assert_int_equal(v.status, CERTIFICATE_VALID);
    assert_string_equal(v.cert.number, c.number);
    assert_non_null(strstr(v.signed_by, "CN="));
    /* a byte of the signed content, before the signature dictionary */
    pdf.data[pdf.len / 4] ^= 0x01;
    assert_int_equal(verification_of_pdf(fx.svc, pdf.data, pdf.len, &v, &e), 0);
    assert_true(v.readable);
    assert_false(v.signature_valid);
    assert_false(v.registered);
    assert_false(v.genuine);
    assert_int_equal(verification_of_pdf(fx.svc, (const unsigned char *)"not a pdf", 9, &v, &e), 0);
    assert_false(v.readable);
    assert_false(v.genuine);
    buf_free(&pdf);
}

/* --- who may see a certificate ------------------------------------------------------------------------------- */

static void test_details_for_its_portal_and_admins_only(void **state)
{
    (void)state;
    certificate_row c, found, pending;
    err e = {0};
    time_t now = time(NULL);
    apikey_row own = {.id = PORTAL_KEY, .role = ROLE_PORTAL}, other = {.id = OTHER_PORTAL_KEY, .role = ROLE_PORTAL},
               admin = {.id = 3, .role = ROLE_ADMIN};
    make_issued(&c, NULL);
    assert_int_equal(certificate_details(fx.svc, c.number, &own, &found, &e), 1);
    assert_string_equal(found.number, c.number);
    assert_int_equal(certificate_details(fx.svc, c.number, &admin, &found, &e), 1);
    assert_int_equal(certificate_details(fx.svc, c.number, &other, &found, &e), 0);
    assert_int_equal(certificate_details(fx.svc, "AZI-2026-999999", &admin, &found, &e), 0);
    make_certificate(PORTAL_KEY, now, now + DAY, 1, &pending, NULL);
    assert_int_equal(certificate_details(fx.svc, pending.number, &admin, &found, &e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdict_of_an_issued_certificate),
        cmocka_unit_test(test_store_reads_the_state),
        cmocka_unit_test(test_revoke_found_then_again),
        cmocka_unit_test(test_revoke_unknown_or_not_issued),
        cmocka_unit_test(test_concurrent_revokes_record_once),
        cmocka_unit_test(test_billing_created_updated_stale),
        cmocka_unit_test(test_billing_failed_write_stores_nothing),
        cmocka_unit_test(test_code_check),
        cmocka_unit_test(test_code_check_status),
        cmocka_unit_test(test_document_for_the_holder_of_the_code),
        cmocka_unit_test(test_pdf_check_of_an_issued_then_tampered_file),
        cmocka_unit_test(test_details_for_its_portal_and_admins_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
