/* SQLite connections: one per thread, cached prepared statements, transactions under the writer lock, errors. */
#ifndef ARAYIS_STORE_DB_H
#define ARAYIS_STORE_DB_H

#include <sqlite3.h>

#include <pthread.h>

#include "core/err.h"

typedef struct store store;

/* A connection owned by one thread, with its cache of prepared statements. */
typedef struct db db;

/* The connections to one database file, one per thread, and the writer lock they share. */
typedef struct db_pool db_pool;

/* A pool for the database at path (copied). Returns NULL with e set. */
db_pool *db_pool_new(const char *path, err *e);

/* Closes the calling thread's connection and frees the pool; other threads' connections close as they exit.
   p may be NULL. */
void db_pool_free(db_pool *p);

/* The calling thread's connection, opened on first use (WAL, synchronous=FULL, foreign keys, busy time-out).
   Owned by the pool; closed when the thread exits or at db_pool_free. Returns NULL with e set. */
db *db_pool_get(db_pool *p, err *e);

/* The lock every transaction of the pool's connections holds from BEGIN to its end. */
pthread_mutex_t *db_pool_writer(db_pool *p);

/* Runs SQL text (no parameters, no rows). Returns 0 or -1 with e set. */
int db_exec_sql(db *d, const char *sql, err *e);

/* A prepared statement for sql, reset and unbound, cached per connection by the address of sql
   (pass string literals). Owned by the connection. Returns NULL with e set. */
sqlite3_stmt *db_stmt(db *d, const char *sql, err *e);

/* A unit of writes run inside a transaction it does not own: returns 0, or -1 with e set. */
typedef int (*store_work)(db *d, void *ctx, err *e);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. A transaction holds the store's writer lock from db_begin until it ends, so
   threads of one process take turns without SQLite's sleeping busy handler. Return 0 or -1 with e set (rollback
   never fails loudly). */
int db_begin(db *d, err *e);
int db_commit(db *d, err *e);
void db_rollback(db *d);

/* Runs work(d, ctx, e) in a transaction of its own (db_begin ... db_commit), rolled back when work or the commit
   fails. For writes outside the running service (migrations, the command line); the service's own writes go
   through store_write. Returns 0, or -1 with e set (nothing of work was stored). */
int db_transaction(db *d, store_work work, void *ctx, err *e);

/* Runs a statement to completion (no rows expected); resets it. Returns 0 or -1 with e set. */
int db_exec_stmt(db *d, sqlite3_stmt *st, err *e);

/* The underlying handle, for sqlite3_changes() and the like. */
sqlite3 *db_handle(db *d);

/* Binds NUL-terminated text, or NULL when text is NULL. The text is not copied (so binding allocates nothing and
   cannot fail for want of memory, which would leave the parameter NULL): it must stay valid until the statement
   has run and been reset, as it does where a store function binds and runs in one call. Returns an SQLite result
   code (SQLITE_OK, or SQLITE_RANGE for a wrong index: a bug). */
int db_bind_text(sqlite3_stmt *st, int index, const char *text);

/* Binds text, or NULL when text is NULL or empty. */
int db_bind_optional_text(sqlite3_stmt *st, int index, const char *text);

/* Copies a text column into dst ("" for NULL). Text that does not fit in size bytes (NUL included) is never cut:
   dst is left "" and the call returns -1 with e set (ERR_TOO_LONG, naming the column, not its text). Returns 0. */
int db_column_copy(sqlite3_stmt *st, int col, char *dst, size_t size, err *e);

/* Reads the current row of st into ctx. Returns 0, or -1 with e set (ERR_TOO_LONG for a text over its buffer). */
typedef int (*db_row_reader)(sqlite3_stmt *st, void *ctx, err *e);

/* Steps st once, for a lookup that yields at most one row, reads that row with read(st, ctx, e) and resets st
   (always, whatever the outcome). Returns 1 (a row, read), 0 (no row) or -1 with e set (the step failed, naming
   what, or read failed). */
int db_step_one(db *d, sqlite3_stmt *st, db_row_reader read, void *ctx, const char *what, err *e);

/* Steps st through all its rows, calling fn(st, ctx, e) on each, and resets st (always). Stops at the first fn that
   fails. Returns 0, or -1 with e set (the step failed, naming what, or fn failed). */
int db_each_row(db *d, sqlite3_stmt *st, db_row_reader fn, void *ctx, const char *what, err *e);

/* Sets e from the connection's last error, the class from SQLite's result code (ERR_BUSY, ERR_FULL, ERR_CONFLICT,
   ERR_NOMEM, ERR_TOO_LONG; ERR_IO for the rest). d may be NULL, or hold no handle yet (a failed open): that is
   SQLite out of memory. Returns -1. */
int db_fail(db *d, err *e, const char *what);

#endif
