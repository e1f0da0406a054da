/* Unit tests of the shared request-body budget: what a request claims, and taking and giving back bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>

#include "http/body_budget.h"

static void test_claim(void **state)
{
    (void)state;
    assert_int_equal(body_budget_claim(NULL, NULL, 1000), 0);           /* no body */
    assert_int_equal(body_budget_claim("0", NULL, 1000), 0);
    assert_int_equal(body_budget_claim("250", NULL, 1000), 250);
    assert_int_equal(body_budget_claim("1000", NULL, 1000), 1000);
    assert_int_equal(body_budget_claim("1001", NULL, 1000), 1000);      /* refused as too large anyway */
    assert_int_equal(body_budget_claim(NULL, "chunked", 1000), 1000);   /* unknown length: the limit */
    const char *odd[] = {"", "12x", "-5", " 7", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        assert_int_equal(body_budget_claim(odd[i], NULL, 1000), 1000);
}

static void test_take_and_give(void **state)
{
    (void)state;
    body_budget b;
    body_budget_init(&b, 1000);
    assert_int_equal(body_budget_take(&b, 600), 0);
    assert_int_equal(body_budget_take(&b, 401), -1);   /* nothing taken */
    assert_int_equal(body_budget_take(&b, 400), 0);    /* exactly full */
    assert_int_equal(body_budget_take(&b, 1), -1);
    body_budget_give(&b, 600);
    assert_int_equal(body_budget_take(&b, 600), 0);
    assert_int_equal(body_budget_take(&b, 0), 0);
    body_budget_give(&b, 1000);
    assert_int_equal(atomic_load(&b.used), 0);
}

#define THREADS 4
#define ROUNDS 100000

static void *churn(void *arg)
{
    body_budget *b = arg;
    for (int i = 0; i < ROUNDS; i++)
        if (body_budget_take(b, 300) == 0)
            body_budget_give(b, 300);
    return NULL;
}

static void test_concurrent_use_never_overdraws(void **state)
{
    (void)state;
    body_budget b;
    body_budget_init(&b, 1000);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, churn, &b), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&b.used), 0);
    assert_int_equal(body_budget_take(&b, 1000), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claim),
        cmocka_unit_test(test_take_and_give),
        cmocka_unit_test(test_concurrent_use_never_overdraws),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
