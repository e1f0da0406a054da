/* The loop of an outbox drainer (SMS sender, webhook deliverer): one background thread that handles what is due,
   then sleeps until the next item is due (at most a second) or until it is woken after a change queued one; the
   wakes of a short while after a look are answered by the next look, so that a busy service queues many items per
   look (and its claims and records, shared writes, stay few). */
#ifndef ARAYIS_SERVICE_DRAINER_H
#define ARAYIS_SERVICE_DRAINER_H

#include "core/bgthread.h"
#include "store/store.h"

typedef struct drainer {
    store *store;
    int (*drain)(void *owner, bgthread *t);                /* handles what is due now (stopping early when t is
                                                              stopping); returns how many, or -1 */
    int batch;                                             /* the most one look handles: after a whole batch, more
                                                              may be due, and the next look follows at once */
    int (*next_due_ms)(db *d, long long *due_ms, err *e);  /* when the next item is due, 0 when none */
    void *owner;
    bgthread *thread;                                      /* set by drainer_start */
    long long drained_ms;                                  /* the thread's: when it last looked for due items */
} drainer;

/* Claims, in one statement, those of the n rows ids that are still due at due_ms, until until_ms; writes the ids it
   took into taken. Returns how many, or -1 with e set (outbox_claim, events_claim). */
typedef int (*drainer_claim_fn)(db *d, const long long *ids, int n, long long due_ms, long long until_ms,
                                long long *taken, err *e);

/* The row id of one item. */
typedef long long (*drainer_id_fn)(const void *item);

/* When other processes drain the same outbox (a shared database: several nodes), claims the n items (at most
   LEASE_BATCH_MAX, each of size bytes) read as due at due_ms, in one durable write, and keeps those claimed at the
   front of items, in order. Returns how many the caller may handle (n when nothing needs claiming), or -1 with e
   set (handle none). */
int drainer_claim(drainer *dr, void *items, int n, size_t size, drainer_id_fn id_of, drainer_claim_fn claim,
                  long long due_ms, long long until_ms, err *e);

/* Starts dr's thread (name: a literal, for error messages). dr must stay where it is until drainer_stop. Returns 0,
   or -1 with e set. */
int drainer_start(drainer *dr, const char *name, err *e);

/* Wakes the thread to look for due items now. */
void drainer_wake(drainer *dr);

/* Stops the thread after the item in hand. */
void drainer_stop(drainer *dr);

#endif
