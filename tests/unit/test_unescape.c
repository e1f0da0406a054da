/* Unit tests of request path decoding: escapes of control characters stay as written, and such a path routes nowhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "http/router.h"
#include "http/unescape.h"

static void decoded(const char *in, const char *want)
{
    char s[128];
    strcpy(s, in);
    assert_int_equal(http_unescape(NULL, NULL, s), strlen(want));
    assert_string_equal(s, want);
}

static void test_ordinary_escapes_decode(void **state)
{
    (void)state;
    decoded("/v/AZI-2026-000001", "/v/AZI-2026-000001");
    decoded("a%20b%2Fc%2fd", "a b/c/d");
    decoded("%C6%8F", "\xC6\x8F");
    decoded("100%25", "100%");
    decoded("", "");
}

static void test_control_escapes_stay_as_written(void **state)
{
    (void)state;
    decoded("/c/AZI-2026-000001.pdf%00", "/c/AZI-2026-000001.pdf%00");
    decoded("x%0d%0aSet-Cookie", "x%0d%0aSet-Cookie");
    decoded("%1F%7F%7f%20", "%1F%7F%7f ");
}

static void test_malformed_escapes_stay_as_written(void **state)
{
    (void)state;
    decoded("%", "%");
    decoded("%4", "%4");
    decoded("%G1%4Z", "%G1%4Z");
    decoded("%%41", "%A");
}

static void handler(void *ctx, http_request *req, http_response *res)
{
    (void)ctx, (void)req, (void)res;
}

static void test_unroutable_paths_match_nothing(void **state)
{
    (void)state;
    static const http_route routes[] = {
        {HTTP_GET, "/c/{number}.pdf", handler, 0, HTTP_LIMIT_NONE, 0},
        {HTTP_GET, "/v/{number}", handler, 0, HTTP_LIMIT_NONE, 0},
    };
    const char *refused[] = {"/c/AZI-2026-000001.pdf%00", "/v/AZI-2026-000001%0a", "/v/AZI\x01", "/v/a\x7f", "/v/100%"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        http_request req;
        const http_route *found = NULL;
        memset(&req, 0, sizeof req);
        assert_false(http_path_routable(refused[i]));
        assert_int_equal(router_match(routes, 2, HTTP_POST, refused[i], &req, &found), ROUTER_NO_PATH);
        assert_int_equal(router_match(routes, 2, HTTP_GET, refused[i], &req, &found), ROUTER_NO_PATH);
    }
    assert_true(http_path_routable("/v/AZI-2026-000001"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinary_escapes_decode),
        cmocka_unit_test(test_control_escapes_stay_as_written),
        cmocka_unit_test(test_malformed_escapes_stay_as_written),
        cmocka_unit_test(test_unroutable_paths_match_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
