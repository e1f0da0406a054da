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

static int user_version(db *d, long long *version, err *e)
{
    stmt *st = db_stmt(d, SQL_USER_VERSION, e);
    if (st == NULL)
        return -1;
    return db_one_int64(st, version, "read schema version", e);
}

static int broken_reference(stmt *st, void *ctx, err *e)
{
    (void)ctx;
    const char *table = stmt_column_text(st, 0);
    return err_set(e, ERR_CONFLICT, "a migration broke a reference from table %s", table ? table : "?");
}

/* Fails when a migration left a row pointing at a missing parent. */
static int check_foreign_keys(db *d, err *e)
{
    stmt *st = db_stmt(d, SQL_FOREIGN_KEY_CHECK, e);
    if (st == NULL)
        return -1;
    return db_step_one(st, broken_reference, NULL, "check foreign keys", e) == 0 ? 0 : -1;
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

/* Refuses a schema newer than this build's count of migrations. */
static int check_not_newer(long long version, size_t count, err *e)
{
    if (version < 0 || (unsigned long long)version > count)
        return err_set(e, ERR_VERSION, "database schema version %lld is newer than this build (%zu)", version, count);
    return 0;
}

/* Runs each pending migration in a transaction of its own. Foreign keys are off meanwhile (SQLite's procedure for
   rebuilding a table that others reference) and checked before each commit. */
static int migrate_sqlite(db *d, err *e)
{
    size_t count;
    const char *const *scripts = schema_migrations(&count);
    long long version = 0;
    int rc = 0;
    if (user_version(d, &version, e) != 0 || check_not_newer(version, count, e) != 0)
        return -1;
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

static const char SQL_PG_VERSION[] = "SELECT coalesce(max(version), 0) FROM schema_version";
static const char SQL_PG_SET_VERSION[] = "UPDATE schema_version SET version = ?1";

/* Applies every pending PostgreSQL migration in one transaction, which the write lock of db_begin keeps to one node
   at a time when several start together. */
static int migrate_postgres_locked(db *d, void *ctx, err *e)
{
    (void)ctx;
    size_t count;
    const char *const *scripts = schema_postgres_migrations(&count);
    long long version = 0;
    if (db_exec_sql(d, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);"
                       " INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);", e) != 0)
        return -1;
    stmt *read = db_stmt(d, SQL_PG_VERSION, e);
    if (read == NULL || db_one_int64(read, &version, "read schema version", e) != 0 ||
        check_not_newer(version, count, e) != 0)
        return -1;
    for (size_t v = (size_t)version; v < count; v++)
        if (db_exec_sql(d, scripts[v], e) != 0)
            return -1;
    stmt *set = db_stmt(d, SQL_PG_SET_VERSION, e);
    if (set == NULL || stmt_bind_int64(set, 1, (long long)count) != 0)
        return -1;
    return db_exec_stmt(set, e);
}

static int migrate(db *d, err *e)
{
    return db_is_embedded(d) ? migrate_sqlite(d, e) : db_transaction(d, migrate_postgres_locked, NULL, e);
}

int store_schema_version(const db_engine *engine)
{
    size_t count;
    if (engine == &db_engine_postgres)
        schema_postgres_migrations(&count);
    else
        schema_migrations(&count);
    return (int)count;
}

/* Opens the pool on the database at target and migrates it. Returns 0 or -1 with e set. */
static int open_database(store *s, const db_engine *engine, const char *target, err *e)
{
    if ((s->connections = db_pool_new(engine, target, e)) == NULL)
        return -1;
    db *d = db_pool_get(s->connections, e);
    return d != NULL && migrate(d, e) == 0 ? 0 : -1;
}

/* Opens the SQLite database file at path with its checkpointer. */
static int open_sqlite_file(store *s, const char *path, err *e)
{
    if (open_database(s, &db_engine_sqlite, path, e) != 0)
        return -1;
    return (s->checkpointer = checkpointer_start(s->connections, e)) != NULL ? 0 : -1;
}

/* Opens the SQLite database data_dir/arayis.db, creating data_dir (0700) if missing. */
static int open_sqlite(store *s, const char *data_dir, err *e)
{
    buf path = BUF_INIT;
    int rc = -1;
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST) {
        err_set(e, ERR_IO, "cannot create data directory: %s", strerror(errno));
        goto out;
    }
    if (buf_printf(&path, "%s/arayis.db", data_dir) != 0) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = open_sqlite_file(s, buf_cstr(&path), e);
out:
    buf_free(&path);
    return rc;
}

static int open_postgres(store *s, const char *url, err *e)
{
    return open_database(s, &db_engine_postgres, url, e);
}

/* A store opened by open(s, where, e), with its committer. */
static store *open_with(int (*open)(store *s, const char *where, err *e), const char *where, err *e)
{
    store *s = calloc(1, sizeof *s);
    if (s == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (open(s, where, e) != 0 || (s->committer = group_commit_start(s->connections, s->checkpointer, e)) == NULL)
        goto fail;
    return s;
fail:
    store_close(s);
    return NULL;
}

store *store_open(const char *data_dir, const char *database_url, err *e)
{
    if (database_url != NULL && database_url[0])
        return open_with(open_postgres, database_url, e);
    return open_with(open_sqlite, data_dir, e);
}

const db_engine *store_engine_of_target(const char *target)
{
    size_t word = strcspn(target, "=/");
    if (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0 || target[word] == '=')
        return &db_engine_postgres;
    return &db_engine_sqlite;
}

store *store_open_at(const db_engine *engine, const char *target, err *e)
{
    return open_with(engine == &db_engine_postgres ? open_postgres : open_sqlite_file, target, e);
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

int store_is_shared(const store *s)
{
    return db_pool_engine(s->connections) != &db_engine_sqlite;
}

db *store_db(store *s, err *e)
{
    return db_pool_get(s->connections, e);
}

int store_write(store *s, store_work work, void *ctx, err *e)
{
    return group_commit_run(s->committer, NULL, work, ctx, e);
}

int store_write_parts(store *s, store_work unordered, store_work ordered, void *ctx, err *e)
{
    return group_commit_run(s->committer, unordered, ordered, ctx, e);
}

static const char SQL_PING[] = "SELECT count(*) FROM api_keys";

static int read_nothing(stmt *st, void *ctx, err *e)
{
    (void)st;
    (void)ctx;
    (void)e;
    return 0;
}

int store_ping(store *s, err *e)
{
    db *d = store_db(s, e);
    stmt *st = d ? db_stmt(d, SQL_PING, e) : NULL;
    if (st == NULL)
        return -1;
    return db_step_one(st, read_nothing, NULL, "ping the database", e) == 1 ? 0 : -1;
}
