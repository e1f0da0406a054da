/* A checkpoint runs in two passes: a PASSIVE one beside the committer, which copies almost the whole WAL, then a
   PASSIVE one under the writer lock for the few frames committed meanwhile, so that the WAL is fully copied and the
   next commit starts it over instead of letting it grow. */
#include "store/checkpointer.h"

#include <stdlib.h>

#include "core/bgthread.h"
#include "core/log.h"
#include "store/db_sqlite.h"

#define CHECKPOINT_PAGES 1000 /* SQLite's own automatic threshold (about 4 MB of WAL) */

struct checkpointer {
    db_pool *connections;
    pthread_mutex_t *writer;
    bgthread *thread;
    int requested;              /* under the thread's lock: a commit left CHECKPOINT_PAGES or more in the WAL */
};

static int on_commit(void *ctx, sqlite3 *handle, const char *schema, int pages)
{
    (void)handle;
    (void)schema;
    checkpointer *c = ctx;
    if (pages >= CHECKPOINT_PAGES) {
        bgthread_lock(c->thread);
        c->requested = 1;
        bgthread_wake_locked(c->thread);
        bgthread_unlock(c->thread);
    }
    return SQLITE_OK;
}

void checkpointer_watch(checkpointer *c, db *writer)
{
    sqlite3_wal_hook(db_sqlite_handle(writer), on_commit, c);
}

static void checkpoint(checkpointer *c)
{
    err e = {0};
    db *d = db_pool_get(c->connections, &e);
    int rc = d ? sqlite3_wal_checkpoint_v2(db_sqlite_handle(d), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) : SQLITE_ERROR;
    if (rc == SQLITE_OK) {
        pthread_mutex_lock(c->writer);
        rc = sqlite3_wal_checkpoint_v2(db_sqlite_handle(d), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_unlock(c->writer);
    }
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        log_printf(LOG_WARN, "checkpoint_failed", "%s", d ? sqlite3_errmsg(db_sqlite_handle(d)) : e.msg);
}

/* Checkpoints once per request, outside the lock; ends at the stop without a last checkpoint (closing the last
   connection makes one). */
static long long checkpointer_step(bgthread *t, void *ctx)
{
    checkpointer *c = ctx;
    if (bgthread_stopping(t))
        return BGTHREAD_EXIT;
    if (!c->requested)
        return BGTHREAD_IDLE;
    c->requested = 0;
    bgthread_unlock(t);
    checkpoint(c);
    bgthread_lock(t);
    return BGTHREAD_AGAIN;
}

checkpointer *checkpointer_start(db_pool *connections, err *e)
{
    checkpointer *c = calloc(1, sizeof *c);
    if (c == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    c->connections = connections;
    c->writer = db_pool_writer(connections);
    if ((c->thread = bgthread_start("checkpoint thread", 1, checkpointer_step, c, e)) == NULL) {
        free(c);
        return NULL;
    }
    return c;
}

void checkpointer_stop(checkpointer *c)
{
    if (c == NULL)
        return;
    bgthread_stop(c->thread);
    free(c);
}
