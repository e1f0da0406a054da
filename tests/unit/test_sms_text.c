/* Unit tests of SMS part counting (GSM-7 with extension characters, UCS-2 for Azerbaijani) and number masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/backoff.h"
#include "notify/sms_text.h"

static void repeat(char *out, const char *unit, int times)
{
    out[0] = '\0';
    for (int i = 0; i < times; i++)
        strcat(out, unit);
}

static void test_gsm7_boundaries(void **state)
{
    (void)state;
    char text[2048];
    sms_encoding enc;
    size_t units;
    repeat(text, "a", 160);
    assert_int_equal(sms_count_parts(text, &enc, &units), 1);
    assert_int_equal(enc, SMS_GSM7);
    assert_int_equal(units, 160);
    repeat(text, "a", 161);
    assert_int_equal(sms_count_parts(text, &enc, &units), 2);
    repeat(text, "a", 306);
    assert_int_equal(sms_count_parts(text, NULL, NULL), 2);
    repeat(text, "a", 307);
    assert_int_equal(sms_count_parts(text, NULL, NULL), 3);
    repeat(text, "{", 80); /* extension characters take two septets */
    assert_int_equal(sms_count_parts(text, &enc, &units), 1);
    assert_int_equal(units, 160);
    strcat(text, "a");
    assert_int_equal(sms_count_parts(text, &enc, &units), 2);
    assert_int_equal(sms_count_parts("€", &enc, &units), 1);
    assert_int_equal(units, 2);
    assert_int_equal(sms_count_parts("Ünvan: Çay é ß Ø ñ ü", &enc, NULL), 1);
    assert_int_equal(enc, SMS_GSM7);
}

static void test_ucs2_for_azerbaijani(void **state)
{
    (void)state;
    char text[4096];
    sms_encoding enc;
    size_t units;
    assert_int_equal(sms_count_parts("ə", &enc, &units), 1);
    assert_int_equal(enc, SMS_UCS2);
    repeat(text, "ş", 70);
    assert_int_equal(sms_count_parts(text, &enc, &units), 1);
    assert_int_equal(units, 70);
    repeat(text, "ş", 71);
    assert_int_equal(sms_count_parts(text, NULL, NULL), 2);
    repeat(text, "ı", 134);
    assert_int_equal(sms_count_parts(text, NULL, NULL), 2);
    repeat(text, "ı", 135);
    assert_int_equal(sms_count_parts(text, NULL, NULL), 3);
    assert_int_equal(sms_count_parts("`", &enc, NULL), 1);
    assert_int_equal(enc, SMS_UCS2);
    assert_int_equal(sms_count_parts("😀", &enc, &units), 1);
    assert_int_equal(units, 2);
    assert_int_equal(sms_count_parts("\xff", NULL, NULL), -1);
}

static void test_issued_text_fits_two_parts(void **state)
{
    (void)state;
    const char *text = "Arayışınız hazırdır: AZI-2026-000001. Yükləyin: "
                       "https://arayis.azerishiq.az/c/AZI-2026-000001.pdf?code=K7Q2M9XD4P8T3R6W";
    sms_encoding enc;
    assert_int_equal(sms_count_parts(text, &enc, NULL), 2);
    assert_int_equal(enc, SMS_UCS2);
}

static void test_masking(void **state)
{
    (void)state;
    char out[32];
    sms_mask_number("+994501234567", out, sizeof out);
    assert_string_equal(out, "+99450*****67");
    sms_mask_number("+9941", out, sizeof out);
    assert_string_equal(out, "***");
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(backoff_ms(2000, 1, 15 * 60 * 1000, 0, 0.5), 2000);
    assert_int_equal(backoff_ms(2000, 2, 15 * 60 * 1000, 0, 0.5), 4000);
    assert_int_equal(backoff_ms(2000, 4, 15 * 60 * 1000, 0, 0.5), 16000);
    assert_int_equal(backoff_ms(2000, 1, 15 * 60 * 1000, 0, 0.0), 1000);
    assert_int_equal(backoff_ms(2000, 1, 15 * 60 * 1000, 0, 0.999), 2998);
    assert_int_equal(backoff_ms(2000, 40, 15 * 60 * 1000, 0, 0.5), 15 * 60 * 1000);
    assert_int_equal(backoff_ms(2000, 1, 15 * 60 * 1000, 30, 0.5), 30000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gsm7_boundaries),
        cmocka_unit_test(test_ucs2_for_azerbaijani),
        cmocka_unit_test(test_issued_text_fits_two_parts),
        cmocka_unit_test(test_masking),
        cmocka_unit_test(test_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
