/* The embedded engine: SQLite connections in WAL mode, statements bound when they first run, SQLite's codes as
   error classes. */
#include "store/db_sqlite.h"

#include <stdlib.h>

#include "store/db_engine.h"

#define DB_BUSY_TIMEOUT_MS 5000

typedef struct sqlite_db {
    db base;
    sqlite3 *handle;
    int writing;                /* this connection holds the pool's writer lock */
} sqlite_db;

typedef struct sqlite_stmt {
    stmt base;
    sqlite3_stmt *handle;
    int running;                /* stepped since the last reset */
} sqlite_stmt;

static sqlite_db *lite(db *d)
{
    return (sqlite_db *)d;
}

static sqlite_stmt *lite_stmt(stmt *st)
{
    return (sqlite_stmt *)st;
}

sqlite3 *db_sqlite_handle(db *d)
{
    return d->engine == &db_engine_sqlite ? lite(d)->handle : NULL;
}

/* The class of an SQLite result code. */
static err_code code_of(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ERR_BUSY;
    case SQLITE_FULL:
        return ERR_FULL;
    case SQLITE_CONSTRAINT:
        return ERR_CONFLICT;
    case SQLITE_NOMEM:
        return ERR_NOMEM;
    case SQLITE_TOOBIG:
        return ERR_TOO_LONG;
    default:
        return ERR_IO;
    }
}

static int sqlite_fail(db *d, err *e, const char *what)
{
    sqlite3 *h = lite(d)->handle;
    if (h == NULL)
        return err_set(e, ERR_NOMEM, "%s: %s", what, sqlite3_errstr(SQLITE_NOMEM));
    return err_set(e, code_of(sqlite3_extended_errcode(h)), "%s: %s", what, sqlite3_errmsg(h));
}

static void sqlite_disconnect(db *d)
{
    sqlite3_close_v2(lite(d)->handle);
    free(d);
}

static int sqlite_exec_sql(db *d, const char *sql, err *e)
{
    if (sqlite3_exec(lite(d)->handle, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sqlite_fail(d, e, "sql");
    return 0;
}

static db *sqlite_connect(const char *path, pthread_mutex_t *writer, err *e)
{
    sqlite_db *s = calloc(1, sizeof *s);
    if (s == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->base.engine = &db_engine_sqlite;
    s->base.writer = writer;
    db *d = &s->base;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &s->handle, flags, NULL) != SQLITE_OK) {
        sqlite_fail(d, e, "open database");
        goto fail;
    }
    if (sqlite3_busy_timeout(s->handle, DB_BUSY_TIMEOUT_MS) != SQLITE_OK) {
        sqlite_fail(d, e, "set busy time-out");
        goto fail;
    }
    /* WAL with synchronous=FULL: a COMMIT returns only after the WAL is fsync'ed, so an answered
       request survives kill -9 and power loss alike. */
    if (sqlite_exec_sql(d, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", e) != 0)
        goto fail;
    return d;
fail:
    sqlite_disconnect(d);
    return NULL;
}

static int sqlite_broken(db *d)
{
    (void)d;
    return 0;
}

static stmt *sqlite_prepare(db *d, const char *sql, err *e)
{
    sqlite_stmt *st = calloc(1, sizeof *st);
    if (st == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (sqlite3_prepare_v3(lite(d)->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->handle, NULL) != SQLITE_OK) {
        sqlite_fail(d, e, "prepare");
        free(st);
        return NULL;
    }
    st->base.owner = d;
    st->base.sql = sql;
    return &st->base;
}

static void sqlite_finalize(stmt *st)
{
    sqlite3_finalize(lite_stmt(st)->handle);
    free(st);
}

/* Hands the bound parameters to SQLite (without copying them). */
static int bind_all(stmt *st)
{
    sqlite3_stmt *h = lite_stmt(st)->handle;
    int rc = SQLITE_OK;
    for (int i = 0; i < st->nparams && rc == SQLITE_OK; i++) {
        const db_param *p = &st->params[i];
        switch (p->type) {
        case DB_PARAM_NULL:
            rc = sqlite3_bind_null(h, i + 1);
            break;
        case DB_PARAM_TEXT:
            rc = sqlite3_bind_text(h, i + 1, p->data, (int)p->len, SQLITE_STATIC);
            break;
        case DB_PARAM_INT64:
            rc = sqlite3_bind_int64(h, i + 1, p->value);
            break;
        case DB_PARAM_BLOB:
            rc = sqlite3_bind_blob64(h, i + 1, p->data, p->len, SQLITE_STATIC);
            break;
        }
    }
    return rc;
}

static int sqlite_step(stmt *st, const char *what, err *e)
{
    sqlite_stmt *s = lite_stmt(st);
    if (!s->running) {
        s->running = 1;
        if (bind_all(st) != SQLITE_OK)
            return sqlite_fail(st->owner, e, what);
    }
    int rc = sqlite3_step(s->handle);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE) {
        st->owner->changes = sqlite3_changes64(lite(st->owner)->handle);
        return 0;
    }
    return sqlite_fail(st->owner, e, what);
}

static void sqlite_reset(stmt *st)
{
    sqlite_stmt *s = lite_stmt(st);
    if (s->running) {
        sqlite3_reset(s->handle);
        sqlite3_clear_bindings(s->handle);
        s->running = 0;
    }
}

static long long sqlite_column_int64(stmt *st, int col)
{
    return sqlite3_column_int64(lite_stmt(st)->handle, col);
}

static const char *sqlite_column_text(stmt *st, int col)
{
    return (const char *)sqlite3_column_text(lite_stmt(st)->handle, col);
}

static const void *sqlite_column_blob(stmt *st, int col, size_t *len)
{
    sqlite3_stmt *h = lite_stmt(st)->handle;
    const void *data = sqlite3_column_blob(h, col);
    *len = data ? (size_t)sqlite3_column_bytes(h, col) : 0;
    return data;
}

static int sqlite_column_is_null(stmt *st, int col)
{
    return sqlite3_column_type(lite_stmt(st)->handle, col) == SQLITE_NULL;
}

static const char *sqlite_column_name(stmt *st, int col)
{
    return sqlite3_column_name(lite_stmt(st)->handle, col);
}

/* Releases the writer lock once the connection's transaction has ended. */
static void release_writer(sqlite_db *s)
{
    if (s->writing && sqlite3_get_autocommit(s->handle)) {
        s->writing = 0;
        pthread_mutex_unlock(s->base.writer);
    }
}

static int sqlite_begin(db *d, err *e)
{
    sqlite_db *s = lite(d);
    pthread_mutex_lock(d->writer);
    s->writing = 1;
    if (sqlite3_exec(s->handle, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    sqlite_fail(d, e, "begin");
    release_writer(s);
    return -1;
}

static int sqlite_commit(db *d, err *e)
{
    sqlite_db *s = lite(d);
    int rc = sqlite3_exec(s->handle, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : sqlite_fail(d, e, "commit");
    release_writer(s);
    return rc;
}

static void sqlite_rollback(db *d)
{
    sqlite_db *s = lite(d);
    if (!sqlite3_get_autocommit(s->handle))
        sqlite3_exec(s->handle, "ROLLBACK", NULL, NULL, NULL);
    release_writer(s);
}

static int sqlite_in_transaction(db *d)
{
    return !sqlite3_get_autocommit(lite(d)->handle);
}

const db_engine db_engine_sqlite = {
    .name = "sqlite",
    .embedded = 1,
    .connect = sqlite_connect,
    .broken = sqlite_broken,
    .disconnect = sqlite_disconnect,
    .exec_sql = sqlite_exec_sql,
    .prepare = sqlite_prepare,
    .finalize = sqlite_finalize,
    .step = sqlite_step,
    .reset = sqlite_reset,
    .column_int64 = sqlite_column_int64,
    .column_text = sqlite_column_text,
    .column_blob = sqlite_column_blob,
    .column_is_null = sqlite_column_is_null,
    .column_name = sqlite_column_name,
    .begin = sqlite_begin,
    .begin_snapshot_sql = "BEGIN DEFERRED", /* in WAL mode, the first read fixes the snapshot to the end */
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .in_transaction = sqlite_in_transaction,
    .fail = sqlite_fail,
};
