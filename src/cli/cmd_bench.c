/* arayis bench render|issue|seed: measurements the project ships (see bench/ for the HTTP ones). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/share.h"
#include "crypto/keyring.h"
#include "service/issue.h"
#include "service/tlog_append.h"
#include "model/links.h"
#include "crypto/codes.h"
#include "crypto/signing_key.h"
#include "notify/messages.h"
#include "pdf/certificate.h"
#include "crypto/apikey_secret.h"
#include "store/apikeys.h"
#include "store/seed.h"
#include "store/subscribers.h"

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *ms, int n, double total_s, size_t bytes)
{
    qsort(ms, (size_t)n, sizeof *ms, compare_doubles);
    printf("%s: %d in %.2f s, median %.3f ms, p99 %.3f ms, %.0f per second", what, n, total_s, ms[n / 2],
           ms[(int)((double)n * 0.99) < n ? (int)((double)n * 0.99) : n - 1], (double)n / total_s);
    if (bytes)
        printf(", PDF %zu bytes", bytes);
    printf("\n");
}

/* Loads the signer and renderer the way serve does: key_type "pkcs11" is the token key the configuration names;
   "ec" or "rsa" a key file in the keys directory, made as a development key when absent. */
static int load(const config *c, const char *key_type, signer **s, pdf_renderer **r)
{
    err e = {0};
    int created, token = strcmp(key_type, "pkcs11") == 0;
    config file_keys = *c;
    file_keys.signing_key[0] = '\0';
    if (token && !signing_key_in_token(c)) {
        fprintf(stderr, "arayis: --key pkcs11 needs ARAYIS_SIGNING_KEY (a pkcs11: URI)\n");
        return -1;
    }
    if ((!token && signer_ensure_dev_keys(c->keys_dir, key_type, &created, &e) != 0) ||
        (*s = signer_open(token ? c : &file_keys, &e)) == NULL || (*r = pdf_renderer_open(share_dir(), &e)) == NULL) {
        fprintf(stderr, "arayis: %s\n", e.msg);
        return -1;
    }
    if (!token && strcmp(signer_key_type(*s), key_type) != 0) {
        fprintf(stderr, "arayis: the signing key in %s is %s; give an empty ARAYIS_KEYS_DIR to measure %s\n",
                c->keys_dir, signer_key_type(*s), key_type);
        return -1;
    }
    return 0;
}

static int bench_render(const config *c, int count, const char *key_type)
{
    signer *s = NULL;
    pdf_renderer *r = NULL;
    if (load(c, key_type, &s, &r) != 0)
        return 1;
    double *ms = calloc((size_t)count, sizeof *ms), start = now_seconds();
    size_t size = 0;
    int rc = 0;
    for (int i = 0; i < count && rc == 0; i++) {
        char number[32], code[VCODE_LEN + 1];
        buf url = BUF_INIT, pdf = BUF_INIT;
        snprintf(number, sizeof number, "AZI-2026-%06d", i % 999999 + 1);
        codes_new_verification_code(code);
        links_verify_url(&url, c->public_base_url, number, code);
        time_t t = time(NULL);
        cert_doc doc = {number, code, t, t + 30 * 86400, i % 2, "1234567890", "Məmmədov Əli Şükür oğlu",
                        "“Çıraq Işıq” ASC", "9876543211", "Bakı şəhəri, Nəsimi rayonu, Azadlıq pr. 12, m. 5",
                        (i % 3) * 123456LL, t, buf_cstr(&url), c->public_base_url, 0};
        err e = {0};
        double t0 = now_seconds();
        rc = pdf_render_certificate(r, s, &doc, &pdf, &e);
        ms[i] = (now_seconds() - t0) * 1000;
        size = pdf.len > size ? pdf.len : size;
        if (rc != 0)
            fprintf(stderr, "arayis: %s\n", e.msg);
        buf_free(&url);
        buf_free(&pdf);
    }
    if (rc == 0) {
        char what[64];
        snprintf(what, sizeof what, "render+sign (%s%s)", strcmp(key_type, "pkcs11") == 0 ? "pkcs11 " : "",
                 signer_key_type(s));
        report(what, ms, count, now_seconds() - start, size);
    }
    free(ms);
    pdf_renderer_close(r);
    signer_free(s);
    return rc == 0 ? 0 : 1;
}

/* A validated application for the demo residential subscriber. */
static int bench_application(application *a)
{
    field_errors errs = {0};
    application_input in = {.subscriber_type = "residential", .subscriber_code = "1234567890", .fin = "5ABC7D9",
                            .last_name = "Məmmədov", .first_name = "Əli", .patronymic = "Şükür oğlu",
                            .birth_date = "1985-04-12", .mobile = "+994501234567"};
    return application_validate(&in, time(NULL), a, &errs);
}

/* Puts the demo subscriber and a bench key into the store. Returns the key id, or -1. */
static long long prepare_store(db *d, err *e)
{
    billing_record rec;
    field_errors errs = {0};
    billing_input in = {"1234567890", "residential", "5ABC7D9", NULL, "Məmmədov Əli Şükür oğlu", "Bakı şəhəri",
                        "0.00", "2026-11-25T09:00:00Z"};
    subscriber_write w;
    char hash[SHA256_HEX_LEN + 1], key[APIKEY_TEXT_LEN + 1];
    apikey_generate(key, hash);
    char name[40];
    snprintf(name, sizeof name, "bench-%ld", (long)time(NULL));
    int ok = billing_validate(&in, &rec, time(NULL), &errs) == 0 && db_begin(d, e) == 0 && subscribers_put(d, &rec, time(NULL), &w, e) == 0 &&
             apikeys_insert(d, name, ROLE_PORTAL, hash, time(NULL), e) == 0 && db_commit(d, e) == 0;
    billing_record_free(&rec);
    apikey_row row;
    return ok && apikeys_find_active(d, hash, &row, e) == 1 ? row.id : -1;
}

/* The fingerprint of the signing certificate that log entries name, as serve takes it. */
static int bench_log_key_id(const config *c, tlog_appender *log)
{
    err e = {0};
    keyring *k = keyring_load(c->keys_dir, &e);
    int rc = k && keyring_count(k) ? tlog_hex32(keyring_get(k, 0)->sha256, log->signing_key_id) : -1;
    keyring_free(k);
    if (rc != 0)
        fprintf(stderr, "arayis: no signing certificate for the log's entries: %s\n", e.msg);
    return rc;
}

static int bench_issue(const config *c, int count)
{
    signer *s = NULL;
    pdf_renderer *r = NULL;
    err e = {0};
    store *st = NULL;
    sms_messages *messages = NULL;
    application a;
    if (load(c, "ec", &s, &r) != 0 || (st = cli_open_store(c)) == NULL || (messages = sms_messages_load(&e)) == NULL ||
        bench_application(&a) != 0)
        return 1;
    tlog_appender log = {c->transparency_log, {0}};
    if (bench_log_key_id(c, &log) != 0)
        return 1;
    issuer is = {st, r, s, messages, c, NULL, NULL, &log};
    long long key_id = prepare_store(store_db(st, &e), &e);
    double *ms = calloc((size_t)count, sizeof *ms), start = now_seconds();
    int rc = key_id > 0 ? 0 : -1;
    for (int i = 0; i < count && rc == 0; i++) {
        submit_outcome outcome;
        char app_id[32], sha[SHA256_HEX_LEN + 1];
        snprintf(sha, sizeof sha, "%064d", i);
        double t0 = now_seconds();
        rc = issuing_submit(&is, key_id, &a, sha, &outcome, app_id, NULL, &e);
        ms[i] = (now_seconds() - t0) * 1000;
    }
    if (rc == 0)
        report(c->transparency_log ? "issue (validate, debt lookup, number, render, sign, durable commit; log on)"
                                   : "issue (validate, debt lookup, number, render, sign, durable commit; log off)",
               ms, count, now_seconds() - start, 0);
    else
        fprintf(stderr, "arayis: %s\n", e.msg);
    free(ms);
    application_free(&a);
    sms_messages_free(messages);
    store_close(st);
    pdf_renderer_close(r);
    signer_free(s);
    return rc == 0 ? 0 : 1;
}

static int bench_seed(const config *c, long long count)
{
    err e = {0};
    store *st = cli_open_store(c);
    if (st == NULL)
        return 1;
    db *d = store_db(st, &e);
    char hash[SHA256_HEX_LEN + 1], key[APIKEY_TEXT_LEN + 1];
    apikey_generate(key, hash);
    apikey_row row;
    double start = now_seconds();
    int ok = apikeys_insert(d, "bench-seed", ROLE_PORTAL, hash, time(NULL), &e) == 0 &&
             apikeys_find_active(d, hash, &row, &e) == 1 && seed_certificates(d, count, row.id, &e) == 0;
    if (ok)
        printf("seeded %lld certificates in %.1f s\n", count, now_seconds() - start);
    else
        fprintf(stderr, "arayis: %s\n", e.msg);
    store_close(st);
    return ok ? 0 : 1;
}

int cmd_bench(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        printf("usage: arayis bench render --count N [--key ec|rsa|pkcs11] [settings]\n"
               "       arayis bench issue --count N [settings]     (use a scratch ARAYIS_DATA_DIR)\n"
               "       arayis bench seed --count N [settings]      (bench only: rows without PDFs)\n");
        return argc < 2 ? 2 : 0;
    }
    long long count = 1000;
    const char *key_type = "ec";
    int first = 2;
    while (first + 1 < argc && argv[first][0] == '-' && argv[first][1] == '-') {
        if (strcmp(argv[first], "--count") == 0)
            count = atoll(argv[first + 1]);
        else if (strcmp(argv[first], "--key") == 0)
            key_type = argv[first + 1];
        else
            break;
        first += 2;
    }
    config c;
    if (count < 1 || count > 10000000 || cli_config(&c, argc, argv, first) != 0)
        return 2;
    if (strcmp(argv[1], "render") == 0)
        return bench_render(&c, (int)count, key_type);
    if (strcmp(argv[1], "issue") == 0)
        return bench_issue(&c, (int)count);
    if (strcmp(argv[1], "seed") == 0)
        return bench_seed(&c, count);
    fprintf(stderr, "arayis: unknown bench '%s'\n", argv[1]);
    return 2;
}
