/* The store: the SQLite database of the service, opened and migrated, with a connection per thread and one durable
   write path (group commit) for everything that writes while the service runs. */
#ifndef ARAYIS_STORE_STORE_H
#define ARAYIS_STORE_STORE_H

#include "store/db.h"

typedef struct store store;

/* Opens the database and applies pending migrations: PostgreSQL at database_url (a libpq connection string) when it
   is set, otherwise SQLite in data_dir/arayis.db (data_dir is created, 0700, if missing). Refuses a database written
   by a newer version. Returns NULL with e set. */
store *store_open(const char *data_dir, const char *database_url, err *e);

/* The engine a copy target names: a libpq connection string (postgresql://..., postgres://..., or keyword=value
   words, the first '=' before any '/') is PostgreSQL; anything else is the path of an SQLite file. */
const db_engine *store_engine_of_target(const char *target);

/* Opens and migrates the database at target on engine (PostgreSQL: a libpq connection string; SQLite: the path of
   the database file, created if missing in a directory that must exist). For copies between databases. Returns NULL
   with e set. */
store *store_open_at(const db_engine *engine, const char *target, err *e);

/* Closes the calling thread's connection and frees the store. Worker threads must have stopped. */
void store_close(store *s);

/* The schema version this build writes on engine (SQLite: PRAGMA user_version after migration). */
int store_schema_version(const db_engine *engine);

/* 1 when other processes may write the same database while this one runs (PostgreSQL: several nodes), so that
   pending work is claimed before it is done; 0 for the embedded database, which one service process owns. */
int store_is_shared(const store *s);

/* The calling thread's connection, opened on first use (WAL, synchronous=FULL, foreign keys, busy time-out).
   Owned by the store; closed when the thread exits or at store_close. Returns NULL with e set. */
db *store_db(store *s, err *e);

/* Runs work on the store's committer connection together with the work of other threads, in one transaction whose
   COMMIT they share (group commit), and returns once that commit is durable. For the writes of the request path.
   work must not begin or end transactions itself, and may be run more than once (the group runs again without a
   write that failed): what it keeps in ctx must be set afresh by each run. Returns 0, or -1 with e set (nothing of
   work was stored). */
int store_write(store *s, store_work work, void *ctx, err *e);

/* As store_write for a write in two parts: unordered only inserts rows with keys of its own (new applications,
   their history, documents, SMS messages), which no ordered part of another write changes, so that on PostgreSQL
   it runs before the transaction takes the write order and beside the other nodes' ordered parts (see
   db_begin_unordered); ordered runs in the write order (numbers, log entries, portal events, updates). */
int store_write_parts(store *s, store_work unordered, store_work ordered, void *ctx, err *e);

/* Runs a small read on the calling thread's connection, to tell whether the database answers. Returns 0, or -1 with
   e set. */
int store_ping(store *s, err *e);

#endif
