/* Unit tests of settings parsing: defaults, validation of every kind of value, flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

static void test_defaults(void **state)
{
    (void)state;
    config c;
    config_defaults(&c);
    assert_string_equal(c.listen_host, "127.0.0.1");
    assert_int_equal(c.listen_port, 8080);
    assert_string_equal(c.data_dir, "./data");
    assert_string_equal(c.keys_dir, "./keys");
    assert_string_equal(c.public_base_url, "http://127.0.0.1:8080");
    assert_int_equal(c.validity_days, 30);
    assert_string_equal(c.sms_transport, "log");
    assert_int_equal(c.body_limit, 65536);
    assert_int_equal(c.pdf_body_limit, 262144);
    assert_int_equal(c.body_budget, 33554432);
    assert_int_equal(c.request_deadline_s, 30);
    assert_int_equal(c.min_body_rate, 1024);
    assert_int_equal(c.connection_reserve, 32);
}

static void test_listen(void **state)
{
    (void)state;
    config c;
    config_defaults(&c);
    err e = {0};
    assert_int_equal(config_set(&c, "ARAYIS_LISTEN", "0.0.0.0:9000", &e), 0);
    assert_string_equal(c.listen_host, "0.0.0.0");
    assert_int_equal(c.listen_port, 9000);
    assert_int_equal(config_set(&c, "ARAYIS_LISTEN", "[::1]:8081", &e), 0);
    assert_string_equal(c.listen_host, "[::1]");
    assert_int_equal(c.listen_port, 8081);
    const char *bad[] = {"9000", ":9000", "host:", "host:65536", "host:-1", "host:80x", "host:+80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(config_set(&c, "ARAYIS_LISTEN", bad[i], &e), -1);
        assert_non_null(strstr(e.msg, "ARAYIS_LISTEN"));
    }
    assert_int_equal(c.listen_port, 8081); /* unchanged by the failures */
}

static void test_numbers_and_choices(void **state)
{
    (void)state;
    config c;
    config_defaults(&c);
    err e = {0};
    assert_int_equal(config_set(&c, "ARAYIS_VALIDITY_DAYS", "90", &e), 0);
    assert_int_equal(c.validity_days, 90);
    assert_int_equal(config_set(&c, "ARAYIS_VALIDITY_DAYS", "0", &e), -1);
    assert_int_equal(config_set(&c, "ARAYIS_VALIDITY_DAYS", "3651", &e), -1);
    assert_int_equal(config_set(&c, "ARAYIS_VALIDITY_DAYS", "", &e), -1);
    assert_int_equal(config_set(&c, "ARAYIS_VALIDITY_DAYS", "7 ", &e), -1);
    assert_int_equal(c.validity_days, 90);
    assert_int_equal(config_set(&c, "ARAYIS_SMS_TRANSPORT", "http", &e), 0);
    assert_string_equal(c.sms_transport, "http");
    assert_int_equal(config_set(&c, "ARAYIS_SMS_TRANSPORT", "carrier-pigeon", &e), -1);
    assert_int_equal(config_set(&c, "ARAYIS_BODY_LIMIT", "100", &e), -1);
    assert_int_equal(config_set(&c, "ARAYIS_UNKNOWN", "1", &e), -1);
}

static void test_resource_limits(void **state)
{
    (void)state;
    static const struct { const char *name, *value; int result; } cases[] = {
        {"ARAYIS_BODY_BUDGET", "1048575", -1},       {"ARAYIS_BODY_BUDGET", "1048576", 0},
        {"ARAYIS_REQUEST_DEADLINE", "0", -1},        {"ARAYIS_REQUEST_DEADLINE", "5", 0},
        {"ARAYIS_MIN_BODY_RATE", "-1", -1},          {"ARAYIS_MIN_BODY_RATE", "0", 0},
        {"ARAYIS_CONNECTION_RESERVE", "10001", -1},  {"ARAYIS_CONNECTION_RESERVE", "0", 0},
    };
    config c;
    config_defaults(&c);
    err e = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(config_set(&c, cases[i].name, cases[i].value, &e), cases[i].result);
    assert_int_equal(c.body_budget, 1048576);
    assert_int_equal(c.request_deadline_s, 5);
    assert_int_equal(c.min_body_rate, 0);
    assert_int_equal(c.connection_reserve, 0);
}

static void test_base_url(void **state)
{
    (void)state;
    config c;
    config_defaults(&c);
    err e = {0};
    assert_int_equal(config_set(&c, "ARAYIS_PUBLIC_BASE_URL", "https://arayis.azerishiq.az//", &e), 0);
    assert_string_equal(c.public_base_url, "https://arayis.azerishiq.az");
    assert_int_equal(config_set(&c, "ARAYIS_PUBLIC_BASE_URL", "ftp://x", &e), -1);
    assert_int_equal(config_set(&c, "ARAYIS_PUBLIC_BASE_URL", "https://x/?a=1", &e), -1);
    assert_int_equal(config_set(&c, "ARAYIS_PUBLIC_BASE_URL", "https://x/\"><script>", &e), -1);
}

static void test_flags(void **state)
{
    (void)state;
    config c;
    config_defaults(&c);
    err e = {0};
    char *argv[] = {"serve", "--listen", "127.0.0.1:0", "--validity-days=7", "--data-dir", "/tmp/x"};
    assert_int_equal(config_apply_flags(&c, 6, argv, 1, &e), 0);
    assert_int_equal(c.listen_port, 0);
    assert_int_equal(c.validity_days, 7);
    assert_string_equal(c.data_dir, "/tmp/x");
    char *missing[] = {"serve", "--listen"};
    assert_int_equal(config_apply_flags(&c, 2, missing, 1, &e), -1);
    char *unknown[] = {"serve", "--colour", "red"};
    assert_int_equal(config_apply_flags(&c, 3, unknown, 1, &e), -1);
    assert_non_null(strstr(e.msg, "--colour"));
}

static void test_environment(void **state)
{
    (void)state;
    config c;
    config_defaults(&c);
    err e = {0};
    setenv("ARAYIS_VALIDITY_DAYS", "45", 1);
    setenv("ARAYIS_KEYS_DIR", "/etc/arayis/keys", 1);
    assert_int_equal(config_apply_env(&c, &e), 0);
    assert_int_equal(c.validity_days, 45);
    assert_string_equal(c.keys_dir, "/etc/arayis/keys");
    setenv("ARAYIS_VALIDITY_DAYS", "many", 1);
    assert_int_equal(config_apply_env(&c, &e), -1);
    unsetenv("ARAYIS_VALIDITY_DAYS");
    unsetenv("ARAYIS_KEYS_DIR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),    cmocka_unit_test(test_listen), cmocka_unit_test(test_numbers_and_choices),
        cmocka_unit_test(test_base_url),    cmocka_unit_test(test_flags),  cmocka_unit_test(test_environment),
        cmocka_unit_test(test_resource_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
