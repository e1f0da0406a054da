/* Unit tests of schema migrations on real SQLite files: a database of every earlier version opens at the current
   one with its data intact, and a database newer than the build is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_sqlite.h"
#include "store/applications.h"
#include "store/certificates.h"
#include "scratch_dir.h"
#include "store/store.h"
#include "store/schema.h"
#include "store/tlog.h"

typedef struct fixture {
    char dir[SCRATCH_DIR_LEN];
    char path[96];
} fixture;

/* One issued and one pending certificate, written with the statements of schema version 1. */
static const char V1_DATA[] =
    "INSERT INTO api_keys(id, name, role, key_hash, created_at) VALUES (1, 'portal', 'portal', 'h', 0);"
    "INSERT INTO applications(id, api_key_id, request_sha256, subscriber_type, subscriber_code, applicant_fin,"
    " applicant_name, birth_date, mobile, status, submitted_at) VALUES"
    " ('A1', 1, 'r1', 'residential', '1234567890', '5ABC7D9', 'Ad Soyad', '1985-04-12', '+994501234567', 'issued', 0),"
    " ('A2', 1, 'r2', 'residential', '1234567890', '5ABC7D9', 'Ad Soyad', '1985-04-12', '+994501234567', 'debt_checked', 0);"
    "INSERT INTO certificates(number, application_id, code, issued_at, valid_until, subscriber_type, subscriber_code,"
    " holder, debt_qepik, debt_as_of, sha256, pdf) VALUES"
    " ('AZI-2026-000001', 'A1', 'C1', 0, 1, 'residential', '1234567890', 'Ad Soyad', 0, 0, 'sha-1', X'255044462D312E37'),"
    " ('AZI-2026-000002', 'A2', 'C2', 0, 1, 'residential', '1234567890', 'Ad Soyad', 0, 0, '', NULL);";

/* Version 2: an issued certificate, one pending, their applications with history and an SMS that point at them. */
static const char V2_DATA[] =
    "INSERT INTO api_keys(id, name, role, key_hash, created_at) VALUES (1, 'portal', 'portal', 'h', 0);"
    "INSERT INTO applications(id, api_key_id, portal_reference, request_sha256, subscriber_type, subscriber_code,"
    " applicant_fin, applicant_name, birth_date, mobile, status, debt_qepik, debt_as_of, submitted_at) VALUES"
    " ('A1', 1, 'REF-1', 'r1', 'residential', '1234567890', '5ABC7D9', 'Ad Soyad', '1985-04-12', '+994501234567',"
    "  'issued', 0, 5, 7),"
    " ('A2', 1, 'REF-2', 'r2', 'residential', '1234567890', '5ABC7D9', 'Ad Soyad', '1985-04-12', '+994501234567',"
    "  'debt_checked', 123456, 5, 8);"
    "INSERT INTO application_events(application_id, status, at) VALUES ('A1', 'received', 7), ('A2', 'received', 8);"
    "INSERT INTO sms_outbox(reference, application_id, recipient, body, status, next_attempt_at, created_at) VALUES"
    " ('AZI-2026-000001', 'A1', '+994501234567', 'text', 'pending', 0, 0);"
    "INSERT INTO certificates(number, application_id, code, issued_at, valid_until, subscriber_type, subscriber_code,"
    " holder, debt_qepik, debt_as_of, sha256) VALUES"
    " ('AZI-2026-000001', 'A1', 'C1', 0, 1, 'residential', '1234567890', 'Ad Soyad', 0, 0, 'sha-1'),"
    " ('AZI-2026-000002', 'A2', 'C2', 0, 1, 'residential', '1234567890', 'Ad Soyad', 0, 0, '');"
    "INSERT INTO certificate_documents(number, pdf) VALUES ('AZI-2026-000001', X'255044462D312E37');";

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    if (scratch_dir_make(f->dir, "mig") != 0)
        return -1;
    snprintf(f->path, sizeof f->path, "%s/arayis.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    int rc = scratch_dir_remove(f->dir);
    free(f);
    return rc;
}

/* Writes a database at schema version `version` (the first `version` migrations), then runs extra_sql. */
static void write_database(const fixture *f, size_t version, const char *extra_sql)
{
    size_t count;
    const char *const *scripts = schema_migrations(&count);
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
    for (size_t v = 0; v < version && v < count; v++)
        assert_int_equal(sqlite3_exec(h, scripts[v], NULL, NULL, NULL), SQLITE_OK);
    char bump[48];
    snprintf(bump, sizeof bump, "PRAGMA user_version=%zu;", version);
    assert_int_equal(sqlite3_exec(h, bump, NULL, NULL, NULL), SQLITE_OK);
    if (extra_sql)
        assert_int_equal(sqlite3_exec(h, extra_sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
}

static int user_version(store *s)
{
    err e = {0};
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db_sqlite_handle(store_db(s, &e)), "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_version_1_keeps_its_certificates(void **state)
{
    fixture *f = *state;
    write_database(f, 1, V1_DATA);
    err e = {0};
    store *s = store_open(f->dir, "", &e);
    assert_non_null(s);
    assert_int_equal(user_version(s), store_schema_version(&db_engine_sqlite));
    db *d = store_db(s, &e);
    buf pdf = BUF_INIT;
    assert_int_equal(certificates_read_pdf(d, "AZI-2026-000001", &pdf, &e), 1);
    assert_int_equal(pdf.len, 8);
    assert_memory_equal(pdf.data, "%PDF-1.7", 8);
    buf_free(&pdf);
    assert_int_equal(certificates_read_pdf(d, "AZI-2026-000002", &pdf, &e), 0);
    certificate_row c;
    assert_int_equal(certificates_find(d, "AZI-2026-000001", &c, &e), 1);
    assert_string_equal(c.sha256, "sha-1");
    certificate_row by_hash;
    assert_int_equal(certificates_find_by_sha256(d, "sha-1", &by_hash, &e), 1);
    assert_string_equal(by_hash.number, "AZI-2026-000001");
    assert_int_equal(certificates_mark_stored(d, "AZI-2026-000002", "sha-2", SIGNATURE_B_B, &e), 0);
    assert_int_equal(certificates_put_document(d, "AZI-2026-000002", (const unsigned char *)"%PDF-2", 6, &e), 0);
    assert_int_equal(certificates_read_pdf(d, "AZI-2026-000002", &pdf, &e), 1);
    assert_int_equal(pdf.len, 6);
    buf_free(&pdf);
    store_close(s);
}

static void count_number(const char *number, const char *application_id, void *ctx)
{
    (void)number, (void)application_id;
    (*(int *)ctx)++;
}

static void count_void(const certificate_void *v, void *ctx)
{
    assert_string_equal(v->number, "AZI-2026-000002");
    assert_string_equal(v->application_id, "A2");
    assert_string_equal(v->reason, "the certificate font has no glyph for U+0416");
    assert_int_equal(v->voided_at, 99);
    (*(int *)ctx)++;
}

static void test_version_2_gains_void_certificates_and_failed_applications(void **state)
{
    fixture *f = *state;
    write_database(f, 2, V2_DATA);
    err e = {0};
    store *s = store_open(f->dir, "", &e);
    assert_non_null(s);
    assert_int_equal(user_version(s), store_schema_version(&db_engine_sqlite));
    db *d = store_db(s, &e);

    /* the rebuilt applications table kept every column, and what refers to it still does */
    application_row row;
    assert_int_equal(applications_find_by_reference(d, 1, "REF-2", &row, &e), 1);
    assert_string_equal(row.id, "A2");
    assert_int_equal(row.status, APPLICATION_DEBT_CHECKED);
    assert_int_equal(row.debt_qepik, 123456);
    assert_int_equal(row.submitted_at, 8);
    char mobile[16];
    assert_int_equal(applications_mobile(d, "A1", mobile, sizeof mobile, &e), 1);
    assert_string_equal(mobile, "+994501234567");
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db_sqlite_handle(d), "PRAGMA foreign_key_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(application_events_append(d, "NO-SUCH", "received", 1, NULL, &e), -1); /* keys still enforced */

    /* the pending certificate can be voided and its application failed; the issued one cannot be voided */
    int pending = 0, voids = 0;
    assert_int_equal(certificates_each_pending(d, time(NULL) + 1, time(NULL), count_number, &pending, &e), 0);
    assert_int_equal(pending, 1);
    assert_int_equal(certificates_void(d, "AZI-2026-000001", 99, "no", &e), 0);
    assert_int_equal(certificates_void(d, "AZI-2026-000002", 99, "the certificate font has no glyph for U+0416", &e), 1);
    assert_int_equal(certificates_void(d, "AZI-2026-000002", 100, "again", &e), 0);
    row.status = APPLICATION_FAILED;
    assert_int_equal(applications_update(d, &row, &e), 0);
    assert_int_equal(applications_find(d, "A2", &row, &e), 1);
    assert_int_equal(row.status, APPLICATION_FAILED);
    pending = 0;
    assert_int_equal(certificates_each_pending(d, time(NULL) + 1, time(NULL), count_number, &pending, &e), 0);
    assert_int_equal(pending, 0);
    assert_int_equal(certificates_each_void(d, count_void, &voids, &e), 0);
    assert_int_equal(voids, 1);
    certificate_row c;
    assert_int_equal(certificates_find(d, "AZI-2026-000002", &c, &e), 1);
    assert_int_equal(c.voided_at, 99);
    assert_string_equal(c.sha256, "");
    assert_int_equal(certificates_mark_stored(d, "AZI-2026-000002", "sha-2", SIGNATURE_B_B, &e), -1);
    store_close(s);
}

/* Version 5: a B-T certificate keeps its level; B-LT can be recorded from version 6 on, and nothing else. */
static void test_version_5_keeps_levels_and_takes_b_lt(void **state)
{
    fixture *f = *state;
    char sql[sizeof V2_DATA + 96];
    snprintf(sql, sizeof sql, "%sUPDATE certificates SET signature_level = 'B-T' WHERE number = 'AZI-2026-000001';",
             V2_DATA);
    write_database(f, 5, sql);
    err e = {0};
    store *s = store_open(f->dir, "", &e);
    assert_non_null(s);
    db *d = store_db(s, &e);
    certificate_row c;
    assert_int_equal(certificates_find(d, "AZI-2026-000001", &c, &e), 1);
    assert_int_equal(c.level, SIGNATURE_B_T);
    assert_int_equal(db_exec_sql(d, "UPDATE certificates SET signature_level = 'B-LT' WHERE number = 'AZI-2026-000002'", &e), 0);
    assert_int_equal(certificates_find(d, "AZI-2026-000002", &c, &e), 1);
    assert_int_equal(c.level, SIGNATURE_B_LT);
    assert_int_not_equal(sqlite3_exec(db_sqlite_handle(d), "UPDATE certificates SET signature_level = 'B-X'", NULL, NULL, NULL),
                         SQLITE_OK);
    store_close(s);
}

/* Version 8 numbered a subtree by its index (id = index << 6 | level); each subtree of a tree of 8 leaves gets a hash
   made of its level and index. */
static void test_version_8_subtrees_keep_their_hashes(void **state)
{
    fixture *f = *state;
    char sql[2048] = "";
    for (unsigned level = 1; level <= 3; level++)
        for (unsigned index = 0; index < 8u >> level; index++) {
            size_t used = strlen(sql);
            snprintf(sql + used, sizeof sql - used,
                     "INSERT INTO tlog_subtrees(id, hash) VALUES (%u, zeroblob(30) || x'%02x%02x');", index << 6 | level,
                     level, index);
        }
    write_database(f, 8, sql);
    err e = {0};
    store *s = store_open(f->dir, "", &e);
    assert_non_null(s);
    db *d = store_db(s, &e);
    long long count = 0;
    assert_int_equal(tlog_store_subtree_count(d, &count, &e), 0);
    assert_int_equal(count, 4 + 2 + 1);
    for (unsigned level = 1; level <= 3; level++)
        for (unsigned index = 0; index < 8u >> level; index++) {
            unsigned char hash[32];
            assert_int_equal(tlog_store_subtree(d, level, index, hash, &e), 1);
            assert_int_equal(hash[30], level);
            assert_int_equal(hash[31], index);
        }
    store_close(s);
}

static void test_every_version_opens_at_the_current_one(void **state)
{
    fixture *f = *state;
    for (int version = 0; version <= store_schema_version(&db_engine_sqlite); version++) {
        remove(f->path);
        write_database(f, (size_t)version, NULL);
        err e = {0};
        store *s = store_open(f->dir, "", &e);
        assert_non_null(s);
        assert_int_equal(user_version(s), store_schema_version(&db_engine_sqlite));
        store_close(s);
    }
}

static void test_newer_database_is_refused(void **state)
{
    fixture *f = *state;
    write_database(f, 0, "PRAGMA user_version=999;");
    err e = {0};
    assert_null(store_open(f->dir, "", &e));
    assert_int_equal(e.code, ERR_VERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_version_1_keeps_its_certificates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_2_gains_void_certificates_and_failed_applications, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_5_keeps_levels_and_takes_b_lt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_8_subtrees_keep_their_hashes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_version_opens_at_the_current_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_database_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
