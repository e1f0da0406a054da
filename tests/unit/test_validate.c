/* Unit tests of field validation: text and NFC, names with Azerbaijani letters, FIN, digits, mobile numbers, e-mail, birth dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/validate.h"

#define NOW_2026_11_25 1795597200

static void test_text_nfc_and_trimming(void **state)
{
    (void)state;
    char *out = NULL;
    assert_null(validate_text("  Bakı  ", 1, 10, &out));
    assert_string_equal(out, "Bakı");
    free(out);
    assert_null(validate_text("Me\xcc\x81mm\xc9\x99""dov", 1, 100, &out)); /* e + combining acute */
    assert_string_equal(out, "M\xc3\xa9mm\xc9\x99""dov");
    free(out);
    assert_non_null(validate_text("a\x01z", 0, 10, &out));
    assert_null(out);
    assert_non_null(validate_text("a\x7fz", 0, 10, &out));
    assert_non_null(validate_text("\xff\xfe", 0, 10, &out));
    assert_non_null(validate_text("\xc0\xaf", 0, 10, &out)); /* overlong '/' */
    assert_non_null(validate_text("\xe2\x80\xae""abc", 0, 10, &out)); /* RTL override */
    assert_non_null(validate_text("漢字", 0, 10, &out));
    assert_non_null(validate_text("", 1, 10, &out));
    assert_non_null(validate_text("abcd", 1, 3, &out));
    assert_null(validate_text("əəə", 1, 3, &out)); /* counted in characters, not bytes */
    free(out);
    assert_null(validate_text(NULL, 0, 3, &out));
    assert_null(out);
    assert_non_null(validate_text(NULL, 1, 3, &out));
}

static void test_names(void **state)
{
    (void)state;
    char *out = NULL;
    const char *good[] = {"Əli", "İsmayılov", "Şükür oğlu", "Gülnarə-Xanım", "O'Neil", "Ağaverdi’yev", "ığüşöç"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_null(validate_name(good[i], &out));
        assert_string_equal(out, good[i]);
        free(out);
    }
    const char *bad[] = {"", "  ", "Məmmədov2", "Ali_", "-", "'", "a<b>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_non_null(validate_name(bad[i], &out));
        assert_null(out);
    }
    char long_name[202];
    memset(long_name, 'a', 101);
    long_name[101] = '\0';
    assert_non_null(validate_name(long_name, &out));
}

static void test_fin_and_digits(void **state)
{
    (void)state;
    char fin[8], code[17];
    assert_null(validate_fin("5abc7d9", fin));
    assert_string_equal(fin, "5ABC7D9");
    assert_non_null(validate_fin("5ABC7D", fin));
    assert_non_null(validate_fin("5ABC7D90", fin));
    assert_non_null(validate_fin("5ABC-D9", fin));
    assert_non_null(validate_fin("5ABÇ7D9", fin));
    assert_null(validate_digits("123456", 6, 16, code, sizeof code));
    assert_null(validate_digits("1234567890123456", 6, 16, code, sizeof code));
    assert_non_null(validate_digits("12345", 6, 16, code, sizeof code));
    assert_non_null(validate_digits("12345678901234567", 6, 16, code, sizeof code));
    assert_non_null(validate_digits("12345a", 6, 16, code, sizeof code));
    assert_non_null(validate_digits("123456' OR 1=1", 6, 16, code, sizeof code));
}

static void test_mobile_spellings(void **state)
{
    (void)state;
    char out[14];
    const char *good[] = {"+994501234567", "994501234567", "0501234567", "050 123 45 67", "(050) 123-45-67",
                          "+994 50 123 45 67"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_null(validate_mobile(good[i], out));
        assert_string_equal(out, "+994501234567");
    }
    const char *operators[] = {"10", "51", "55", "60", "70", "77", "99"};
    for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
        char number[16];
        snprintf(number, sizeof number, "0%s7654321", operators[i]);
        assert_null(validate_mobile(number, out));
        assert_int_equal(strncmp(out + 4, operators[i], 2), 0);
    }
    const char *bad[] = {"+994121234567", "0121234567", "+99450123456", "+9945012345678", "501234567",
                         "+7 900 123 45 67", "05O1234567", "(050 123 45 67", "+0501234567", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_non_null(validate_mobile(bad[i], out));
}

static void test_email(void **state)
{
    (void)state;
    char *out = NULL;
    assert_null(validate_email("ali@example.az", &out));
    assert_string_equal(out, "ali@example.az");
    free(out);
    assert_null(validate_email("a.b+c@mail.gov.az", &out));
    free(out);
    assert_null(validate_email(NULL, &out));
    assert_null(out);
    const char *bad[] = {"ali@", "@example.az", "ali@example", "ali@@example.az", "a li@example.az",
                         "ali@-example.az", "ali@example-.az", "ali@exa_mple.az", "ali@.az", "əli@example.az"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_non_null(validate_email(bad[i], &out));
}

static void test_birth_date(void **state)
{
    (void)state;
    char out[11];
    assert_null(validate_birth_date("1985-04-12", NOW_2026_11_25, out));
    assert_string_equal(out, "1985-04-12");
    assert_null(validate_birth_date("2026-11-24", NOW_2026_11_25, out));
    assert_non_null(validate_birth_date("2026-11-25", NOW_2026_11_25, out));
    assert_non_null(validate_birth_date("2100-01-01", NOW_2026_11_25, out));
    assert_non_null(validate_birth_date("1899-12-31", NOW_2026_11_25, out));
    assert_non_null(validate_birth_date("1981-02-29", NOW_2026_11_25, out));
    assert_non_null(validate_birth_date("12.04.1985", NOW_2026_11_25, out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_nfc_and_trimming), cmocka_unit_test(test_names),
        cmocka_unit_test(test_fin_and_digits),        cmocka_unit_test(test_mobile_spellings),
        cmocka_unit_test(test_email),                 cmocka_unit_test(test_birth_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
