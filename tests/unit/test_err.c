/* Unit tests of the error classes: every class has a name, and real failures carry the class that fits them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "core/err.h"
#include "core/path.h"
#include "core/placeholders.h"
#include "core/share.h"
#include "crypto/keyring.h"
#include "crypto/signer.h"
#include "pdf/certificate.h"
#include "pdf/sigcheck.h"
#include "scratch_dir.h"

static void test_every_class_has_its_own_name(void **state)
{
    (void)state;
    for (int a = ERR_OK; a <= ERR_INTERNAL; a++) {
        const char *name = err_code_name((err_code)a);
        assert_string_not_equal(name, "unknown");
        for (int b = ERR_OK; b < a; b++)
            assert_string_not_equal(name, err_code_name((err_code)b));
    }
    assert_string_equal(err_code_name(ERR_NOT_FOUND), "not_found");
    assert_string_equal(err_code_name((err_code)(ERR_INTERNAL + 1)), "unknown");
}

static void test_transient_classes(void **state)
{
    (void)state;
    const err_code transient[] = {ERR_NOMEM, ERR_IO, ERR_FULL, ERR_BUSY, ERR_UNAVAILABLE, ERR_NETWORK};
    const err_code lasting[] = {ERR_INVALID, ERR_NOT_FOUND, ERR_CONFLICT, ERR_TOO_LONG, ERR_PERMISSION,
                                ERR_VERSION, ERR_RANDOM, ERR_CRYPTO, ERR_RENDER, ERR_INTERNAL};
    for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++)
        assert_true(err_is_transient(transient[i]));
    for (size_t i = 0; i < sizeof lasting / sizeof lasting[0]; i++)
        assert_false(err_is_transient(lasting[i]));
}

static void test_err_set_and_clear(void **state)
{
    (void)state;
    err e = {0};
    assert_int_equal(err_set(&e, ERR_CONFLICT, "name %s taken", "x"), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_string_equal(e.msg, "name x taken");
    err_clear(&e);
    assert_int_equal(e.code, ERR_OK);
    assert_string_equal(e.msg, "");
    assert_int_equal(err_set(NULL, ERR_IO, "nobody listens"), -1);
}

static void test_path_too_long_is_refused_not_cut(void **state)
{
    (void)state;
    char out[16];
    err e = {0};
    assert_int_equal(path_join(out, sizeof out, "/tmp", "short", &e), 0);
    assert_string_equal(out, "/tmp/short");
    assert_int_equal(path_join(out, sizeof out, "/tmp", "much-too-long-a-name", &e), -1);
    assert_int_equal(e.code, ERR_TOO_LONG);
    assert_string_equal(out, "");
}

static void test_bad_settings_are_invalid(void **state)
{
    (void)state;
    config c;
    config_defaults(&c);
    err e = {0};
    assert_int_equal(config_set(&c, "ARAYIS_VALIDITY_DAYS", "many", &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    char *argv[] = {"arayis", "--no-such-flag"};
    err_clear(&e);
    assert_int_equal(config_apply_flags(&c, 2, argv, 1, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
}

static void test_unknown_placeholder_is_invalid(void **state)
{
    (void)state;
    const char *vars[] = {"known", "value", NULL};
    buf out = BUF_INIT;
    err e = {0};
    assert_int_equal(placeholders_expand("{known} {{ {unknown}", vars, &out, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    buf_free(&out);
}

static void test_missing_file_is_not_found(void **state)
{
    (void)state;
    buf out = BUF_INIT;
    err e = {0};
    assert_int_equal(share_read_path("/nonexistent/arayis/file", 1024, &out, &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    buf_free(&out);
}

/* Writes text to dir/name with mode. */
static void write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

/* The class of signer_load's failure in a keys directory holding a key file of text and mode (none when text is
   NULL). */
static err_code signer_load_failure(const char *text, mode_t mode)
{
    char dir[SCRATCH_DIR_LEN];
    assert_int_equal(scratch_dir_make(dir, "err-keys"), 0);
    if (text != NULL)
        write_file(dir, SIGNER_KEY_FILE, text, mode);
    err e = {0};
    assert_null(signer_load(dir, &e));
    assert_int_equal(scratch_dir_remove(dir), 0);
    return e.code;
}

static void test_readable_key_file_is_a_permission_error(void **state)
{
    (void)state;
    assert_int_equal(signer_load_failure("not a key\n", 0644), ERR_PERMISSION);
}

static void test_missing_key_file_is_not_found(void **state)
{
    (void)state;
    assert_int_equal(signer_load_failure(NULL, 0), ERR_NOT_FOUND);
}

static void test_unreadable_key_is_a_crypto_error(void **state)
{
    (void)state;
    assert_int_equal(signer_load_failure("not a key\n", 0600), ERR_CRYPTO);
}

static void test_missing_template_is_not_found(void **state)
{
    (void)state;
    err e = {0};
    assert_null(pdf_renderer_open("/nonexistent/arayis/share", &e));
    assert_int_equal(e.code, ERR_NOT_FOUND);
}

static void test_missing_font_is_not_found(void **state)
{
    (void)state;
    char dir[SCRATCH_DIR_LEN], path[256], templates[128];
    assert_int_equal(scratch_dir_make(dir, "err-font"), 0);
    snprintf(templates, sizeof templates, "%s/templates", dir);
    assert_int_equal(mkdir(templates, 0700), 0);
    snprintf(path, sizeof path, "%s/templates/certificate.json", getenv("ARAYIS_SHARE_DIR"));
    buf tpl = BUF_INIT;
    err e = {0};
    assert_int_equal(share_read_path(path, 1024 * 1024, &tpl, &e), 0);
    write_file(templates, "certificate.json", buf_cstr(&tpl), 0600); /* the fonts it names are not in dir */
    buf_free(&tpl);
    assert_null(pdf_renderer_open(dir, &e));
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_non_null(strstr(e.msg, "fonts/"));
    assert_int_equal(scratch_dir_remove(dir), 0);
}

static void test_sample_certificate_renders(void **state)
{
    (void)state;
    err e = {0};
    pdf_renderer *r = pdf_renderer_open(getenv("ARAYIS_SHARE_DIR"), &e);
    assert_non_null(r);
    signer *s = signer_sample(NULL, &e);
    assert_non_null(s);
    cert_doc doc = {.number = "AZI-2026-000001", .verification_code = "K7Q2M9XD4P8T3R6W", .issued_at = 1767225600,
                    .valid_until = 1769817600, .subscriber_code = "1234567890", .holder_name = "Məmmədov Əli",
                    .debt_as_of = 1767225600, .verify_url = "http://127.0.0.1:8080/v/AZI-2026-000001?code=K7Q2M9XD4P8T3R6W",
                    .public_base_url = "http://127.0.0.1:8080", .sample = 1};
    buf pdf = BUF_INIT;
    assert_int_equal(pdf_render_certificate(r, s, &doc, &pdf, &e), 0);
    assert_int_equal(e.code, ERR_OK);
    assert_memory_equal(pdf.data, "%PDF-1.7", 8);
    assert_non_null(memmem(pdf.data, pdf.len, "/ETSI.CAdES.detached", 20));
    buf_free(&pdf);
    signer_free(s);
    pdf_renderer_close(r);
}

static void test_missing_keyring_is_not_found(void **state)
{
    (void)state;
    err e = {0};
    assert_null(keyring_load("/nonexistent/arayis/keys", &e));
    assert_int_equal(e.code, ERR_NOT_FOUND);
}

static void test_not_a_pdf_is_invalid(void **state)
{
    (void)state;
    pdf_sig_report report;
    err e = {0};
    static const unsigned char text[] = "this is plain text, not a PDF at all";
    assert_int_equal(pdf_sigcheck(text, sizeof text, NULL, NULL, NULL, &report, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_class_has_its_own_name),
        cmocka_unit_test(test_transient_classes),
        cmocka_unit_test(test_err_set_and_clear),
        cmocka_unit_test(test_path_too_long_is_refused_not_cut),
        cmocka_unit_test(test_bad_settings_are_invalid),
        cmocka_unit_test(test_unknown_placeholder_is_invalid),
        cmocka_unit_test(test_missing_file_is_not_found),
        cmocka_unit_test(test_readable_key_file_is_a_permission_error),
        cmocka_unit_test(test_missing_key_file_is_not_found),
        cmocka_unit_test(test_unreadable_key_is_a_crypto_error),
        cmocka_unit_test(test_missing_template_is_not_found),
        cmocka_unit_test(test_missing_font_is_not_found),
        cmocka_unit_test(test_sample_certificate_renders),
        cmocka_unit_test(test_missing_keyring_is_not_found),
        cmocka_unit_test(test_not_a_pdf_is_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
