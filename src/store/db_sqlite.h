/* What only the embedded engine has: the SQLite handle of a connection, for WAL checkpoints and file backups. */
#ifndef ARAYIS_STORE_DB_SQLITE_H
#define ARAYIS_STORE_DB_SQLITE_H

#include <sqlite3.h>

#include "store/db.h"

/* The SQLite handle of d, or NULL when d is a connection of another engine. */
sqlite3 *db_sqlite_handle(db *d);

#endif
