/* The drainer's step: drain outside the lock, then sleep until the next due time. */
#include "service/drainer.h"

#include <assert.h>
#include <string.h>

#include "core/backoff.h"
#include "store/lease.h"

#define DRAINER_IDLE_MS 1000
/* The least time between two looks for due items unless the last handled a whole batch: wakes that come sooner wait
   for it. */
#define DRAINER_GATHER_MS 20

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
    long long since = backoff_now_ms() - dr->drained_ms;
    if (since >= 0 && since < DRAINER_GATHER_MS)
        return DRAINER_GATHER_MS - since;
    bgthread_unlock(t);
    int handled = dr->drain(dr->owner, t);
    int whole_batch = handled >= dr->batch;
    long long wait = whole_batch ? BGTHREAD_AGAIN : idle_ms(dr);
    dr->drained_ms = whole_batch ? 0 : backoff_now_ms();
    bgthread_lock(t);
    return wait;
}

typedef struct claim_batch {
    const unsigned char *items;
    int n;
    size_t size;
    drainer_id_fn id_of;
    drainer_claim_fn claim;
    long long due_ms, until_ms;
    long long taken[LEASE_BATCH_MAX];  /* the ids claimed, set by each run of the write */
    int ntaken;
} claim_batch;

static int taken_contains(const long long *taken, int n, long long id)
{
    for (int i = 0; i < n; i++)
        if (taken[i] == id)
            return 1;
    return 0;
}

/* Claims the batch's items; reads the items only (the write may run again, see store_write). */
static int write_claims(db *d, void *ctx, err *e)
{
    claim_batch *b = ctx;
    long long ids[LEASE_BATCH_MAX];
    for (int i = 0; i < b->n; i++)
        ids[i] = b->id_of(b->items + (size_t)i * b->size);
    b->ntaken = b->claim(d, ids, b->n, b->due_ms, b->until_ms, b->taken, e);
    return b->ntaken < 0 ? -1 : 0;
}

int drainer_claim(drainer *dr, void *items, int n, size_t size, drainer_id_fn id_of, drainer_claim_fn claim,
                  long long due_ms, long long until_ms, err *e)
{
    assert(n <= LEASE_BATCH_MAX);
    if (n <= 0 || !store_is_shared(dr->store))
        return n;
    claim_batch b = {items, n, size, id_of, claim, due_ms, until_ms, {0}, 0};
    if (store_write(dr->store, write_claims, &b, e) != 0)
        return -1;
    /* the claimed items move to the front, in their order */
    unsigned char *all = items;
    int kept = 0;
    for (int i = 0; i < n; i++) {
        if (!taken_contains(b.taken, b.ntaken, id_of(all + (size_t)i * size)))
            continue;
        if (kept != i)
            memcpy(all + (size_t)kept * size, all + (size_t)i * size, size);
        kept++;
    }
    return kept;
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
