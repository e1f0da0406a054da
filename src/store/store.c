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

static const char SQL_USER_VERSION[] = "PRAGMA user_version";
static const char SQL_FOREIGN_KEY_CHECK[] = "PRAGMA foreign_key_check";

struct store {
    db_pool *connections;
    checkpointer *checkpointer;
    group_commit *committer;
};

static int read_version(sqlite3_stmt *st, void *ctx, err *e)
{
    (void)e;
    *(int *)ctx = sqlite3_column_int(st, 0);
    return 0;
}

static int user_version(db *d, int *version, err *e)
{
    sqlite3_stmt *st = db_stmt(d, SQL_USER_VERSION, e);
    if (st == NULL)
        return -1;
    int rc = db_step_one(d, st, read_version, version, "read schema version", e);
    return rc == 1 ? 0 : rc == 0 ? err_set(e, ERR_INTERNAL, "read schema version: no row") : -1;
}

static int broken_reference(sqlite3_stmt *st, void *ctx, err *e)
{
    (void)ctx;
    const char *table = (const char *)sqlite3_column_text(st, 0);
    return err_set(e, ERR_CONFLICT, "a migration broke a reference from table %s", table ? table : "?");
}

/* Fails when a migration left a row pointing at a missing parent. */
static int check_foreign_keys(db *d, err *e)
{
    sqlite3_stmt *st = db_stmt(d, SQL_FOREIGN_KEY_CHECK, e);
    if (st == NULL)
        return -1;
    return db_step_one(d, st, broken_reference, NULL, "check foreign keys", e) == 0 ? 0 : -1;
}

/* One migration: its script and its number (0-based). */
typedef struct migration {
    const char *script;
    size_t index;
} migration;

/* Applies a migration and records its number as the schema version. Runs inside the migration's transaction. */
static int apply_migration(db *d, void *ctx, err *e)
{
    const migration *m = ctx;
    char bump[64];
    snprintf(bump, sizeof bump, "PRAGMA user_version=%zu;", m->index + 1);
    if (db_exec_sql(d, m->script, e) != 0 || check_foreign_keys(d, e) != 0)
        return -1;
    return db_exec_sql(d, bump, e);
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
    if ((size_t)version == count)
        return 0;
    if (db_exec_sql(d, "PRAGMA foreign_keys=OFF;", e) != 0)
        return -1;
    for (size_t v = (size_t)version; v < count && rc == 0; v++) {
        migration m = {scripts[v], v};
        rc = db_transaction(d, apply_migration, &m, e);
    }
    err restore = {0};
    if (db_exec_sql(d, "PRAGMA foreign_keys=ON;", &restore) != 0 && rc == 0) {
        *e = restore;
        rc = -1;
    }
    return rc;
}

int store_schema_version(void)
{
    size_t count;
    schema_migrations(&count);
    return (int)count;
}

/* Opens the pool on data_dir/arayis.db and migrates the database. Returns 0 or -1 with e set. */
static int open_database(store *s, const char *data_dir, err *e)
{
    buf path = BUF_INIT;
    int rc = -1;
    if (buf_printf(&path, "%s/arayis.db", data_dir) != 0) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((s->connections = db_pool_new(buf_cstr(&path), e)) == NULL)
        goto out;
    db *d = db_pool_get(s->connections, e);
    if (d == NULL || migrate(d, e) != 0)
        goto out;
    rc = 0;
out:
    buf_free(&path);
    return rc;
}

store *store_open(const char *data_dir, err *e)
{
    store *s = calloc(1, sizeof *s);
    if (s == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST) {
        err_set(e, ERR_IO, "cannot create data directory: %s", strerror(errno));
        goto fail;
    }
    if (open_database(s, data_dir, e) != 0 || (s->checkpointer = checkpointer_start(s->connections, e)) == NULL ||
        (s->committer = group_commit_start(s->connections, s->checkpointer, e)) == NULL)
        goto fail;
    return s;
fail:
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
