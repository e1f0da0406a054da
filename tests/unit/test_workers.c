/* Unit tests of the worker pool: jobs run in arrival order, and stopping runs every queued job first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <unistd.h>

#include "http/workers.h"

#define JOBS 50

typedef struct ledger {
    pthread_mutex_t lock;
    int order[JOBS];
    int count;
} ledger;

typedef struct job {
    ledger *l;
    int id;
    work_item item;
} job;

static void record(void *arg)
{
    job *j = arg;
    if (j->id == 0)
        usleep(50 * 1000); /* the others queue up behind the first */
    pthread_mutex_lock(&j->l->lock);
    j->l->order[j->l->count++] = j->id;
    pthread_mutex_unlock(&j->l->lock);
}

/* Runs JOBS jobs on a pool of `threads` and stops it; l records the order they ran in. */
static void run_jobs(unsigned threads, ledger *l)
{
    err e = {0};
    work_pool *p = work_pool_start(threads, &e);
    assert_non_null(p);
    job jobs[JOBS];
    for (int i = 0; i < JOBS; i++) {
        jobs[i] = (job){l, i, {record, &jobs[i], NULL}};
        work_pool_submit(p, &jobs[i].item);
    }
    work_pool_stop(p);
    assert_int_equal(l->count, JOBS);
}

static void test_one_thread_runs_jobs_in_arrival_order(void **state)
{
    (void)state;
    ledger l = {.lock = PTHREAD_MUTEX_INITIALIZER};
    run_jobs(1, &l);
    for (int i = 0; i < JOBS; i++)
        assert_int_equal(l.order[i], i);
}

static void test_stop_runs_every_queued_job(void **state)
{
    (void)state;
    ledger l = {.lock = PTHREAD_MUTEX_INITIALIZER};
    run_jobs(4, &l);
    int seen[JOBS] = {0};
    for (int i = 0; i < JOBS; i++)
        seen[l.order[i]]++;
    for (int i = 0; i < JOBS; i++)
        assert_int_equal(seen[i], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_thread_runs_jobs_in_arrival_order),
        cmocka_unit_test(test_stop_runs_every_queued_job),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
