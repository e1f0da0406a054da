/* The committer thread: takes all queued writes at once, runs each in its own savepoint, commits them together. */
#include "store/groupcommit.h"

#include <stdlib.h>

#include "core/bgthread.h"

typedef struct write_item {
    store_work work;
    void *ctx;
    err error;
    int rc;
    int done;                   /* set under the lock once the item's group has ended */
    struct write_item *next;
} write_item;

struct group_commit {
    db_pool *connections;
    checkpointer *checkpointer;
    bgthread *thread;           /* its lock guards the queue and the items' done flags */
    pthread_cond_t finished;    /* requesters wait here for the end of their group */
    write_item *head, *tail;
    int ready;                  /* the committer's connection has its statements and is watched */
};

#define SAVEPOINT_SQL "SAVEPOINT item"
#define RELEASE_SQL "RELEASE item"
static const char SQL_SAVEPOINT[] = SAVEPOINT_SQL;
static const char SQL_RELEASE[] = RELEASE_SQL;
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO item";
static const char SQL_NEXT_SAVEPOINT[] = RELEASE_SQL "; " SAVEPOINT_SQL;

static int exec_cached(db *d, const char *sql, err *e)
{
    stmt *st = db_stmt(d, sql, e);
    return st != NULL ? db_exec_stmt(st, e) : -1;
}

/* Ends the savepoint of the item before and starts the next item's: two cached statements on SQLite, one round trip
   for both on PostgreSQL. (The last item's savepoint needs no release: COMMIT ends it.) Returns 0 or -1 with e
   set. */
static int next_savepoint(db *d, err *e)
{
    if (!db_is_embedded(d))
        return db_exec_sql(d, SQL_NEXT_SAVEPOINT, e);
    return exec_cached(d, SQL_RELEASE, e) == 0 ? exec_cached(d, SQL_SAVEPOINT, e) : -1;
}

/* Runs one item in the savepoint opened for it; a failed item is rolled back to that savepoint, so it leaves
   nothing behind. When the roll-back fails too, the whole transaction is rolled back (the caller finds no
   transaction open and fails the group). Returns 0 or -1 with the item's error set. */
static int run_item(db *d, write_item *it)
{
    if (it->work(d, it->ctx, &it->error) == 0)
        return 0;
    err undo = {0};
    if (db_in_transaction(d) && exec_cached(d, SQL_ROLLBACK_TO, &undo) != 0)
        db_rollback(d);
    return -1;
}

/* The committer's connection. On first use its savepoint statements are prepared (so that undoing an item needs
   no memory) and its commits start being watched by the checkpointer. Returns NULL with e set. */
static db *committer_connection(group_commit *g, err *e)
{
    db *d = db_pool_get(g->connections, e);
    if (d == NULL || g->ready)
        return d;
    if (db_stmt(d, SQL_SAVEPOINT, e) == NULL || db_stmt(d, SQL_RELEASE, e) == NULL ||
        db_stmt(d, SQL_ROLLBACK_TO, e) == NULL)
        return NULL;
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

/* One transaction for all items queued by the time it has begun: on PostgreSQL BEGIN waits for the other nodes'
   transactions, and what was queued meanwhile joins this one. When the engine gives up the transaction (disk full,
   I/O error) or COMMIT fails, every item of the group fails with that error, since none of them was stored. Returns
   the items. */
static write_item *run_group(group_commit *g)
{
    err group_error = {0};
    db *d = committer_connection(g, &group_error);
    int ok = d != NULL && db_begin(d, &group_error) == 0 && exec_cached(d, SQL_SAVEPOINT, &group_error) == 0;
    write_item *items = take_queue(g);
    for (write_item *it = items; ok && it != NULL; it = it->next) {
        if (it != items && next_savepoint(d, &group_error) != 0) {
            ok = 0;
            break;
        }
        it->rc = run_item(d, it);
        if (!db_in_transaction(d)) {
            group_error = it->error;
            ok = 0;
        }
    }
    if (ok && db_commit(d, &group_error) == 0)
        return items;
    if (d != NULL)
        db_rollback(d);
    for (write_item *it = items; it != NULL; it = it->next) {
        if (it->rc == 0) {
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
    for (write_item *it = items; it != NULL; it = it->next)
        it->done = 1;
    pthread_cond_broadcast(&g->finished);
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
    if (pthread_cond_init(&g->finished, NULL) != 0) {
        free(g);
        err_set(e, ERR_NOMEM, "cannot start the committer: no condition variable");
        return NULL;
    }
    if ((g->thread = bgthread_start("committer thread", 1, committer_step, g, e)) == NULL) {
        pthread_cond_destroy(&g->finished);
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
    pthread_cond_destroy(&g->finished);
    free(g);
}

int group_commit_run(group_commit *g, store_work work, void *ctx, err *e)
{
    write_item it = {.work = work, .ctx = ctx};
    bgthread_lock(g->thread);
    if (g->tail != NULL)
        g->tail->next = &it;
    else
        g->head = &it;
    g->tail = &it;
    bgthread_wake_locked(g->thread);
    while (!it.done)
        pthread_cond_wait(&g->finished, bgthread_mutex(g->thread));
    bgthread_unlock(g->thread);
    if (it.rc != 0 && e != NULL)
        *e = it.error;
    return it.rc;
}
