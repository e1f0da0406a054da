/* Unit tests of verification codes, certificate numbers, placeholders and the CSV reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/placeholders.h"
#include "model/csv.h"
#include "crypto/codes.h"

static void test_vcode_encoding(void **state)
{
    (void)state;
    char out[VCODE_LEN + 1];
    const unsigned char zeros[10] = {0}, ones[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    vcode_encode(zeros, out);
    assert_string_equal(out, "0000000000000000");
    vcode_encode(ones, out);
    assert_string_equal(out, "ZZZZZZZZZZZZZZZZ");
    const unsigned char first_bit[10] = {0x80};
    vcode_encode(first_bit, out);
    assert_string_equal(out, "G000000000000000");
    const unsigned char last_bit[10] = {[9] = 0x01};
    vcode_encode(last_bit, out);
    assert_string_equal(out, "0000000000000001");
    char a[VCODE_LEN + 1], b[VCODE_LEN + 1];
    assert_int_equal(codes_new_verification_code(a), 0);
    assert_int_equal(codes_new_verification_code(b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(strspn(a, "0123456789ABCDEFGHJKMNPQRSTVWXYZ"), VCODE_LEN);
}

static void test_vcode_input(void **state)
{
    (void)state;
    char out[VCODE_LEN + 1], grouped[VCODE_LEN + 4];
    const char *same[] = {"K7Q2M9XD4P8T3R6W", "K7Q2-M9XD-4P8T-3R6W", "k7q2 m9xd 4p8t 3r6w", "k7q2-M9XD 4p8t-3R6W"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        assert_int_equal(vcode_normalize(same[i], out), 0);
        assert_string_equal(out, "K7Q2M9XD4P8T3R6W");
    }
    assert_int_equal(vcode_normalize("OILO-0000-0000-0000", out), 0);
    assert_string_equal(out, "0110000000000000");
    const char *bad[] = {"", "K7Q2M9XD4P8T3R6", "K7Q2M9XD4P8T3R6WX", "K7Q2M9XD4P8T3R6U", "K7Q2'M9XD4P8T3R6W", "K7Q2%00M9XD4P8T3R6W"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(vcode_normalize(bad[i], out), -1);
    vcode_group("K7Q2M9XD4P8T3R6W", grouped);
    assert_string_equal(grouped, "K7Q2-M9XD-4P8T-3R6W");
}

static void test_certificate_numbers(void **state)
{
    (void)state;
    int year;
    long seq;
    assert_int_equal(vcode_parse_number("AZI-2026-000001", &year, &seq), 0);
    assert_int_equal(year, 2026);
    assert_int_equal(seq, 1);
    const char *bad[] = {"AZI-2026-000000", "AZI-2026-00001", "AZI-2026-0000001", "azi-2026-000001", "AZI-1999-000001",
                         "AZI-2026-00000a", "AZI2026-000001", "AZI-2026-000001/../x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(vcode_parse_number(bad[i], &year, &seq), -1);
}

static void test_placeholders(void **state)
{
    (void)state;
    buf out = BUF_INIT;
    err e = {0};
    const char *vars[] = {"number", "AZI-2026-000001", "pdf_url", "https://x/c", NULL};
    assert_int_equal(placeholders_expand("Arayışınız hazırdır: {number}. Yükləyin: {pdf_url}", vars, &out, &e), 0);
    assert_string_equal(buf_cstr(&out), "Arayışınız hazırdır: AZI-2026-000001. Yükləyin: https://x/c");
    buf_free(&out);
    assert_int_equal(placeholders_expand("{{literal} {number}", vars, &out, &e), 0);
    assert_string_equal(buf_cstr(&out), "{literal} AZI-2026-000001");
    buf_free(&out);
    assert_int_equal(placeholders_expand("{unknown}", vars, &out, &e), -1);
    assert_non_null(strstr(e.msg, "unknown"));
    buf_free(&out);
    assert_int_equal(placeholders_expand("{number", vars, &out, &e), -1);
    buf_free(&out);
}

/* Reads all records of text; writes "line:field|field;" for each into out. Returns csv_next's last result. */
static int read_all(const char *text, size_t len, char *out, size_t size)
{
    FILE *f = fmemopen((void *)text, len, "r");
    csv_reader *r = csv_open_file(f);
    csv_record rec;
    err e = {0};
    int rc;
    out[0] = '\0';
    while ((rc = csv_next(r, &rec, &e)) == 1) {
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%lu:", rec.line);
        for (size_t i = 0; i < rec.nfields; i++) {
            n = strlen(out);
            snprintf(out + n, size - n, "%s%s", i ? "|" : "", rec.fields[i]);
        }
        n = strlen(out);
        snprintf(out + n, size - n, ";");
    }
    csv_close(r);
    fclose(f);
    return rc;
}

static void test_csv_quoting_and_lines(void **state)
{
    (void)state;
    char out[512];
    const char text[] = "\xef\xbb\xbf""a,b,c\r\n1,\"x, \"\"y\"\"\",\r\n2,\"multi\nline\",z\n3,,\n";
    assert_int_equal(read_all(text, sizeof text - 1, out, sizeof out), 0);
    assert_string_equal(out, "1:a|b|c;2:1|x, \"y\"|;3:2|multi\nline|z;5:3||;");
    const char no_final_newline[] = "a,b\nc,d";
    assert_int_equal(read_all(no_final_newline, sizeof no_final_newline - 1, out, sizeof out), 0);
    assert_string_equal(out, "1:a|b;2:c|d;");
}

static void test_csv_malformed(void **state)
{
    (void)state;
    char out[512];
    const char *bad[] = {"a,\"unterminated\n", "a,\"x\"y,b\n", "a,b\"c\n", "a\rb\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(read_all(bad[i], strlen(bad[i]), out, sizeof out), -1);
    static char huge[CSV_MAX_FIELD_BYTES + 16];
    memset(huge, 'x', sizeof huge - 2);
    huge[sizeof huge - 2] = '\n';
    assert_int_equal(read_all(huge, sizeof huge - 1, out, sizeof out), -1);
    char many[200] = "";
    for (int i = 0; i < CSV_MAX_FIELDS + 1; i++)
        strcat(many, i ? ",x" : "x");
    strcat(many, "\n");
    assert_int_equal(read_all(many, strlen(many), out, sizeof out), -1);
    const char nul[] = "a,b\0c\n";
    assert_int_equal(read_all(nul, sizeof nul - 1, out, sizeof out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vcode_encoding),        cmocka_unit_test(test_vcode_input),
        cmocka_unit_test(test_certificate_numbers),   cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_csv_quoting_and_lines), cmocka_unit_test(test_csv_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
