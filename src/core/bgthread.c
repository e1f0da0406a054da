/* A thread group's loop: call the step, then sleep on the condition variable (on the monotonic clock when the
   step asked for a time-out) until a wake, the stop or the time-out, and call the step again. */
#include "core/bgthread.h"

#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bgthread {
    bgthread_step step;
    void *ctx;
    pthread_mutex_t lock;
    pthread_cond_t wake;        /* on CLOCK_MONOTONIC */
    int woken;                  /* a wake no sleeping thread has taken yet */
    atomic_int stopping;
    unsigned nthreads;          /* started so far */
    pthread_t threads[];
};

/* Sleeps until woken, stopped or wait_ms (BGTHREAD_IDLE: no limit) has passed; takes the pending wake. Called
   with the lock held. A spurious wake-up ends the sleep early: every step re-checks its state. */
static void sleep_once(bgthread *t, long long wait_ms)
{
    if (!t->woken && !atomic_load(&t->stopping)) {
        if (wait_ms == BGTHREAD_IDLE) {
            pthread_cond_wait(&t->wake, &t->lock);
        } else {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            until.tv_sec += (time_t)(wait_ms / 1000);
            until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
            until.tv_sec += until.tv_nsec / 1000000000L;
            until.tv_nsec %= 1000000000L;
            pthread_cond_timedwait(&t->wake, &t->lock, &until);
        }
    }
    t->woken = 0;
}

static void *thread_main(void *arg)
{
    bgthread *t = arg;
    pthread_mutex_lock(&t->lock);
    for (;;) {
        long long wait_ms = t->step(t, t->ctx);
        if (wait_ms == BGTHREAD_EXIT)
            break;
        if (wait_ms != BGTHREAD_AGAIN)
            sleep_once(t, wait_ms);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

/* Stops and joins the threads started so far, then frees t. */
static void stop_and_free(bgthread *t)
{
    pthread_mutex_lock(&t->lock);
    atomic_store(&t->stopping, 1);
    pthread_cond_broadcast(&t->wake);
    pthread_mutex_unlock(&t->lock);
    for (unsigned i = 0; i < t->nthreads; i++)
        pthread_join(t->threads[i], NULL);
    pthread_cond_destroy(&t->wake);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

/* Initialises the lock and the monotonic condition variable. Returns 0 or an errno value. */
static int init_sync(bgthread *t)
{
    pthread_condattr_t attr;
    int rc = pthread_condattr_init(&attr);
    if (rc != 0)
        return rc;
    if ((rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)) == 0 && (rc = pthread_cond_init(&t->wake, &attr)) == 0 &&
        (rc = pthread_mutex_init(&t->lock, NULL)) != 0)
        pthread_cond_destroy(&t->wake);
    pthread_condattr_destroy(&attr);
    return rc;
}

bgthread *bgthread_start(const char *name, unsigned threads, bgthread_step step, void *ctx, err *e)
{
    assert(threads > 0 && step != NULL);
    bgthread *t = calloc(1, sizeof *t + threads * sizeof(pthread_t));
    int rc = t == NULL ? ENOMEM : init_sync(t);
    if (rc != 0) {
        free(t);
        err_set(e, ERR_NOMEM, "cannot start the %s: %s", name, strerror(rc));
        return NULL;
    }
    t->step = step;
    t->ctx = ctx;
    pthread_mutex_lock(&t->lock); /* the threads' first steps wait until every thread is counted */
    for (; t->nthreads < threads; t->nthreads++) {
        if ((rc = pthread_create(&t->threads[t->nthreads], NULL, thread_main, t)) != 0)
            break;
    }
    pthread_mutex_unlock(&t->lock);
    if (rc != 0) {
        err_set(e, ERR_NOMEM, "cannot start thread %u of %u of the %s: %s", t->nthreads + 1, threads, name,
                strerror(rc));
        stop_and_free(t);
        return NULL;
    }
    return t;
}

void bgthread_stop(bgthread *t)
{
    if (t != NULL)
        stop_and_free(t);
}

void bgthread_wake_locked(bgthread *t)
{
    t->woken = 1;
    pthread_cond_signal(&t->wake);
}

void bgthread_wake(bgthread *t)
{
    pthread_mutex_lock(&t->lock);
    bgthread_wake_locked(t);
    pthread_mutex_unlock(&t->lock);
}

void bgthread_lock(bgthread *t)
{
    pthread_mutex_lock(&t->lock);
}

void bgthread_unlock(bgthread *t)
{
    pthread_mutex_unlock(&t->lock);
}

pthread_mutex_t *bgthread_mutex(bgthread *t)
{
    return &t->lock;
}

int bgthread_stopping(bgthread *t)
{
    return atomic_load(&t->stopping);
}
