/* Background threads: one or more threads that share a lock, a condition variable, a stop flag and a wake, and
   run a step function of their owner each time they wake. The start / wake / sleep / stop loop lives here once. */
#ifndef ARAYIS_CORE_BGTHREAD_H
#define ARAYIS_CORE_BGTHREAD_H

#include <pthread.h>

#include "core/err.h"

typedef struct bgthread bgthread;

/* What a step returns: BGTHREAD_AGAIN to be called again at once, BGTHREAD_IDLE to sleep until woken or stopped,
   BGTHREAD_EXIT to end the thread, or a positive number of milliseconds to sleep at most (waking earlier when
   woken or stopped). */
#define BGTHREAD_AGAIN 0LL
#define BGTHREAD_IDLE (-1LL)
#define BGTHREAD_EXIT (-2LL)

/* One turn of the owner's work. Called on a background thread with the lock held; a step that does slow work
   drops the lock around it (bgthread_unlock, then bgthread_lock) and so must re-check its state afterwards. A step
   decides by itself when to end: after bgthread_stop it is still called (bgthread_stopping is then true) until it
   returns BGTHREAD_EXIT, so it may finish queued work first. */
typedef long long (*bgthread_step)(bgthread *t, void *ctx);

/* Starts threads threads (1 or more) running step(t, ctx), the first call at once. name is for error messages
   (a literal). Returns NULL with e set (ERR_NOMEM). */
bgthread *bgthread_start(const char *name, unsigned threads, bgthread_step step, void *ctx, err *e);

/* Sets the stop flag, wakes every thread, waits for each step to return BGTHREAD_EXIT and frees t. Must not be
   called from one of t's threads nor with the lock held. t may be NULL. */
void bgthread_stop(bgthread *t);

/* Wakes one sleeping thread; a wake that comes while no thread sleeps makes the next sleep return at once. */
void bgthread_wake(bgthread *t);

/* The same with the lock already held, for owners that change the state their step reads under the lock. */
void bgthread_wake_locked(bgthread *t);

/* The lock that guards the owner's shared state (and is held during steps). */
void bgthread_lock(bgthread *t);
void bgthread_unlock(bgthread *t);

/* The lock itself, for an owner that waits on a condition variable of its own under it. */
pthread_mutex_t *bgthread_mutex(bgthread *t);

/* True once bgthread_stop has been called; may be read without the lock (by a step that dropped it). */
int bgthread_stopping(bgthread *t);

#endif
