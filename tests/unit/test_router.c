/* Unit tests of route matching: placeholders, suffix literals, 404 versus 405, HEAD as GET. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "http/router.h"

static void handler(void *ctx, http_request *req, http_response *res)
{
    (void)ctx, (void)req, (void)res;
}

static const http_route routes[] = {
    {HTTP_GET, "/healthz", handler, 0, HTTP_LIMIT_NONE, 0},
    {HTTP_POST, "/api/v1/applications", handler, 0, HTTP_LIMIT_NONE, 0},
    {HTTP_GET, "/api/v1/applications/{id}", handler, 0, HTTP_LIMIT_NONE, 0},
    {HTTP_GET, "/c/{number}.pdf", handler, 0, HTTP_LIMIT_NONE, 0},
    {HTTP_POST, "/api/v1/certificates/{number}/revoke", handler, 0, HTTP_LIMIT_NONE, 0},
    {HTTP_GET, "/v/{number}", handler, 0, HTTP_LIMIT_NONE, 0},
};
#define N (sizeof routes / sizeof routes[0])

static router_result match(http_method m, const char *path, http_request *req, const http_route **found)
{
    memset(req, 0, sizeof *req);
    return router_match(routes, N, m, path, req, found);
}

static void test_literal_and_params(void **state)
{
    (void)state;
    http_request req;
    const http_route *r;
    assert_int_equal(match(HTTP_GET, "/healthz", &req, &r), ROUTER_FOUND);
    assert_ptr_equal(r, &routes[0]);
    assert_int_equal(match(HTTP_GET, "/api/v1/applications/01JD", &req, &r), ROUTER_FOUND);
    assert_ptr_equal(r, &routes[2]);
    assert_string_equal(req.params[0], "01JD");
    assert_int_equal(match(HTTP_POST, "/api/v1/certificates/AZI-2026-000001/revoke", &req, &r), ROUTER_FOUND);
    assert_string_equal(req.params[0], "AZI-2026-000001");
}

static void test_suffix_literal(void **state)
{
    (void)state;
    http_request req;
    const http_route *r;
    assert_int_equal(match(HTTP_GET, "/c/AZI-2026-000001.pdf", &req, &r), ROUTER_FOUND);
    assert_string_equal(req.params[0], "AZI-2026-000001");
    assert_int_equal(match(HTTP_GET, "/c/AZI.2026.pdf", &req, &r), ROUTER_FOUND);
    assert_string_equal(req.params[0], "AZI.2026");
    assert_int_equal(match(HTTP_GET, "/c/.pdf", &req, &r), ROUTER_NO_PATH);
    assert_int_equal(match(HTTP_GET, "/c/AZI-2026-000001", &req, &r), ROUTER_NO_PATH);
    assert_int_equal(match(HTTP_GET, "/c/AZI-2026-000001.pdf/x", &req, &r), ROUTER_NO_PATH);
}

static void test_not_found_and_wrong_method(void **state)
{
    (void)state;
    http_request req;
    const http_route *r;
    assert_int_equal(match(HTTP_GET, "/", &req, &r), ROUTER_NO_PATH);
    assert_int_equal(match(HTTP_GET, "/api/v1/applications/", &req, &r), ROUTER_NO_PATH);
    assert_int_equal(match(HTTP_GET, "/api/v1/applications/a/b", &req, &r), ROUTER_NO_PATH);
    assert_int_equal(match(HTTP_GET, "/healthzz", &req, &r), ROUTER_NO_PATH);
    assert_int_equal(match(HTTP_DELETE, "/api/v1/applications", &req, &r), ROUTER_WRONG_METHOD);
    assert_int_equal(match(HTTP_OTHER, "/healthz", &req, &r), ROUTER_WRONG_METHOD);
    assert_int_equal(match(HTTP_HEAD, "/healthz", &req, &r), ROUTER_FOUND);
}

static void test_overlong_param_is_refused(void **state)
{
    (void)state;
    http_request req;
    const http_route *r;
    char path[300] = "/v/";
    memset(path + 3, 'A', 200);
    path[203] = '\0';
    assert_int_equal(match(HTTP_GET, path, &req, &r), ROUTER_NO_PATH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_and_params),
        cmocka_unit_test(test_suffix_literal),
        cmocka_unit_test(test_not_found_and_wrong_method),
        cmocka_unit_test(test_overlong_param_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
