/* The drainer's step: drain outside the lock, then sleep until the next due time. */
#include "service/drainer.h"

#include "core/backoff.h"

#define DRAINER_IDLE_MS 1000

/* How long to sleep: until the next item is due, at most DRAINER_IDLE_MS. */
static long long idle_ms(const drainer *dr)
{
    err e = {0};
    long long due = 0;
    db *d = store_db(dr->store, &e);
    if (d == NULL || dr->next_due_ms(d, &due, &e) != 0)
        return DRAINER_IDLE_MS;
    return backoff_sleep_ms(due, backoff_now_ms(), DRAINER_IDLE_MS);
}

static long long drainer_step(bgthread *t, void *ctx)
{
    drainer *dr = ctx;
    if (bgthread_stopping(t))
        return BGTHREAD_EXIT;
    bgthread_unlock(t);
    long long wait = dr->drain(dr->owner, t) > 0 ? BGTHREAD_AGAIN : idle_ms(dr);
    bgthread_lock(t);
    return wait;
}

int drainer_start(drainer *dr, const char *name, err *e)
{
    return (dr->thread = bgthread_start(name, 1, drainer_step, dr, e)) != NULL ? 0 : -1;
}

void drainer_wake(drainer *dr)
{
    bgthread_wake(dr->thread);
}

void drainer_stop(drainer *dr)
{
    bgthread_stop(dr->thread);
}
