/* A checkpoint runs in two passes: a PASSIVE one beside the committer, which copies almost the whole WAL, then a
   PASSIVE one under the writer lock for the few frames committed meanwhile, so that the WAL is fully copied and the
   next commit starts it over instead of letting it grow. */
#include "store/checkpointer.h"

#include <stdlib.h>

#include "core/log.h"

#define CHECKPOINT_PAGES 1000 /* SQLite's own automatic threshold (about 4 MB of WAL) */

struct checkpointer {
    db_pool *connections;
    pthread_mutex_t *writer;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int requested;
    int stopping;
};

static int on_commit(void *ctx, sqlite3 *handle, const char *schema, int pages)
{
    (void)handle;
    (void)schema;
    checkpointer *c = ctx;
    if (pages >= CHECKPOINT_PAGES) {
        pthread_mutex_lock(&c->lock);
        c->requested = 1;
        pthread_cond_signal(&c->wake);
        pthread_mutex_unlock(&c->lock);
    }
    return SQLITE_OK;
}

void checkpointer_watch(checkpointer *c, sqlite3 *writer)
{
    sqlite3_wal_hook(writer, on_commit, c);
}

static void checkpoint(checkpointer *c)
{
    err e = {0};
    db *d = db_pool_get(c->connections, &e);
    int rc = d ? sqlite3_wal_checkpoint_v2(db_handle(d), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) : SQLITE_ERROR;
    if (rc == SQLITE_OK) {
        pthread_mutex_lock(c->writer);
        rc = sqlite3_wal_checkpoint_v2(db_handle(d), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_unlock(c->writer);
    }
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        log_printf(LOG_WARN, "checkpoint_failed", "%s", d ? sqlite3_errmsg(db_handle(d)) : e.msg);
}

static void *checkpointer_main(void *arg)
{
    checkpointer *c = arg;
    pthread_mutex_lock(&c->lock);
    while (!c->stopping) {
        if (!c->requested) {
            pthread_cond_wait(&c->wake, &c->lock);
            continue;
        }
        c->requested = 0;
        pthread_mutex_unlock(&c->lock);
        checkpoint(c);
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

checkpointer *checkpointer_start(db_pool *connections, err *e)
{
    checkpointer *c = calloc(1, sizeof *c);
    if (c == NULL) {
        err_set(e, ERR_IO, "out of memory");
        return NULL;
    }
    c->connections = connections;
    c->writer = db_pool_writer(connections);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    if (pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) {
        pthread_cond_destroy(&c->wake);
        pthread_mutex_destroy(&c->lock);
        free(c);
        err_set(e, ERR_IO, "cannot start the checkpoint thread");
        return NULL;
    }
    return c;
}

void checkpointer_stop(checkpointer *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    c->stopping = 1;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    free(c);
}
