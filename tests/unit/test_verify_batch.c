/* Unit tests of the shared reads of code checks: each check gets its own row, the checks waiting together are read in
   one go by the reader thread, one read at a time, whether their callers wait or go on; a failed read fails exactly its
   checks; the checks queued at the end are all read; unshared reads run one by one on the caller's thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/verify_batch.h"

#define THREADS 16
#define CHECKS_PER_THREAD 200

/* What the reader saw. */
typedef struct ledger {
    atomic_int reads;           /* calls of the reader */
    atomic_int checks;          /* lookups over all calls */
    atomic_int running;         /* readers running now */
    atomic_int most_running;    /* the most readers seen running at once */
    atomic_int largest;         /* the most lookups in one call */
    atomic_int fail_next;       /* 1: the next read fails */
    pthread_t last_reader;
} ledger;

static ledger seen;

static void note_max(atomic_int *most, int value)
{
    int old = atomic_load(most);
    while (value > old && !atomic_compare_exchange_weak(most, &old, value))
        ;
}

/* A stand-in for the store: each number's row is itself, found when its sequence is even, exact when it is a multiple
   of four; it takes a little while, so that checks queue behind it. */
static int read_rows(certificate_lookups *l, void *ctx, err *e)
{
    (void)ctx;
    note_max(&seen.most_running, atomic_fetch_add(&seen.running, 1) + 1);
    atomic_fetch_add(&seen.reads, 1);
    atomic_fetch_add(&seen.checks, (int)l->count);
    note_max(&seen.largest, (int)l->count);
    seen.last_reader = pthread_self();
    usleep(300);
    int fail = atomic_exchange(&seen.fail_next, 0);
    for (size_t i = 0; !fail && i < l->count; i++) {
        long seq = strtol(l->items[i].number + 9, NULL, 10);
        l->items[i].found = seq % 2 == 0;
        l->items[i].exact = seq % 4 == 0;
        if (l->items[i].found)
            snprintf(l->items[i].row->number, sizeof l->items[i].row->number, "%s", l->items[i].number);
    }
    atomic_fetch_sub(&seen.running, 1);
    return fail ? err_set(e, ERR_UNAVAILABLE, "the database is away") : 0;
}

static verify_batch *new_batch(int shared)
{
    err e = {0};
    verify_batch *b = verify_batch_new(read_rows, NULL, shared, &e);
    assert_non_null(b);
    return b;
}

static int setup(void **state)
{
    (void)state;
    memset(&seen, 0, sizeof seen);
    return 0;
}

/* One thread's checks: numbers of its own, each answer checked against what the reader makes of it. */
typedef struct checker {
    verify_batch *b;
    int id;
    int wrong;                  /* answers that were not this check's */
} checker;

static void *check_many(void *arg)
{
    checker *c = arg;
    for (int i = 0; i < CHECKS_PER_THREAD; i++) {
        char number[32];
        long seq = (long)c->id * CHECKS_PER_THREAD + i + 1;
        snprintf(number, sizeof number, "AZI-2026-%06ld", seq);
        certificate_row row = {.number = ""};
        int exact = -1;
        err e = {0};
        int found = verify_batch_find(c->b, number, &row, &exact, &e);
        int right = found == (seq % 2 == 0) && (!found || (strcmp(row.number, number) == 0 && exact == (seq % 4 == 0)));
        c->wrong += !right;
    }
    return NULL;
}

static void test_each_check_gets_its_own_row_and_reads_are_shared(void **state)
{
    (void)state;
    verify_batch *b = new_batch(1);
    pthread_t threads[THREADS];
    checker checkers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        checkers[i] = (checker){b, i, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, check_many, &checkers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(checkers[i].wrong, 0);
    }
    verify_batch_free(b);
    assert_int_equal(atomic_load(&seen.checks), THREADS * CHECKS_PER_THREAD);
    assert_int_equal(atomic_load(&seen.most_running), 1);
    assert_true(atomic_load(&seen.reads) < THREADS * CHECKS_PER_THREAD / 2); /* most reads were for several checks */
    assert_true(atomic_load(&seen.largest) > 1 && atomic_load(&seen.largest) <= VERIFY_BATCH_MAX);
}

/* Checks submitted without waiting: their answers, counted as they come. */
typedef struct submitted {
    verify_check check;
    certificate_row row;
    char number[32];
    pthread_t answered_on;
} submitted;

#define SUBMITTED_MAX 500
static submitted queued[SUBMITTED_MAX];
static atomic_int answered;

static void count_answer(verify_check *c)
{
    submitted *s = c->owner;
    s->answered_on = pthread_self();
    atomic_fetch_add(&answered, 1);
}

/* Submits the first n of queued, numbered 1..n, from this thread, none waiting for the others. */
static void submit(verify_batch *b, int n)
{
    atomic_store(&answered, 0);
    for (int i = 0; i < n; i++) {
        submitted *s = &queued[i];
        snprintf(s->number, sizeof s->number, "AZI-2026-%06d", i + 1);
        s->check = (verify_check){.lookup = {.number = s->number, .row = &s->row}, .done = count_answer, .owner = s};
        verify_batch_submit(b, &s->check);
    }
}

static void test_submitted_checks_are_answered_on_the_reader_in_shared_reads(void **state)
{
    (void)state;
    verify_batch *b = new_batch(1);
    enum { N = SUBMITTED_MAX };
    submit(b, N);
    for (int waited = 0; atomic_load(&answered) < N && waited < 10000; waited++)
        usleep(1000);
    assert_int_equal(atomic_load(&answered), N);
    submitted *all = queued;
    for (int i = 0; i < N; i++) {
        long seq = i + 1;
        assert_int_equal(all[i].check.rc, 0);
        assert_int_equal(all[i].check.lookup.found, seq % 2 == 0);
        if (seq % 2 == 0) {
            assert_string_equal(all[i].row.number, all[i].number);
            assert_int_equal(all[i].check.lookup.exact, seq % 4 == 0);
        }
        assert_false(pthread_equal(all[i].answered_on, pthread_self()));
    }
    assert_true(atomic_load(&seen.reads) < N / 4); /* the checks queued while a read ran were read together */
    assert_true(atomic_load(&seen.largest) <= VERIFY_BATCH_MAX);
    assert_int_equal(atomic_load(&seen.most_running), 1);
    verify_batch_free(b);
}

static void test_checks_queued_at_the_end_are_all_read(void **state)
{
    (void)state;
    verify_batch *b = new_batch(1);
    enum { N = 300 };
    submit(b, N);
    verify_batch_free(b);
    assert_int_equal(atomic_load(&answered), N);
    assert_int_equal(atomic_load(&seen.checks), N);
}

static void test_a_failed_read_fails_its_checks_only(void **state)
{
    (void)state;
    verify_batch *b = new_batch(1);
    certificate_row row;
    int exact;
    err e = {0};
    atomic_store(&seen.fail_next, 1);
    assert_int_equal(verify_batch_find(b, "AZI-2026-000004", &row, &exact, &e), -1);
    assert_int_equal(e.code, ERR_UNAVAILABLE);
    assert_string_equal(e.msg, "the database is away");
    err fine = {0};
    assert_int_equal(verify_batch_find(b, "AZI-2026-000004", &row, &exact, &fine), 1);
    assert_string_equal(row.number, "AZI-2026-000004");
    assert_int_equal(exact, 1);
    assert_int_equal(fine.code, ERR_OK);
    verify_batch_free(b);
}

static void test_unshared_reads_run_alone_on_the_callers_thread(void **state)
{
    (void)state;
    verify_batch *b = new_batch(0);
    err e = {0};
    certificate_row row;
    int exact = -1;
    assert_int_equal(verify_batch_find(b, "AZI-2026-000003", &row, &exact, &e), 0);
    assert_int_equal(verify_batch_find(b, "AZI-2026-000006", &row, &exact, &e), 1);
    assert_int_equal(exact, 0);
    assert_int_equal(atomic_load(&seen.reads), 2);
    assert_int_equal(atomic_load(&seen.largest), 1);
    assert_true(pthread_equal(seen.last_reader, pthread_self()));
    verify_batch_free(b);
}

#define BATCH_TEST(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BATCH_TEST(test_each_check_gets_its_own_row_and_reads_are_shared),
        BATCH_TEST(test_submitted_checks_are_answered_on_the_reader_in_shared_reads),
        BATCH_TEST(test_checks_queued_at_the_end_are_all_read),
        BATCH_TEST(test_a_failed_read_fails_its_checks_only),
        BATCH_TEST(test_unshared_reads_run_alone_on_the_callers_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
