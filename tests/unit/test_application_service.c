/* Unit tests of the applications and access use cases on a real SQLite file, with the real renderer and development
   keys in a scratch directory: submission issued, replayed, in conflict, rejected (not found, mismatch) and voided;
   reading back with the ownership rule; finding API keys by their clear text; the health check; the name tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/metrics.h"
#include "crypto/apikey_secret.h"
#include "model/application_record.h"
#include "scratch_dir.h"
#include "service/access.h"
#include "service/applications.h"
#include "service/health.h"
#include "service/resumer.h"
#include "service/services.h"
#include "store/apikeys.h"
#include "store/certificates.h"
#include "store/store.h"
#include "store/subscribers.h"

#define FIN "5ABC7D9"
#define AS_OF "2026-11-25T09:00:00Z"
#define CODE_NO_DEBT "1234567890"
#define CODE_DEBT "1234567891"
#define CODE_UNPRINTABLE "1234567892"
#define CODE_UNKNOWN "9999999999"

typedef struct portal_key {
    char token[APIKEY_TEXT_LEN + 1];
    long long id;
} portal_key;

typedef struct fixture {
    char dir[SCRATCH_DIR_LEN];
    config cfg;
    store *store;
    metrics *metrics;
    services *svc;
    portal_key egov, other;
} fixture;

typedef struct key_write {
    const char *name;
    const char *hash;
} key_write;

static int write_key(db *d, void *ctx, err *e)
{
    const key_write *w = ctx;
    return apikeys_insert(d, w->name, ROLE_PORTAL, w->hash, time(NULL), e);
}

/* Makes a portal key named name; fills its clear text and id. */
static int make_key(fixture *f, const char *name, portal_key *key)
{
    char hash[SHA256_HEX_LEN + 1];
    err e = {0};
    key_write w = {name, hash};
    if (apikey_generate(key->token, hash) != 0 || store_write(f->store, write_key, &w, &e) != 0)
        return -1;
    apikey_row row;
    if (access_find_key(f->svc, key->token, &row, &e) != 1)
        return -1;
    key->id = row.id;
    return 0;
}

static int write_subscriber(db *d, void *ctx, err *e)
{
    subscriber_write result;
    return subscribers_put(d, ctx, time(NULL), &result, e);
}

/* Stores a valid residential billing record of FIN with debt (e.g. "12.34"). */
static int put_subscriber(fixture *f, const char *code, const char *debt)
{
    billing_input in = {.subscriber_code = code, .subscriber_type = "residential", .owner_fin = FIN,
                        .holder_name = "Məmmədov Əli Şükür oğlu", .address = "Bakı şəhəri", .debt_amount = debt,
                        .as_of = AS_OF};
    field_errors errs = {0};
    billing_record rec;
    err e = {0};
    if (billing_validate(&in, &rec, time(NULL), &errs) != 0)
        return -1;
    int rc = store_write(f->store, write_subscriber, &rec, &e);
    billing_record_free(&rec);
    return rc;
}

static int write_sql(db *d, void *ctx, err *e)
{
    return db_exec_sql(d, ctx, e);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    err e = {0};
    static const char *const routes[] = {"/"};
    if (f == NULL || scratch_dir_make(f->dir, "appsvc") != 0)
        return -1;
    config_defaults(&f->cfg);
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s/data", f->dir);
    snprintf(f->cfg.keys_dir, sizeof f->cfg.keys_dir, "%s/keys", f->dir);
    snprintf(f->cfg.public_base_url, sizeof f->cfg.public_base_url, "https://arayis.example.az");
    f->cfg.transparency_log = 0; /* make_interrupted takes issued certificates back, which an append-only log cannot */
    if ((f->store = store_open(f->cfg.data_dir, "", &e)) == NULL || (f->metrics = metrics_new(routes, 1)) == NULL ||
        (f->svc = services_start(&f->cfg, f->store, f->metrics, &e)) == NULL) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    /* a holder name in Cyrillic, which no certificate font has, written around the validation */
    if (make_key(f, "egov", &f->egov) != 0 || make_key(f, "other", &f->other) != 0 ||
        put_subscriber(f, CODE_NO_DEBT, "0.00") != 0 || put_subscriber(f, CODE_DEBT, "1234.56") != 0 ||
        store_write(f->store, write_sql,
                    "INSERT INTO subscribers(code, subscriber_type, owner_fin, holder_name, debt_qepik, as_of,"
                    " updated_at) VALUES ('" CODE_UNPRINTABLE "', 'residential', '" FIN "', 'Жуков Иван', 0,"
                    " 1764061200, 1764061200)", &e) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    services_stop(f->svc);
    store_close(f->store);
    metrics_free(f->metrics);
    int rc = scratch_dir_remove(f->dir);
    free(f);
    return rc;
}

/* A validated residential application for code by the applicant with fin; reference may be NULL. */
static application make_application(const char *code, const char *fin, const char *reference)
{
    application_input in = {.portal_reference = reference, .subscriber_type = "residential",
                            .subscriber_code = code, .fin = fin, .last_name = "Məmmədov", .first_name = "Əli",
                            .birth_date = "1985-04-12", .mobile = "050 123 45 67"};
    field_errors errs = {0};
    application a;
    assert_int_equal(application_validate(&in, time(NULL), &a, &errs), 0);
    return a;
}

/* Submits an application for code with the egov key; returns the outcome and fills details. */
static submit_outcome submit(fixture *f, const char *code, const char *fin, const char *reference, const char *sha,
                             application_details *details)
{
    application a = make_application(code, fin, reference);
    submit_outcome outcome;
    err e = {0};
    assert_int_equal(application_submit(f->svc, f->egov.id, &a, sha, &outcome, details, &e), 0);
    application_free(&a);
    return outcome;
}

static void assert_history(const application_details *d, const char *const *statuses)
{
    size_t n = 0;
    while (statuses[n] != NULL)
        n++;
    assert_int_equal(d->history.count, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(d->history.items[i].status, statuses[i]);
}

static void test_submit_issues_a_certificate(void **state)
{
    fixture *f = *state;
    application_details d = {0};
    assert_int_equal(submit(f, CODE_DEBT, FIN, "REF-ISSUED", "sha-issued", &d), SUBMIT_ISSUED);
    assert_int_equal(d.application.status, APPLICATION_ISSUED);
    assert_int_equal(d.application.rejection, REJECTION_NONE);
    assert_int_equal(d.application.api_key_id, f->egov.id);
    assert_string_equal(d.application.portal_reference, "REF-ISSUED");
    assert_int_equal(d.application.has_debt, 1);
    assert_int_equal(d.application.debt_qepik, 123456);
    assert_int_equal(d.has_certificate, 1);
    assert_string_equal(d.certificate.application_id, d.application.id);
    assert_int_equal(strlen(d.certificate.sha256), 64);
    assert_history(&d, (const char *const[]){"received", "debt_checked", "issued", NULL});
    application_details_free(&d);
}

/* Submits one application under reference twice, the request bodies fingerprinted sha_first and sha_again; the first
   must be issued. Returns the outcome of the second. */
static submit_outcome submit_twice(fixture *f, const char *reference, const char *sha_first, const char *sha_again,
                                   application_details *first, application_details *again)
{
    assert_int_equal(submit(f, CODE_NO_DEBT, FIN, reference, sha_first, first), SUBMIT_ISSUED);
    return submit(f, CODE_NO_DEBT, FIN, reference, sha_again, again);
}

static void test_same_body_again_is_a_replay(void **state)
{
    application_details first = {0}, again = {0};
    assert_int_equal(submit_twice(*state, "REF-REPLAY", "sha-replay", "sha-replay", &first, &again), SUBMIT_REPLAYED);
    assert_string_equal(again.application.id, first.application.id);
    assert_int_equal(again.application.status, APPLICATION_ISSUED);
    assert_string_equal(again.certificate.number, first.certificate.number);
    application_details_free(&first);
    application_details_free(&again);
}

static void test_same_reference_other_body_is_a_conflict(void **state)
{
    application_details first = {0}, again = {0};
    assert_int_equal(submit_twice(*state, "REF-CONFLICT", "sha-one", "sha-two", &first, &again), SUBMIT_CONFLICT);
    assert_string_equal(again.application.id, "");
    assert_int_equal(again.history.count, 0);
    application_details_free(&first);
    application_details_free(&again);
}

/* Submits an application that must be rejected with outcome for why; checks what was recorded. */
static void assert_rejected(fixture *f, const char *code, const char *fin, const char *sha, submit_outcome outcome,
                            application_rejection why)
{
    application_details d = {0};
    assert_int_equal(submit(f, code, fin, NULL, sha, &d), outcome);
    assert_int_equal(d.application.status, APPLICATION_REJECTED);
    assert_int_equal(d.application.rejection, why);
    assert_int_equal(d.has_certificate, 0);
    assert_history(&d, (const char *const[]){"received", "rejected", NULL});
    application_details_free(&d);
}

static void test_unknown_subscriber_is_rejected(void **state)
{
    assert_rejected(*state, CODE_UNKNOWN, FIN, "sha-unknown", SUBMIT_NOT_FOUND, REJECTION_SUBSCRIBER_NOT_FOUND);
}

static void test_other_owner_is_rejected(void **state)
{
    assert_rejected(*state, CODE_NO_DEBT, "7XYZ1A2", "sha-mismatch", SUBMIT_MISMATCH, REJECTION_SUBSCRIBER_MISMATCH);
}

static void test_unprintable_record_voids_the_certificate(void **state)
{
    fixture *f = *state;
    application_details d = {0};
    assert_int_equal(submit(f, CODE_UNPRINTABLE, FIN, NULL, "sha-void", &d), SUBMIT_VOIDED);
    assert_int_equal(d.application.status, APPLICATION_FAILED);
    assert_int_equal(d.has_certificate, 0);
    assert_history(&d, (const char *const[]){"received", "debt_checked", "failed", NULL});
    application_details_free(&d);
}

/* Takes certificate number back to the state a request that failed after numbering leaves: no document, no notice,
   numbered age_s seconds ago, its application debt_checked. */
static void make_interrupted(fixture *f, const char *number, int age_s)
{
    char sql[1024];
    err e = {0};
    snprintf(sql, sizeof sql,
             "DELETE FROM certificate_documents WHERE number = '%s';"
             "DELETE FROM sms_outbox WHERE reference = '%s';"
             "DELETE FROM portal_events WHERE type = 'application.issued' AND application_id = "
             "(SELECT application_id FROM certificates WHERE number = '%s');"
             "UPDATE certificates SET sha256 = '', issued_at = issued_at - %d, claimed_until = issued_at - %d + %d WHERE number = '%s';"
             "UPDATE applications SET status = 'debt_checked' WHERE id = "
             "(SELECT application_id FROM certificates WHERE number = '%s');",
             number, number, number, age_s, age_s, ISSUE_CLAIM_S, number, number);
    assert_int_equal(store_write(f->store, write_sql, sql, &e), 0);
}

static certificate_state state_of(fixture *f, const char *number)
{
    err e = {0};
    certificate_row c;
    db *d = store_db(f->store, &e);
    assert_non_null(d);
    assert_int_equal(certificates_find(d, number, &c, &e), 1);
    return c.state;
}

static void test_resumer_completes_only_what_a_failed_request_left(void **state)
{
    fixture *f = *state;
    application_details old = {0}, recent = {0};
    assert_int_equal(submit(f, CODE_NO_DEBT, FIN, "REF-OLD", "sha-old", &old), SUBMIT_ISSUED);
    assert_int_equal(submit(f, CODE_DEBT, FIN, "REF-RECENT", "sha-recent", &recent), SUBMIT_ISSUED);
    make_interrupted(f, old.certificate.number, 2 * ISSUE_CLAIM_S + 10); /* its claim ran out */
    make_interrupted(f, recent.certificate.number, 0);
    assert_int_equal(state_of(f, old.certificate.number), CERTIFICATE_PENDING);
    err e = {0};
    assert_int_equal(resumer_run(f->svc, time(NULL), &e), 0);
    assert_int_equal(state_of(f, old.certificate.number), CERTIFICATE_ISSUED);
    assert_int_equal(state_of(f, recent.certificate.number), CERTIFICATE_PENDING); /* its request may still run */
    assert_int_equal(resumer_run(f->svc, ISSUE_ANY_CLAIM, &e), 0);                  /* as at start-up: all */
    assert_int_equal(state_of(f, recent.certificate.number), CERTIFICATE_ISSUED);
    application_details_free(&old);
    application_details_free(&recent);
}

static void test_get_applies_the_ownership_rule(void **state)
{
    fixture *f = *state;
    application_details issued = {0}, mine = {0}, theirs = {0}, unknown = {0};
    err e = {0};
    assert_int_equal(submit(f, CODE_NO_DEBT, FIN, "REF-GET", "sha-get", &issued), SUBMIT_ISSUED);
    assert_int_equal(application_get(f->svc, f->egov.id, issued.application.id, &mine, &e), 1);
    assert_string_equal(mine.application.id, issued.application.id);
    assert_string_equal(mine.certificate.number, issued.certificate.number);
    assert_int_equal(mine.history.count, issued.history.count);
    /* another portal's key sees nothing, exactly as for an unknown id */
    assert_int_equal(application_get(f->svc, f->other.id, issued.application.id, &theirs, &e), 0);
    assert_string_equal(theirs.application.id, "");
    assert_int_equal(theirs.history.count, 0);
    assert_int_equal(application_get(f->svc, f->egov.id, "APP-NO-SUCH", &unknown, &e), 0);
    application_details_free(&issued);
    application_details_free(&mine);
    application_details_free(&theirs);
    application_details_free(&unknown);
}

static int revoke_other(db *d, void *ctx, err *e)
{
    (void)ctx;
    return apikeys_revoke(d, "other", time(NULL), e) == 1 ? 0 : -1;
}

static void test_keys_are_found_by_their_clear_text(void **state)
{
    fixture *f = *state;
    apikey_row key;
    err e = {0};
    assert_int_equal(access_find_key(f->svc, f->egov.token, &key, &e), 1);
    assert_int_equal(key.id, f->egov.id);
    assert_string_equal(key.name, "egov");
    assert_int_equal(key.role, ROLE_PORTAL);
    assert_int_equal(access_find_key(f->svc, "ak_not-a-key", &key, &e), 0);
    char hash[SHA256_HEX_LEN + 1];
    apikey_hash(f->egov.token, hash);
    assert_int_equal(access_find_key(f->svc, hash, &key, &e), 0); /* the stored hash is no key */
    assert_int_equal(store_write(f->store, revoke_other, NULL, &e), 0);
    assert_int_equal(access_find_key(f->svc, f->other.token, &key, &e), 0);
}

static void test_health_check_answers(void **state)
{
    fixture *f = *state;
    err e = {0};
    assert_int_equal(health_check(f->svc, &e), 0);
}

/* Runs after the submissions above: two rejections, one void, each counted once. */
static void test_outcomes_are_counted(void **state)
{
    fixture *f = *state;
    buf text = BUF_INIT;
    assert_int_equal(metrics_render(services_metrics(f->svc), &text), 0);
    assert_non_null(strstr(buf_cstr(&text), "arayis_applications_rejected_total 2\n"));
    assert_non_null(strstr(buf_cstr(&text), "arayis_certificates_void_total 1\n"));
    buf_free(&text);
}

static void test_name_tables_round_trip(void **state)
{
    (void)state;
    for (application_status s = APPLICATION_RECEIVED; s <= APPLICATION_FAILED; s++) {
        application_status back;
        assert_int_equal(application_status_parse(application_status_name(s), &back), 0);
        assert_int_equal(back, s);
    }
    application_status status;
    assert_int_equal(application_status_parse("issued ", &status), -1);
    assert_int_equal(application_status_parse(NULL, &status), -1);
    application_rejection why;
    assert_null(application_rejection_name(REJECTION_NONE));
    assert_int_equal(application_rejection_parse(NULL, &why), 0);
    assert_int_equal(why, REJECTION_NONE);
    assert_int_equal(application_rejection_parse("subscriber_mismatch", &why), 0);
    assert_int_equal(why, REJECTION_SUBSCRIBER_MISMATCH);
    assert_string_equal(application_rejection_name(REJECTION_SUBSCRIBER_NOT_FOUND), "subscriber_not_found");
    assert_int_equal(application_rejection_parse("mismatch", &why), -1);
    int non_residential = -1;
    assert_int_equal(billing_type_parse("non_residential", &non_residential), 0);
    assert_int_equal(non_residential, 1);
    assert_string_equal(billing_type_name(non_residential), "non_residential");
    assert_int_equal(billing_type_parse("residential", &non_residential), 0);
    assert_int_equal(non_residential, 0);
    assert_int_equal(billing_type_parse("Residential", &non_residential), -1);
    assert_int_equal(billing_type_parse(NULL, &non_residential), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submit_issues_a_certificate),
        cmocka_unit_test(test_same_body_again_is_a_replay),
        cmocka_unit_test(test_same_reference_other_body_is_a_conflict),
        cmocka_unit_test(test_unknown_subscriber_is_rejected),
        cmocka_unit_test(test_other_owner_is_rejected),
        cmocka_unit_test(test_unprintable_record_voids_the_certificate),
        cmocka_unit_test(test_get_applies_the_ownership_rule),
        cmocka_unit_test(test_resumer_completes_only_what_a_failed_request_left),
        cmocka_unit_test(test_keys_are_found_by_their_clear_text),
        cmocka_unit_test(test_health_check_answers),
        cmocka_unit_test(test_outcomes_are_counted),
        cmocka_unit_test(test_name_tables_round_trip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
