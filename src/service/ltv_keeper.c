/* The validation-data keeper's thread: collect, swap in, sleep until the refresh time or the next retry. */
#include "service/ltv_keeper.h"

#include <stdlib.h>
#include <time.h>

#include "core/bgthread.h"
#include "core/log.h"

struct ltv_keeper {
    const keyring *keys;
    tsa_client *tsa;
    ocsp_client *ocsp;
    bgthread *thread;
    ltv_set *set;                /* guarded by the thread's lock; NULL until the first collection succeeds */
    time_t retry_at;             /* no collection before this after a failure */
    long long retry_ms;          /* the pause after the next failure */
    int wanted;                  /* a caller found no fresh set: try now, unless a retry is due later */
};

/* Milliseconds from now until when, at least 100 and at most an hour. */
static long long ms_until(time_t when)
{
    long long ms = ((long long)when - (long long)time(NULL)) * 1000;
    return ms < 100 ? 100 : ms > 3600000 ? 3600000 : ms;
}

/* Collects a set outside the lock and swaps it in, or schedules the retry. Called with the lock held. */
static void collect(bgthread *t, ltv_keeper *k)
{
    bgthread_unlock(t);
    err e = {0};
    ltv_set *fresh = ltv_collect(k->keys, k->tsa, k->ocsp, &e), *old = NULL;
    if (fresh != NULL)
        log_write(LOG_INFO, "validation_data",
                  json_pack("{s:I, s:I, s:I}", "certificates", (json_int_t)fresh->cert_count, "ocsp_answers",
                            (json_int_t)fresh->ocsp_count, "fresh_for_s", (json_int_t)(fresh->fresh_until - time(NULL))));
    else
        log_printf(LOG_WARN, "validation_data_failed", "%s", e.msg);
    bgthread_lock(t);
    k->wanted = 0;
    if (fresh != NULL) {
        old = k->set;
        k->set = fresh;
        k->retry_ms = 1000;
    } else {
        k->retry_at = time(NULL) + k->retry_ms / 1000;
        k->retry_ms = k->retry_ms * 2 > LTV_RETRY_MAX_MS ? LTV_RETRY_MAX_MS : k->retry_ms * 2;
    }
    bgthread_unlock(t);
    ltv_release(old);
    bgthread_lock(t);
}

static long long keeper_step(bgthread *t, void *ctx)
{
    ltv_keeper *k = ctx;
    if (bgthread_stopping(t))
        return BGTHREAD_EXIT;
    time_t now = time(NULL);
    int due = k->set == NULL || now >= k->set->refresh_at || k->wanted;
    if (due && now >= k->retry_at)
        collect(t, k);
    if (k->set == NULL || time(NULL) >= k->set->refresh_at)
        return ms_until(k->retry_at);
    return ms_until(k->set->refresh_at);
}

ltv_keeper *ltv_keeper_start(const keyring *keys, tsa_client *tsa, ocsp_client *ocsp, err *e)
{
    ltv_keeper *k = calloc(1, sizeof *k);
    if (k == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    *k = (ltv_keeper){.keys = keys, .tsa = tsa, .ocsp = ocsp, .retry_ms = 1000};
    if ((k->thread = bgthread_start("validation data", 1, keeper_step, k, e)) == NULL) {
        free(k);
        return NULL;
    }
    return k;
}

void ltv_keeper_stop(ltv_keeper *k)
{
    if (k == NULL)
        return;
    bgthread_stop(k->thread);
    ltv_release(k->set);
    free(k);
}

/* A reference on the held set, when fresh is 0 or it is still fresh; wakes the thread when it is not. */
static ltv_set *held(ltv_keeper *k, int fresh)
{
    bgthread_lock(k->thread);
    ltv_set *set = k->set;
    if (set != NULL && fresh && time(NULL) >= set->fresh_until)
        set = NULL;
    if (set != NULL)
        ltv_retain(set);
    else if (fresh) {
        k->wanted = 1;
        bgthread_wake_locked(k->thread);
    }
    bgthread_unlock(k->thread);
    return set;
}

ltv_set *ltv_keeper_current(ltv_keeper *k)
{
    return held(k, 1);
}

ltv_set *ltv_keeper_last(ltv_keeper *k)
{
    return held(k, 0);
}
