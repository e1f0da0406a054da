/* Database connections of either engine (SQLite, PostgreSQL): one per thread, cached prepared statements, typed
   parameters and columns, transactions and errors, so that the store's modules speak one API for both. */
#ifndef ARAYIS_STORE_DB_H
#define ARAYIS_STORE_DB_H

#include <pthread.h>
#include <stddef.h>

#include "core/err.h"

/* A storage engine: how connections are made and statements run. */
typedef struct db_engine db_engine;

/* The embedded engine: target is the path of the database file. */
extern const db_engine db_engine_sqlite;

/* The shared engine: target is a libpq connection string (postgresql://... or key=value ...). */
extern const db_engine db_engine_postgres;

/* A connection owned by one thread, with its cache of prepared statements. */
typedef struct db db;

/* The connections to one database, one per thread. */
typedef struct db_pool db_pool;

/* A prepared statement of one connection. SQL text numbers its parameters ?1, ?2, ... on both engines (the same
   parameter may appear more than once). */
typedef struct stmt stmt;

/* A pool for the database at target (copied) on engine. Returns NULL with e set. Nothing is opened yet. */
db_pool *db_pool_new(const db_engine *engine, const char *target, err *e);

/* Closes the calling thread's connection and frees the pool; other threads' connections close as they exit.
   p may be NULL. */
void db_pool_free(db_pool *p);

/* The engine of the pool. */
const db_engine *db_pool_engine(const db_pool *p);

/* The lock every SQLite transaction of the pool's connections holds from BEGIN to its end. */
pthread_mutex_t *db_pool_writer(db_pool *p);

/* The calling thread's connection, opened on first use (SQLite: WAL, synchronous=FULL, foreign keys, busy time-out;
   PostgreSQL: synchronous_commit on, UTC). A PostgreSQL connection that was lost is opened again here on the next
   use. Owned by the pool; closed when the thread exits or at db_pool_free. Returns NULL with e set (ERR_UNAVAILABLE
   when PostgreSQL cannot be reached). */
db *db_pool_get(db_pool *p, err *e);

/* The engine of a connection. */
const db_engine *db_engine_of(const db *d);

/* 1 for the embedded engine (one process writes; WAL checkpoints, file backups), 0 for PostgreSQL. */
int db_is_embedded(const db *d);

/* Runs SQL text (no parameters, no rows; several statements allowed). Returns 0 or -1 with e set. */
int db_exec_sql(db *d, const char *sql, err *e);

/* A prepared statement for sql, ready for binding, cached per connection by the address of sql (pass string
   literals or text that lives as long as the pool). Owned by the connection. Returns NULL with e set. */
stmt *db_stmt(db *d, const char *sql, err *e);

/* Parameter bindings, by 1-based index. Text and blobs are not copied (binding allocates nothing): they must stay
   valid until the statement has run, as they do where a store function binds and runs in one call. Return 0, or -1
   for an index out of range (a bug). */
int stmt_bind_text(stmt *st, int index, const char *text);          /* NULL binds NULL */
int stmt_bind_optional_text(stmt *st, int index, const char *text); /* NULL or "" binds NULL */
int stmt_bind_int64(stmt *st, int index, long long value);
int stmt_bind_blob(stmt *st, int index, const void *data, size_t len);
int stmt_bind_null(stmt *st, int index);

/* Columns of the current row (0-based). Text and blobs stay valid until the next step or reset of st. */
long long stmt_column_int64(stmt *st, int col);              /* 0 for NULL */
const char *stmt_column_text(stmt *st, int col);             /* NULL for NULL */
const void *stmt_column_blob(stmt *st, int col, size_t *len); /* NULL (len 0) for NULL */
int stmt_column_is_null(stmt *st, int col);
const char *stmt_column_name(stmt *st, int col);

/* Copies a text column into dst ("" for NULL). Text that does not fit in size bytes (NUL included) is never cut:
   dst is left "" and the call returns -1 with e set (ERR_TOO_LONG, naming the column, not its text). Returns 0. */
int db_column_copy(stmt *st, int col, char *dst, size_t size, err *e);

/* Reads the current row of st into ctx. Returns 0, or -1 with e set (ERR_TOO_LONG for a text over its buffer). */
typedef int (*db_row_reader)(stmt *st, void *ctx, err *e);

/* Runs st, a query of exactly one row, and reads its column 0 into *out. Returns 0, or -1 with e set (the statement
   failed, naming what, or gave no row: ERR_INTERNAL). */
int db_one_int64(stmt *st, long long *out, const char *what, err *e);

/* Runs st, for a lookup that yields at most one row, reads that row with read(st, ctx, e) and resets st (always,
   whatever the outcome). Returns 1 (a row, read), 0 (no row) or -1 with e set (the statement failed, naming what,
   or read failed). */
int db_step_one(stmt *st, db_row_reader read, void *ctx, const char *what, err *e);

/* Runs st through all its rows, calling fn(st, ctx, e) on each, and resets st (always). Stops at the first fn that
   fails. Returns 0, or -1 with e set (the statement failed, naming what, or fn failed). */
int db_each_row(stmt *st, db_row_reader fn, void *ctx, const char *what, err *e);

/* Sends st, a bound query, ahead of the statements that read before it: on PostgreSQL outside a transaction the
   queries sent ahead are answered together with the next statement that waits for an answer (one round trip for
   all), and stepping st (db_step_one, db_each_row) then reads the rows that came; elsewhere st runs when it is
   stepped, as always. st must be stepped before it is used otherwise. Returns st, or NULL with e set (nothing sent;
   st may be NULL, a statement that could not be made or bound, with e set already). */
stmt *db_read_ahead(stmt *st, err *e);

/* Runs a statement to completion (rows, if any, are dropped); resets it. Returns 0 or -1 with e set. */
int db_exec_stmt(stmt *st, err *e);

/* Runs a write whose rows and changes nobody reads. Inside a PostgreSQL transaction it is only sent: the server runs
   it in order, and its failure is reported by the next statement on the connection that waits for an answer (one
   round trip answers them all) or by the commit; elsewhere it runs at once, as db_exec_stmt. Its
   parameters are copied when it is sent. Returns 0 or -1 with e set. */
int db_exec_deferred(stmt *st, err *e);

/* As db_exec_deferred, for a write that must change exactly `changes` rows: any other count is its failure
   (ERR_CONFLICT), reported as a deferred write's. */
int db_exec_checked(stmt *st, long long changes, err *e);

/* Statements on d are numbered as they run or are sent, from 1. The count so far; the number of the statement
   whose failure a call reported (a deferred one may fail after later statements were sent), -1 when none since
   db_forget_failure. */
long long db_statement_count(const db *d);
long long db_failed_statement(const db *d);
void db_forget_failure(db *d);

/* The number of rows the last statement run on d inserted, updated or deleted (not counting deferred ones). */
long long db_changes(db *d);

/* A unit of writes run inside a transaction it does not own: returns 0, or -1 with e set. */
typedef int (*store_work)(db *d, void *ctx, err *e);

/* BEGIN / COMMIT / ROLLBACK. On SQLite a transaction holds the pool's writer lock from db_begin until it ends, so
   threads of one process take turns without SQLite's sleeping busy handler (BEGIN IMMEDIATE). On PostgreSQL
   transactions run side by side (READ COMMITTED; rows are locked by the statements that change them), and
   db_begin takes the write order (see db_take_order) at once. Return 0 or -1 with e set (rollback never fails
   loudly). */
int db_begin(db *d, err *e);
int db_commit(db *d, err *e);
void db_rollback(db *d);

/* A write transaction in two parts: db_begin_unordered opens it without the write order, for statements that only
   insert rows of their own (new keys nobody else writes in an ordered part), which then run beside the ordered part
   of another node's transaction; db_take_order takes the write order, which the transaction keeps to its end: the
   write transactions of every node then follow one another, so that numbers, event ids and log entries are
   assigned in commit order (PostgreSQL: a cluster-wide advisory lock; SQLite: the writer lock, held from the
   begin). Return 0 or -1 with e set. */
int db_begin_unordered(db *d, err *e);
int db_take_order(db *d, err *e);

/* 1 while a transaction is open on d (on PostgreSQL also one in error, which a ROLLBACK TO may rescue); 0 once the
   engine has given it up or the connection was lost. */
int db_in_transaction(db *d);

/* The write transaction's memo: values it wrote and reads again (the log's size, the hashes it appended, the last
   number of a year), kept on the connection. The transaction holds the write lock, so nobody else changes them
   until it ends, and the memo is forgotten when it does (commit or rollback): a write run again after a rollback
   reads the database afresh. Outside a transaction begun by db_begin nothing is kept. key is a short text (under
   DB_MEMO_KEY bytes), value at most DB_MEMO_VALUE bytes; once DB_MEMO_SLOTS keys are kept, a new one takes the
   oldest's place. db_memo_get returns 1 with len bytes copied into value when key is kept with that length, else 0. */
#define DB_MEMO_SLOTS 64
#define DB_MEMO_KEY 32
#define DB_MEMO_VALUE 32
void db_memo_put(db *d, const char *key, const void *value, size_t len);
int db_memo_get(db *d, const char *key, void *value, size_t len);

/* Runs work(d, ctx, e) in a transaction of its own (db_begin ... db_commit), rolled back when work or the commit
   fails. For writes outside the running service (migrations, the command line); the service's own writes go
   through store_write. Returns 0, or -1 with e set (nothing of work was stored). */
int db_transaction(db *d, store_work work, void *ctx, err *e);

/* Runs work(d, ctx, e), which only reads, in a transaction whose reads all see the database as it was at its first
   read, whatever other connections and nodes commit meanwhile (without the writer lock); ended by a rollback.
   Returns work's result, or -1 with e set. */
int db_snapshot(db *d, store_work work, void *ctx, err *e);

/* Sets e from the connection's last error, the class from the engine's code (ERR_BUSY, ERR_FULL, ERR_CONFLICT,
   ERR_NOMEM, ERR_TOO_LONG, ERR_UNAVAILABLE for a lost PostgreSQL connection; ERR_IO for the rest). d may be NULL
   (a failed open: out of memory). Returns -1. */
int db_fail(db *d, err *e, const char *what);

#endif
