/* The loop of an outbox drainer (SMS sender, webhook deliverer): one background thread that handles what is due,
   then sleeps until the next item is due (at most a second) or until it is woken after a change queued one. */
#ifndef ARAYIS_SERVICE_DRAINER_H
#define ARAYIS_SERVICE_DRAINER_H

#include "core/bgthread.h"
#include "store/store.h"

typedef struct drainer {
    store *store;
    int (*drain)(void *owner, bgthread *t);                /* handles what is due now (stopping early when t is
                                                              stopping); returns how many, or -1 */
    int (*next_due_ms)(db *d, long long *due_ms, err *e);  /* when the next item is due, 0 when none */
    void *owner;
    bgthread *thread;                                      /* set by drainer_start */
} drainer;

/* Takes one item for this process until until_ms. Returns 1 taken, 0 taken by another process first, -1 error. */
typedef int (*drainer_claim_fn)(db *d, void *item, long long until_ms, err *e);

/* When other processes drain the same outbox (a shared database: several nodes), claims each of the n items of
   size bytes at items with claim(), all in one durable write, and keeps those claimed at the front of items, in
   order. Returns how many the caller may handle (n when nothing needs claiming), or -1 with e set (handle none). */
int drainer_claim(drainer *dr, void *items, int n, size_t size, drainer_claim_fn claim, long long until_ms, err *e);

/* Starts dr's thread (name: a literal, for error messages). dr must stay where it is until drainer_stop. Returns 0,
   or -1 with e set. */
int drainer_start(drainer *dr, const char *name, err *e);

/* Wakes the thread to look for due items now. */
void drainer_wake(drainer *dr);

/* Stops the thread after the item in hand. */
void drainer_stop(drainer *dr);

#endif
