/* What a storage engine provides to store/db.c: connections, statements run over bound parameters, typed columns,
   transactions and errors. Private to the store. */
#ifndef ARAYIS_STORE_DB_ENGINE_H
#define ARAYIS_STORE_DB_ENGINE_H

#include <pthread.h>
#include <stddef.h>

#include "core/err.h"

/* The same names as store/db.h gives them, which the engines include beside this file. */
typedef struct db db;
typedef struct stmt stmt;
typedef struct db_engine db_engine;

#define DB_STMT_CACHE 96
#define DB_MAX_PARAMS 40
#define DB_INT_TEXT 24 /* a long long in decimal, its sign and NUL */

typedef enum { DB_PARAM_NULL, DB_PARAM_TEXT, DB_PARAM_INT64, DB_PARAM_BLOB } db_param_type;

/* One bound parameter. Text and blobs point at the caller's memory; an integer is also kept in decimal, for engines
   that take parameters as text. */
typedef struct db_param {
    db_param_type type;
    const void *data;
    size_t len;
    long long value;
    char text[DB_INT_TEXT];
} db_param;

/* The part of every engine's statement that db.c handles: its connection and its bound parameters. */
struct stmt {
    db *owner;
    const char *sql;
    int nparams;                  /* the highest index bound since the last reset */
    db_param params[DB_MAX_PARAMS];
};

/* The part of every engine's connection that db.c handles: its engine, statement cache and memo. */
struct db {
    const db_engine *engine;
    pthread_mutex_t *writer;      /* the pool's */
    long long changes;            /* rows changed by the last statement run */
    long long statements;         /* statements run or sent so far, numbering them */
    long long failed_statement;   /* the number of the statement whose failure was reported first; -1 none */
    size_t nstmts;
    stmt *stmts[DB_STMT_CACHE];
    int writing;                  /* 1 from a db_begin that succeeded to its commit or rollback */
    struct db_memo *memo;         /* db.c's: the write transaction's memo, made on first use */
};

struct db_engine {
    const char *name;
    int embedded;
    /* A connection to target, its base filled by the engine (engine, writer). NULL with e set. */
    db *(*connect)(const char *target, pthread_mutex_t *writer, err *e);
    /* 1 when the connection is lost and must be opened again. */
    int (*broken)(db *d);
    /* Closes the connection (statements already finalised). */
    void (*disconnect)(db *d);
    int (*exec_sql)(db *d, const char *sql, err *e);
    /* A statement for sql, its base filled (owner, sql). NULL with e set. */
    stmt *(*prepare)(db *d, const char *sql, err *e);
    void (*finalize)(stmt *st);
    /* Runs st on its bound parameters on the first call after a reset, then moves to the next row: 1 (a row),
       0 (no more rows, changes set) or -1 with e set, naming what failed. */
    int (*step)(stmt *st, const char *what, err *e);
    /* Sends a statement whose rows nobody reads, to be answered later (see db_exec_deferred), that must change
       `changes` rows unless that is -1: 1 sent, 0 not sent (db.c runs it at once), -1 with e set (setting the
       owner's failed_statement when the failure is that of an earlier statement). NULL: never sent. */
    int (*send)(stmt *st, long long changes, err *e);
    /* Sends a query whose rows are read later by stepping it (see db_read_ahead): 0 (sent, or left to run when
       stepped) or -1 with e set. NULL: never sent ahead. */
    int (*read_ahead)(stmt *st, err *e);
    /* Drops the statement's rows, so that it can run again (bindings are db.c's to clear). */
    void (*reset)(stmt *st);
    long long (*column_int64)(stmt *st, int col);
    const char *(*column_text)(stmt *st, int col);
    const void *(*column_blob)(stmt *st, int col, size_t *len);
    int (*column_is_null)(stmt *st, int col);
    const char *(*column_name)(stmt *st, int col);
    /* Opens a write transaction; on SQLite it holds the writer lock, and with it the write order, at once. */
    int (*begin)(db *d, err *e);
    /* Takes the write order for the open transaction (see db_take_order); NULL when begin has taken it. */
    int (*take_order)(db *d, err *e);
    /* The statement that opens a read-only transaction whose reads all see one snapshot (see db_snapshot). */
    const char *begin_snapshot_sql;
    int (*commit)(db *d, err *e);
    void (*rollback)(db *d);
    int (*in_transaction)(db *d);
    int (*fail)(db *d, err *e, const char *what);
};

#endif
