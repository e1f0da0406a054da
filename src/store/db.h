/* The SQLite store: opening and migrating the database, one connection per thread, cached prepared statements, transactions. */
#ifndef ARAYIS_STORE_DB_H
#define ARAYIS_STORE_DB_H

#include <sqlite3.h>

#include "core/err.h"

typedef struct store store;

/* A connection owned by one thread, with its cache of prepared statements. */
typedef struct db db;

/* Creates data_dir (0700) if missing, opens data_dir/arayis.db, applies pending migrations.
   Refuses a database written by a newer version. Returns NULL with e set. */
store *store_open(const char *data_dir, err *e);

/* Closes the calling thread's connection and frees the store. Worker threads must have stopped. */
void store_close(store *s);

/* The schema version this build writes (PRAGMA user_version after migration). */
int store_schema_version(void);

/* The calling thread's connection, opened on first use (WAL, synchronous=FULL, foreign keys, busy time-out).
   Owned by the store; closed when the thread exits or at store_close. Returns NULL with e set. */
db *store_db(store *s, err *e);

/* A prepared statement for sql, reset and unbound, cached per connection by the address of sql
   (pass string literals). Owned by the connection. Returns NULL with e set. */
sqlite3_stmt *db_stmt(db *d, const char *sql, err *e);

/* A unit of writes run inside a transaction it does not own: returns 0, or -1 with e set. */
typedef int (*store_work)(db *d, void *ctx, err *e);

/* Runs work on the store's committer connection together with the work of other threads, in one transaction whose
   COMMIT they share (group commit), and returns once that commit is durable. For the writes of the request path.
   work must not begin or end transactions itself. Returns 0, or -1 with e set (nothing of work was stored). */
int store_write(store *s, store_work work, void *ctx, err *e);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. A transaction holds the store's writer lock from db_begin until it ends, so
   threads of one process take turns without SQLite's sleeping busy handler. Return 0 or -1 with e set (rollback
   never fails loudly). */
int db_begin(db *d, err *e);
int db_commit(db *d, err *e);
void db_rollback(db *d);

/* Runs a statement to completion (no rows expected); resets it. Returns 0 or -1 with e set. */
int db_exec_stmt(db *d, sqlite3_stmt *st, err *e);

/* The underlying handle, for sqlite3_changes() and the like. */
sqlite3 *db_handle(db *d);

/* Binds NUL-terminated text, or NULL when text is NULL. */
int db_bind_text(sqlite3_stmt *st, int index, const char *text);

/* Binds text, or NULL when text is NULL or empty. */
int db_bind_optional_text(sqlite3_stmt *st, int index, const char *text);

/* Copies a text column into dst ("" for NULL). Text that does not fit in size bytes (NUL included) is never cut:
   dst is left "" and the call returns -1 with e set (STORE_ERR_TOO_LONG, naming the column, not its text). Returns 0. */
int db_column_copy(sqlite3_stmt *st, int col, char *dst, size_t size, err *e);

/* The error codes the store sets in err.code. STORE_ERR_TOO_LONG: a stored text is longer than the row type holds
   (written around the validation, e.g. by hand); the row is refused rather than read cut. */
enum {
    STORE_ERR_IO = 1, STORE_ERR_BUSY = 2, STORE_ERR_FULL = 3, STORE_ERR_CONSTRAINT = 4, STORE_ERR_VERSION = 5,
    STORE_ERR_TOO_LONG = 6
};

/* Sets e from the connection's last error. Returns -1. */
int db_fail(db *d, err *e, const char *what);

#endif
