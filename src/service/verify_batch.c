/* Leader and followers: a check queues itself; when no read runs, the thread of a waiting check reads for up to
   VERIFY_BATCH_MAX queued checks, oldest first, and hands each its row; the others sleep until their row has come. */
#include "service/verify_batch.h"

#include <pthread.h>
#include <stdlib.h>

/* One check waiting in the queue, on its caller's stack. */
typedef struct waiting {
    certificate_lookup lookup;
    int done;
    int rc;
    err e;
    struct waiting *next;
} waiting;

struct verify_batch {
    verify_batch_reader read;
    void *ctx;
    int shared;
    pthread_mutex_t lock;
    pthread_cond_t answered;        /* a read ended: its checks are done, and another may start */
    waiting *head, **tail;
    int reading;                    /* 1 while a thread reads */
};

verify_batch *verify_batch_new(verify_batch_reader read, void *ctx, int shared, err *e)
{
    verify_batch *b = calloc(1, sizeof *b);
    if (b == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    b->read = read;
    b->ctx = ctx;
    b->shared = shared;
    b->tail = &b->head;
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->answered, NULL);
    return b;
}

void verify_batch_free(verify_batch *b)
{
    if (b == NULL)
        return;
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->answered);
    free(b);
}

/* Takes up to VERIFY_BATCH_MAX checks off the queue's head, in arrival order. Called with the lock held. */
static size_t take(verify_batch *b, waiting *taken[VERIFY_BATCH_MAX])
{
    size_t n = 0;
    while (b->head != NULL && n < VERIFY_BATCH_MAX) {
        taken[n++] = b->head;
        b->head = b->head->next;
    }
    if (b->head == NULL)
        b->tail = &b->head;
    return n;
}

/* Reads the taken checks in one go, without the lock. */
static void read_taken(verify_batch *b, waiting *taken[], size_t n)
{
    certificate_lookup items[VERIFY_BATCH_MAX];
    for (size_t i = 0; i < n; i++)
        items[i] = taken[i]->lookup;
    certificate_lookups all = {items, n};
    err e = {0};
    int rc = b->read(&all, b->ctx, &e);
    for (size_t i = 0; i < n; i++) {
        taken[i]->lookup = items[i];
        taken[i]->rc = rc;
        taken[i]->e = e;
    }
}

/* Queues me and returns once its read is done: run by this thread when no read runs (with whatever else waits),
   else by another. */
static void read_shared(verify_batch *b, waiting *me)
{
    pthread_mutex_lock(&b->lock);
    *b->tail = me;
    b->tail = &me->next;
    while (!me->done) {
        if (b->reading) {
            pthread_cond_wait(&b->answered, &b->lock);
            continue;
        }
        waiting *taken[VERIFY_BATCH_MAX];
        size_t n = take(b, taken);
        b->reading = 1;
        pthread_mutex_unlock(&b->lock);
        read_taken(b, taken, n);
        pthread_mutex_lock(&b->lock);
        for (size_t i = 0; i < n; i++)
            taken[i]->done = 1;
        b->reading = 0;
        pthread_cond_broadcast(&b->answered);
    }
    pthread_mutex_unlock(&b->lock);
}

int verify_batch_find(verify_batch *b, const char *number, certificate_row *c, int *exact, err *e)
{
    waiting me = {.lookup = {.number = number, .row = c}};
    waiting *alone[1] = {&me};
    if (b->shared)
        read_shared(b, &me);
    else
        read_taken(b, alone, 1);
    if (me.rc != 0) {
        *e = me.e;
        return -1;
    }
    *exact = me.lookup.exact;
    return me.lookup.found;
}
