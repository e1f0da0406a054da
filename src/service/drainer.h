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

/* Starts dr's thread (name: a literal, for error messages). dr must stay where it is until drainer_stop. Returns 0,
   or -1 with e set. */
int drainer_start(drainer *dr, const char *name, err *e);

/* Wakes the thread to look for due items now. */
void drainer_wake(drainer *dr);

/* Stops the thread after the item in hand. */
void drainer_stop(drainer *dr);

#endif
