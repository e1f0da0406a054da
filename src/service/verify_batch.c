/* A queue of checks under the reader thread's lock: the reader takes up to VERIFY_BATCH_MAX of them, oldest first,
   reads them in one go without the lock and calls each one's done; callers who wait for their answer sleep on a
   condition variable of the same lock. */
#include "service/verify_batch.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/bgthread.h"

struct verify_batch {
    verify_batch_reader read;
    void *ctx;
    bgthread *reader;               /* NULL when unshared; its lock guards the queue and the waiters' flags */
    pthread_cond_t answered;        /* a waiting caller's check was answered */
    verify_check *head, **tail;
};

/* Reads the n checks in one go and hands each its answer. */
static void read_checks(verify_batch *b, verify_check *checks[], size_t n)
{
    certificate_lookup items[VERIFY_BATCH_MAX];
    for (size_t i = 0; i < n; i++)
        items[i] = checks[i]->lookup;
    certificate_lookups all = {items, n};
    err e = {0};
    int rc = b->read(&all, b->ctx, &e);
    for (size_t i = 0; i < n; i++) {
        checks[i]->lookup = items[i];
        checks[i]->rc = rc;
        checks[i]->e = e;
        checks[i]->done(checks[i]);
    }
}

/* The reader's turn: everything queued (up to VERIFY_BATCH_MAX) read together; at the stop, ends once none is left. */
static long long reader_step(bgthread *t, void *ctx)
{
    verify_batch *b = ctx;
    verify_check *taken[VERIFY_BATCH_MAX];
    size_t n = 0;
    while (b->head != NULL && n < VERIFY_BATCH_MAX) {
        taken[n++] = b->head;
        b->head = b->head->next;
    }
    if (b->head == NULL)
        b->tail = &b->head;
    if (n == 0)
        return bgthread_stopping(t) ? BGTHREAD_EXIT : BGTHREAD_IDLE;
    bgthread_unlock(t);
    read_checks(b, taken, n);
    bgthread_lock(t);
    return BGTHREAD_AGAIN;
}

verify_batch *verify_batch_new(verify_batch_reader read, void *ctx, int shared, err *e)
{
    verify_batch *b = calloc(1, sizeof *b);
    if (b == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    b->read = read;
    b->ctx = ctx;
    b->tail = &b->head;
    pthread_cond_init(&b->answered, NULL);
    if (shared && (b->reader = bgthread_start("code check reader", 1, reader_step, b, e)) == NULL) {
        verify_batch_free(b);
        return NULL;
    }
    return b;
}

void verify_batch_free(verify_batch *b)
{
    if (b == NULL)
        return;
    bgthread_stop(b->reader);
    pthread_cond_destroy(&b->answered);
    free(b);
}

int verify_batch_shared(const verify_batch *b)
{
    return b->reader != NULL;
}

void verify_batch_submit(verify_batch *b, verify_check *c)
{
    if (b->reader == NULL) {
        read_checks(b, &c, 1);
        return;
    }
    c->next = NULL;
    bgthread_lock(b->reader);
    *b->tail = c;
    b->tail = &c->next;
    bgthread_wake_locked(b->reader);
    bgthread_unlock(b->reader);
}

/* A caller waiting for its check: the flag it sleeps on, set under the reader's lock. */
typedef struct waiter {
    verify_batch *batch;
    int answered;
} waiter;

static void wake_waiter(verify_check *c)
{
    waiter *w = c->owner;
    if (w->batch->reader == NULL) {
        w->answered = 1;
        return;
    }
    bgthread_lock(w->batch->reader);
    w->answered = 1;
    pthread_cond_broadcast(&w->batch->answered);
    bgthread_unlock(w->batch->reader);
}

int verify_batch_find(verify_batch *b, const char *number, certificate_row *c, int *exact, err *e)
{
    waiter w = {b, 0};
    verify_check check = {.lookup = {.number = number, .row = c}, .done = wake_waiter, .owner = &w};
    verify_batch_submit(b, &check);
    if (b->reader != NULL) {
        bgthread_lock(b->reader);
        while (!w.answered)
            pthread_cond_wait(&b->answered, bgthread_mutex(b->reader));
        bgthread_unlock(b->reader);
    }
    if (check.rc != 0) {
        *e = check.e;
        return -1;
    }
    *exact = check.lookup.exact;
    return check.lookup.found;
}
