/* The committer thread: takes all queued writes at once and commits them together, in one transaction without the
   writes that fail. */
#include "store/groupcommit.h"

#include <limits.h>

#include <pthread.h>
#include <stdlib.h>

#include "core/bgthread.h"

/* The two parts of a write: the one before the group takes the write order, and the one after. */
enum { PART_UNORDERED, PART_ORDERED, PARTS };

typedef struct write_item {
    store_work parts[PARTS];    /* a part may be NULL */
    void *ctx;
    err error;
    int rc;
    int done;                   /* set under the lock once the item's group has ended */
    pthread_cond_t finished;    /* its requester waits here for done, woken alone */
    int failed;                 /* its work failed: the group goes on without it */
    long long first[PARTS], last[PARTS]; /* the numbers of each part's statements in the current try */
    struct write_item *next;
} write_item;

struct group_commit {
    db_pool *connections;
    checkpointer *checkpointer;
    bgthread *thread;           /* its lock guards the queue and the items' done flags */
    write_item *head, *tail;
    int ready;                  /* the committer's connection is watched by the checkpointer */
};

/* The committer's connection; on first use its commits start being watched by the checkpointer. Returns NULL with
   e set. */
static db *committer_connection(group_commit *g, err *e)
{
    db *d = db_pool_get(g->connections, e);
    if (d == NULL || g->ready)
        return d;
    if (g->checkpointer != NULL)
        checkpointer_watch(g->checkpointer, d);
    g->ready = 1;
    return d;
}

/* Takes every item queued so far. */
static write_item *take_queue(group_commit *g)
{
    bgthread_lock(g->thread);
    write_item *items = g->head;
    g->head = g->tail = NULL;
    bgthread_unlock(g->thread);
    return items;
}

/* 1 when statement number n is one of it's in the current try. */
static int statement_of(const write_item *it, long long n)
{
    for (int part = 0; part < PARTS; part++)
        if (n >= it->first[part] && n <= it->last[part])
            return 1;
    return 0;
}

/* After a failure e in a part of `current` (NULL: in taking the write order or the commit): marks failed the item
   whose statement failed, found by its number (a deferred statement of an earlier item may fail while a later one
   runs), or else current, whose work failed on its own. Returns 1 (the transaction is to be tried again without
   it), or -1 with group_error set when the failure is the transaction's, not an item's (its connection lost, the
   engine gave it up, the commit failed). */
static int blame(db *d, write_item *items, write_item *current, const err *e, err *group_error)
{
    long long failed = db_failed_statement(d);
    write_item *culprit = failed < 0 ? current : NULL;
    for (write_item *it = items; culprit == NULL && it != NULL; it = it->next)
        if (!it->failed && statement_of(it, failed))
            culprit = it;
    if (culprit == NULL || !db_in_transaction(d)) {
        *group_error = *e;
        return -1;
    }
    culprit->failed = 1;
    culprit->rc = -1;
    culprit->error = *e;
    return 1;
}

/* Runs one part of every item not failed. Returns 0, or as try_group. */
static int run_part(db *d, write_item *items, int part, err *group_error)
{
    for (write_item *it = items; it != NULL; it = it->next) {
        if (it->failed || it->parts[part] == NULL)
            continue;
        it->first[part] = db_statement_count(d) + 1;
        it->last[part] = LLONG_MAX; /* while it runs, every statement sent is its */
        if (it->parts[part](d, it->ctx, &it->error) != 0)
            return blame(d, items, it, &it->error, group_error);
        it->last[part] = db_statement_count(d);
    }
    return 0;
}

/* One try in the open transaction: the unordered part of every item not failed, the write order, their ordered
   part, then COMMIT. Returns 0 (committed), 1 (an item failed and is marked: roll back and try again without it)
   or -1 with group_error set. */
static int try_group(db *d, write_item *items, err *group_error)
{
    db_forget_failure(d);
    for (write_item *it = items; it != NULL; it = it->next) {
        if (!it->failed)
            it->error = (err){0};
        for (int part = 0; part < PARTS; part++) { /* no statement yet */
            it->first[part] = 1;
            it->last[part] = 0;
        }
    }
    int rc = run_part(d, items, PART_UNORDERED, group_error);
    if (rc != 0)
        return rc;
    err step_error = {0};
    if (db_take_order(d, &step_error) != 0)
        return blame(d, items, NULL, &step_error, group_error);
    if ((rc = run_part(d, items, PART_ORDERED, group_error)) != 0)
        return rc;
    return db_commit(d, &step_error) == 0 ? 0 : blame(d, items, NULL, &step_error, group_error);
}

/* One transaction for all items queued by the time it has begun (what is queued while it runs waits for the next
   one; on PostgreSQL the write order is taken after the unordered parts, while the other nodes' transactions keep
   it). An item whose work fails (a constraint, a refused value: found by the number of the failed statement) is
   left out and the others are run again in a new transaction, so that a failed item leaves nothing behind and
   spares its group; a group needs no savepoints, and on PostgreSQL its deferred writes go out together. When the
   transaction fails as a whole (connection lost, disk full, COMMIT refused), every item left fails with that error,
   since none of them was stored. Returns the items. */
static write_item *run_group(group_commit *g)
{
    err group_error = {0};
    db *d = committer_connection(g, &group_error);
    int outcome = d != NULL && db_begin_unordered(d, &group_error) == 0 ? 1 : -1;
    write_item *items = take_queue(g);
    if (outcome == 1)
        outcome = try_group(d, items, &group_error);
    while (outcome == 1) {
        db_rollback(d);
        outcome = db_begin_unordered(d, &group_error) == 0 ? try_group(d, items, &group_error) : -1;
    }
    if (outcome == 0) {
        for (write_item *it = items; it != NULL; it = it->next)
            if (!it->failed)
                it->rc = 0;
        return items;
    }
    if (d != NULL)
        db_rollback(d);
    for (write_item *it = items; it != NULL; it = it->next) {
        if (!it->failed) {
            it->rc = -1;
            it->error = group_error;
        }
    }
    return items;
}

/* Runs everything queued as one group and tells its requesters; at the stop, ends once the queue is empty. */
static long long committer_step(bgthread *t, void *ctx)
{
    group_commit *g = ctx;
    if (g->head == NULL)
        return bgthread_stopping(t) ? BGTHREAD_EXIT : BGTHREAD_IDLE;
    bgthread_unlock(t);
    write_item *items = run_group(g);
    bgthread_lock(t);
    for (write_item *it = items; it != NULL; it = it->next) { /* its requester returns once the lock is let go */
        it->done = 1;
        pthread_cond_signal(&it->finished);
    }
    return BGTHREAD_AGAIN;
}

group_commit *group_commit_start(db_pool *connections, checkpointer *cp, err *e)
{
    group_commit *g = calloc(1, sizeof *g);
    if (g == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    g->connections = connections;
    g->checkpointer = cp;
    if ((g->thread = bgthread_start("committer thread", 1, committer_step, g, e)) == NULL) {
        free(g);
        return NULL;
    }
    return g;
}

void group_commit_stop(group_commit *g)
{
    if (g == NULL)
        return;
    bgthread_stop(g->thread);
    free(g);
}

int group_commit_run(group_commit *g, store_work unordered, store_work work, void *ctx, err *e)
{
    write_item it = {.parts = {unordered, work}, .ctx = ctx};
    if (pthread_cond_init(&it.finished, NULL) != 0)
        return err_set(e, ERR_NOMEM, "cannot wait for the committer: no condition variable");
    bgthread_lock(g->thread);
    if (g->tail != NULL)
        g->tail->next = &it;
    else
        g->head = &it;
    g->tail = &it;
    bgthread_wake_locked(g->thread);
    while (!it.done)
        pthread_cond_wait(&it.finished, bgthread_mutex(g->thread));
    bgthread_unlock(g->thread);
    pthread_cond_destroy(&it.finished);
    if (it.rc != 0 && e != NULL)
        *e = it.error;
    return it.rc;
}
