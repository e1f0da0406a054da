/* The store as the rest of the service sees it: the database opened and migrated, a connection per thread, and
   the committer and checkpointer threads that every durable write goes through. */
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"


#include "store/checkpointer.h"
#include "store/groupcommit.h"
#include "store/schema.h"


struct store {
    db_pool *connections;
    checkpointer *checkpointer;
    group_commit *committer;
};

static int user_version(db *d, int *version, err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db_handle(d), "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return db_fail(d, e, "read schema version");
    }
    *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

/* Fails when a migration left a row pointing at a missing parent. */
static int check_foreign_keys(db *d, err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db_handle(d), "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
        return db_fail(d, e, "check foreign keys");
    int rc = sqlite3_step(st);
    int result = rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW ? err_set(e, ERR_CONFLICT,
                                                                      "a migration broke a reference from table %s",
                                                                      (const char *)sqlite3_column_text(st, 0))
                                                          : db_fail(d, e, "check foreign keys");
    sqlite3_finalize(st);
    return result;
}

/* Runs each pending migration in a transaction of its own. Foreign keys are off meanwhile (SQLite's procedure for
   rebuilding a table that others reference) and checked before each commit. */
static int migrate(db *d, err *e)
{
    size_t count;
    const char *const *scripts = schema_migrations(&count);
    int version = 0, rc = 0;
    if (user_version(d, &version, e) != 0)
        return -1;
    if (version < 0 || (size_t)version > count)
        return err_set(e, ERR_VERSION, "database schema version %d is newer than this build (%zu)", version, count);
    if ((size_t)version < count && db_exec_sql(d, "PRAGMA foreign_keys=OFF;", e) != 0)
        return -1;
    for (size_t v = (size_t)version; v < count && rc == 0; v++) {
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version=%zu;", v + 1);
        if ((rc = db_begin(d, e)) != 0)
            break;
        if ((rc = db_exec_sql(d, scripts[v], e) == 0 && check_foreign_keys(d, e) == 0 && db_exec_sql(d, bump, e) == 0 &&
                      db_commit(d, e) == 0
                  ? 0
                  : -1) != 0)
            db_rollback(d);
    }
    if ((size_t)version < count && db_exec_sql(d, "PRAGMA foreign_keys=ON;", e) != 0)
        rc = -1;
    return rc;
}

int store_schema_version(void)
{
    size_t count;
    schema_migrations(&count);
    return (int)count;
}

store *store_open(const char *data_dir, err *e)
{
    store *s = calloc(1, sizeof *s);
    buf path = BUF_INIT;
    if (s == NULL) {
        err_set(e, ERR_IO, "out of memory");
        return NULL;
    }
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST) {
        err_set(e, ERR_IO, "cannot create data directory: %s", strerror(errno));
        goto fail;
    }
    if (buf_printf(&path, "%s/arayis.db", data_dir) != 0) {
        err_set(e, ERR_IO, "out of memory");
        goto fail;
    }
    if ((s->connections = db_pool_new(buf_cstr(&path), e)) == NULL)
        goto fail;
    db *d = db_pool_get(s->connections, e);
    if (d == NULL || migrate(d, e) != 0 || (s->checkpointer = checkpointer_start(s->connections, e)) == NULL ||
        (s->committer = group_commit_start(s->connections, s->checkpointer, e)) == NULL)
        goto fail;
    buf_free(&path);
    return s;
fail:
    buf_free(&path);
    store_close(s);
    return NULL;
}

void store_close(store *s)
{
    if (s == NULL)
        return;
    group_commit_stop(s->committer);
    checkpointer_stop(s->checkpointer);
    db_pool_free(s->connections);
    free(s);
}

db *store_db(store *s, err *e)
{
    return db_pool_get(s->connections, e);
}

int store_write(store *s, store_work work, void *ctx, err *e)
{
    return group_commit_run(s->committer, work, ctx, e);
}

static const char SQL_PING[] = "SELECT count(*) FROM api_keys";

int store_ping(store *s, err *e)
{
    db *d = store_db(s, e);
    sqlite3_stmt *st = d ? db_stmt(d, SQL_PING, e) : NULL;
    if (st == NULL)
        return -1;
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : db_fail(d, e, "ping the database");
    sqlite3_reset(st);
    return rc;
}
