/* The committer thread: takes all queued writes at once, runs each in its own savepoint, commits them together. */
#include "store/groupcommit.h"

#include <pthread.h>
#include <stdlib.h>

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
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t queued;      /* the committer waits here for work */
    pthread_cond_t finished;    /* requesters wait here for the end of their group */
    write_item *head, *tail;
    int stopping;
};

static const char SQL_SAVEPOINT[] = "SAVEPOINT item";
static const char SQL_RELEASE[] = "RELEASE item";
static const char SQL_ROLLBACK_TO[] = "ROLLBACK TO item";

static int exec_cached(db *d, const char *sql, err *e)
{
    sqlite3_stmt *st = db_stmt(d, sql, e);
    return st != NULL ? db_exec_stmt(d, st, e) : -1;
}

/* Runs one item in its savepoint; a failed item leaves nothing behind. Returns 0 or -1 with the item's error set. */
static int run_item(db *d, write_item *it)
{
    if (exec_cached(d, SQL_SAVEPOINT, &it->error) != 0)
        return -1;
    if (it->work(d, it->ctx, &it->error) == 0)
        return exec_cached(d, SQL_RELEASE, &it->error);
    if (!sqlite3_get_autocommit(db_handle(d))) {
        err ignored = {0};
        exec_cached(d, SQL_ROLLBACK_TO, &ignored);
        exec_cached(d, SQL_RELEASE, &ignored);
    }
    return -1;
}

/* One transaction for all items. When SQLite gives up the transaction (disk full, I/O error) or COMMIT fails,
   every item of the group fails with that error, since none of them was stored. */
static void run_group(group_commit *g, write_item *items)
{
    err group_error = {0};
    db *d = db_pool_get(g->connections, &group_error);
    int ok = d != NULL && db_begin(d, &group_error) == 0;
    for (write_item *it = items; ok && it != NULL; it = it->next) {
        it->rc = run_item(d, it);
        if (sqlite3_get_autocommit(db_handle(d))) {
            group_error = it->error;
            ok = 0;
        }
    }
    if (ok && db_commit(d, &group_error) == 0)
        return;
    if (d != NULL)
        db_rollback(d);
    for (write_item *it = items; it != NULL; it = it->next) {
        if (it->rc == 0) {
            it->rc = -1;
            it->error = group_error;
        }
    }
}

static void *committer_main(void *arg)
{
    group_commit *g = arg;
    err e = {0};
    db *d = db_pool_get(g->connections, &e);
    if (d != NULL)
        checkpointer_watch(g->checkpointer, db_handle(d));
    pthread_mutex_lock(&g->lock);
    for (;;) {
        while (g->head == NULL && !g->stopping)
            pthread_cond_wait(&g->queued, &g->lock);
        if (g->head == NULL)
            break;
        write_item *items = g->head;
        g->head = g->tail = NULL;
        pthread_mutex_unlock(&g->lock);
        run_group(g, items);
        pthread_mutex_lock(&g->lock);
        for (write_item *it = items; it != NULL; it = it->next)
            it->done = 1;
        pthread_cond_broadcast(&g->finished);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

static void group_free(group_commit *g)
{
    pthread_cond_destroy(&g->finished);
    pthread_cond_destroy(&g->queued);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

group_commit *group_commit_start(db_pool *connections, checkpointer *cp, err *e)
{
    group_commit *g = calloc(1, sizeof *g);
    if (g == NULL) {
        err_set(e, ERR_IO, "out of memory");
        return NULL;
    }
    g->connections = connections;
    g->checkpointer = cp;
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->queued, NULL);
    pthread_cond_init(&g->finished, NULL);
    if (pthread_create(&g->thread, NULL, committer_main, g) != 0) {
        err_set(e, ERR_IO, "cannot start the committer thread");
        group_free(g);
        return NULL;
    }
    return g;
}

void group_commit_stop(group_commit *g)
{
    if (g == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    g->stopping = 1;
    pthread_cond_signal(&g->queued);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    group_free(g);
}

int group_commit_run(group_commit *g, store_work work, void *ctx, err *e)
{
    write_item it = {.work = work, .ctx = ctx};
    pthread_mutex_lock(&g->lock);
    if (g->tail != NULL)
        g->tail->next = &it;
    else
        g->head = &it;
    g->tail = &it;
    pthread_cond_signal(&g->queued);
    while (!it.done)
        pthread_cond_wait(&g->finished, &g->lock);
    pthread_mutex_unlock(&g->lock);
    if (it.rc != 0 && e != NULL)
        *e = it.error;
    return it.rc;
}
