/* SQLite connections (one per thread, through a pthread key), the statement cache, migrations and transactions. */
#include "store/db.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DB_STMT_CACHE 96
#define DB_BUSY_TIMEOUT_MS 5000

typedef struct cached_stmt {
    const char *sql;
    sqlite3_stmt *stmt;
} cached_stmt;

struct db {
    sqlite3 *handle;
    pthread_mutex_t *writer;     /* the store's: held from BEGIN to the end of the transaction */
    int writing;
    size_t nstmts;
    cached_stmt stmts[DB_STMT_CACHE];
};

struct db_pool {
    char *path;
    pthread_key_t key;
    /* Writers of this process queue here instead of in SQLite's busy handler, which sleeps in steps of
       milliseconds; the busy time-out still covers other processes (the CLI). */
    pthread_mutex_t writer;
};

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

int db_fail(db *d, err *e, const char *what)
{
    if (d == NULL || d->handle == NULL)
        return err_set(e, ERR_NOMEM, "%s: %s", what, sqlite3_errstr(SQLITE_NOMEM));
    return err_set(e, code_of(sqlite3_extended_errcode(d->handle)), "%s: %s", what, sqlite3_errmsg(d->handle));
}

static void db_free(void *p)
{
    db *d = p;
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->nstmts; i++)
        sqlite3_finalize(d->stmts[i].stmt);
    sqlite3_close_v2(d->handle);
    free(d);
}

int db_exec_sql(db *d, const char *sql, err *e)
{
    if (sqlite3_exec(d->handle, sql, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(d, e, "sql");
    return 0;
}

static db *db_connect(const char *path, pthread_mutex_t *writer, err *e)
{
    db *d = calloc(1, sizeof *d);
    if (d == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    d->writer = writer;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &d->handle, flags, NULL) != SQLITE_OK) {
        db_fail(d, e, "open database");
        goto fail;
    }
    if (sqlite3_busy_timeout(d->handle, DB_BUSY_TIMEOUT_MS) != SQLITE_OK) {
        db_fail(d, e, "set busy time-out");
        goto fail;
    }
    /* WAL with synchronous=FULL: a COMMIT returns only after the WAL is fsync'ed, so an answered
       request survives kill -9 and power loss alike. */
    if (db_exec_sql(d, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", e) != 0)
        goto fail;
    return d;
fail:
    db_free(d);
    return NULL;
}

db_pool *db_pool_new(const char *path, err *e)
{
    db_pool *p = calloc(1, sizeof *p);
    if (p == NULL || (p->path = strdup(path)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (pthread_key_create(&p->key, db_free) != 0) {
        err_set(e, ERR_NOMEM, "cannot make a per-thread connection key");
        goto fail;
    }
    if (pthread_mutex_init(&p->writer, NULL) != 0) {
        pthread_key_delete(p->key);
        err_set(e, ERR_NOMEM, "cannot make the writer lock");
        goto fail;
    }
    return p;
fail:
    if (p != NULL)
        free(p->path);
    free(p);
    return NULL;
}

void db_pool_free(db_pool *p)
{
    if (p == NULL)
        return;
    db_free(pthread_getspecific(p->key));
    pthread_setspecific(p->key, NULL);
    pthread_key_delete(p->key);
    pthread_mutex_destroy(&p->writer);
    free(p->path);
    free(p);
}

db *db_pool_get(db_pool *p, err *e)
{
    db *d = pthread_getspecific(p->key);
    if (d != NULL)
        return d;
    d = db_connect(p->path, &p->writer, e);
    if (d != NULL && pthread_setspecific(p->key, d) != 0) {
        db_free(d);
        err_set(e, ERR_NOMEM, "cannot keep connection");
        return NULL;
    }
    return d;
}

pthread_mutex_t *db_pool_writer(db_pool *p)
{
    return &p->writer;
}

sqlite3_stmt *db_stmt(db *d, const char *sql, err *e)
{
    for (size_t i = 0; i < d->nstmts; i++) {
        if (d->stmts[i].sql == sql) {
            sqlite3_reset(d->stmts[i].stmt);
            sqlite3_clear_bindings(d->stmts[i].stmt);
            return d->stmts[i].stmt;
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(d->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        db_fail(d, e, "prepare");
        return NULL;
    }
    if (d->nstmts == DB_STMT_CACHE) {
        sqlite3_finalize(st);
        err_set(e, ERR_INTERNAL, "statement cache full: more than %d statements", DB_STMT_CACHE);
        return NULL;
    }
    d->stmts[d->nstmts++] = (cached_stmt){sql, st};
    return st;
}

/* Releases the writer lock once the connection's transaction has ended. */
static void release_writer(db *d)
{
    if (d->writing && sqlite3_get_autocommit(d->handle)) {
        d->writing = 0;
        pthread_mutex_unlock(d->writer);
    }
}

int db_begin(db *d, err *e)
{
    pthread_mutex_lock(d->writer);
    d->writing = 1;
    if (sqlite3_exec(d->handle, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    db_fail(d, e, "begin");
    release_writer(d);
    return -1;
}

int db_commit(db *d, err *e)
{
    int rc = sqlite3_exec(d->handle, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : db_fail(d, e, "commit");
    release_writer(d);
    return rc;
}

void db_rollback(db *d)
{
    if (!sqlite3_get_autocommit(d->handle))
        sqlite3_exec(d->handle, "ROLLBACK", NULL, NULL, NULL);
    release_writer(d);
}

int db_transaction(db *d, store_work work, void *ctx, err *e)
{
    if (db_begin(d, e) != 0)
        return -1;
    int rc = work(d, ctx, e);
    if (rc == 0)
        rc = db_commit(d, e);
    if (rc != 0)
        db_rollback(d);
    return rc;
}

int db_step_one(db *d, sqlite3_stmt *st, db_row_reader read, void *ctx, const char *what, err *e)
{
    int rc = sqlite3_step(st);
    int result = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : db_fail(d, e, what);
    if (result == 1 && read(st, ctx, e) != 0)
        result = -1;
    sqlite3_reset(st);
    return result;
}

int db_each_row(db *d, sqlite3_stmt *st, db_row_reader fn, void *ctx, const char *what, err *e)
{
    int rc = SQLITE_DONE, result = 0;
    while (result == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        result = fn(st, ctx, e);
    if (result == 0 && rc != SQLITE_DONE)
        result = db_fail(d, e, what);
    sqlite3_reset(st);
    return result;
}

int db_exec_stmt(db *d, sqlite3_stmt *st, err *e)
{
    int rc = sqlite3_step(st);
    int ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
    if (!ok)
        db_fail(d, e, "write");
    sqlite3_reset(st);
    return ok ? 0 : -1;
}

sqlite3 *db_handle(db *d)
{
    return d->handle;
}

int db_bind_text(sqlite3_stmt *st, int index, const char *text)
{
    return text ? sqlite3_bind_text(st, index, text, -1, SQLITE_STATIC) : sqlite3_bind_null(st, index);
}

int db_bind_optional_text(sqlite3_stmt *st, int index, const char *text)
{
    return db_bind_text(st, index, text && text[0] ? text : NULL);
}

int db_column_copy(sqlite3_stmt *st, int col, char *dst, size_t size, err *e)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    size_t n = text ? (size_t)sqlite3_column_bytes(st, col) : 0;
    dst[0] = '\0';
    if (n >= size)
        return err_set(e, ERR_TOO_LONG, "column %s holds %zu bytes, more than the %zu it may have",
                       sqlite3_column_name(st, col), n, size - 1);
    if (n > 0)
        memcpy(dst, text, n);
    dst[n] = '\0';
    return 0;
}
