/* Unit tests of money parsing/formatting in qəpik and of RFC 3339 / Baku date handling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/money.h"
#include "core/timeutil.h"

static void test_money_parse_accepts(void **state)
{
    (void)state;
    static const struct { const char *text; int64_t qepik; } cases[] = {
        {"0", 0}, {"0.00", 0}, {"0.5", 50}, {"12.50", 1250}, {"1234.56", 123456}, {"999999999999.99", 99999999999999LL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t q = -1;
        assert_int_equal(money_parse(cases[i].text, &q), 0);
        assert_int_equal(q, cases[i].qepik);
    }
}

static void test_money_parse_rejects(void **state)
{
    (void)state;
    const char *bad[] = {"", "-1", "+1", "1.234", "1,50", "01.00", "1e3", " 1", "1 ", ".5", "5.", "1.2.3",
                         "1000000000000", "abc", "0x10", "12.5a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t q = 7;
        assert_int_equal(money_parse(bad[i], &q), -1);
        assert_int_equal(q, 7);
    }
    assert_int_equal(money_parse(NULL, &(int64_t){0}), -1);
}

static void test_money_format(void **state)
{
    (void)state;
    char out[MONEY_TEXT_MAX];
    assert_string_equal(money_format_api(0, out), "0.00");
    assert_string_equal(money_format_api(5, out), "0.05");
    assert_string_equal(money_format_api(123456, out), "1234.56");
    assert_string_equal(money_format_az(0, out), "0,00");
    assert_string_equal(money_format_az(8740, out), "87,40");
    assert_string_equal(money_format_az(123456, out), "1 234,56");
    assert_string_equal(money_format_az(99999, out), "999,99");
    assert_string_equal(money_format_az(100000, out), "1 000,00");
    assert_string_equal(money_format_az(123456789012LL, out), "1 234 567 890,12");
}

static void test_rfc3339(void **state)
{
    (void)state;
    time_t t;
    char out[TIME_TEXT_MAX];
    assert_int_equal(time_parse_rfc3339("2026-11-25T09:00:00Z", &t), 0);
    assert_int_equal(t, 1795597200);
    assert_string_equal(time_format_rfc3339(t, out), "2026-11-25T09:00:00Z");
    assert_int_equal(time_parse_rfc3339("2026-11-25T13:00:00+04:00", &t), 0);
    assert_int_equal(t, 1795597200);
    assert_int_equal(time_parse_rfc3339("2026-11-25T09:00:00.123456Z", &t), 0);
    assert_int_equal(t, 1795597200);
    assert_int_equal(time_parse_rfc3339("2024-02-29T00:00:00Z", &t), 0);
    const char *bad[] = {"2026-11-25", "2026-11-25T09:00:00", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                         "2026-11-31T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T09:60:00Z", "2026-11-25 09:00:00Z",
                         "2026-11-25T09:00:00+4:00", "2026-11-25T09:00:00.Z", "yesterday", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(time_parse_rfc3339(bad[i], &t), -1);
}

static void test_baku_date(void **state)
{
    (void)state;
    char out[TIME_TEXT_MAX];
    time_t evening = 1795636800; /* 2026-11-25T20:00:00Z is already 26 November in Baku */
    assert_string_equal(time_format_az_date(evening, out), "26.11.2026");
    assert_string_equal(time_format_az_date(1795597200, out), "25.11.2026");
}

static void test_calendar_date(void **state)
{
    (void)state;
    int y, m, d;
    assert_int_equal(time_parse_date("1985-04-12", &y, &m, &d), 0);
    assert_int_equal(y * 10000 + m * 100 + d, 19850412);
    assert_int_equal(time_parse_date("2000-02-29", &y, &m, &d), 0);
    assert_int_equal(time_parse_date("1900-02-29", &y, &m, &d), -1);
    assert_int_equal(time_parse_date("1985-4-12", &y, &m, &d), -1);
    assert_int_equal(time_parse_date("1985-04-31", &y, &m, &d), -1);
    assert_int_equal(time_parse_date("1985-04-12x", &y, &m, &d), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_parse_accepts), cmocka_unit_test(test_money_parse_rejects),
        cmocka_unit_test(test_money_format),        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_baku_date),           cmocka_unit_test(test_calendar_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
