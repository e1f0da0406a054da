/* Unit tests of background threads: a wake is never lost, a timed step recurs, and a stop lets the step finish
   what it has queued. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <unistd.h>

#include "core/bgthread.h"

#define POLL_US 1000
#define POLL_LIMIT 2000     /* two seconds */

typedef struct counter {
    int calls;              /* under the thread's lock */
    int queued;             /* jobs left; under the thread's lock */
    long long wait_ms;      /* what the step returns when it has nothing queued */
} counter;

static long long count_step(bgthread *t, void *ctx)
{
    counter *c = ctx;
    c->calls++;
    if (c->queued > 0) {
        c->queued--;
        return BGTHREAD_AGAIN;
    }
    return bgthread_stopping(t) ? BGTHREAD_EXIT : c->wait_ms;
}

static int calls_of(bgthread *t, counter *c)
{
    bgthread_lock(t);
    int n = c->calls;
    bgthread_unlock(t);
    return n;
}

/* Waits until the step has run at least n times. Returns 1, or 0 after POLL_LIMIT polls. */
static int wait_for_calls(bgthread *t, counter *c, int n)
{
    for (int i = 0; i < POLL_LIMIT; i++) {
        if (calls_of(t, c) >= n)
            return 1;
        usleep(POLL_US);
    }
    return 0;
}

static void test_wake_runs_an_idle_step_again(void **state)
{
    (void)state;
    counter c = {.wait_ms = BGTHREAD_IDLE};
    err e = {0};
    bgthread *t = bgthread_start("test thread", 1, count_step, &c, &e);
    assert_non_null(t);
    assert_true(wait_for_calls(t, &c, 1));
    bgthread_wake(t);
    assert_true(wait_for_calls(t, &c, 2));
    bgthread_stop(t);
}

static void test_timed_step_recurs_without_a_wake(void **state)
{
    (void)state;
    counter c = {.wait_ms = 10};
    err e = {0};
    bgthread *t = bgthread_start("test thread", 1, count_step, &c, &e);
    assert_non_null(t);
    assert_true(wait_for_calls(t, &c, 5));
    bgthread_stop(t);
}

static void test_stop_lets_the_step_finish_its_queue(void **state)
{
    (void)state;
    counter c = {.queued = 100, .wait_ms = BGTHREAD_IDLE};
    err e = {0};
    bgthread *t = bgthread_start("test threads", 3, count_step, &c, &e);
    assert_non_null(t);
    bgthread_stop(t);
    assert_int_equal(c.queued, 0);
    assert_true(c.calls >= 100 + 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wake_runs_an_idle_step_again),
        cmocka_unit_test(test_timed_step_recurs_without_a_wake),
        cmocka_unit_test(test_stop_lets_the_step_finish_its_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
