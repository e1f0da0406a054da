/* Online backup into an SQLite file (sqlite3 backup API, or a row copy of PostgreSQL), safe while the service
   writes, and restore of the SQLite database. */
#ifndef ARAYIS_STORE_BACKUP_H
#define ARAYIS_STORE_BACKUP_H

#include "store/copy.h"
#include "store/store.h"

/* Copies the live database of s into a new SQLite file at path (which must not exist) and checks the copy's
   integrity: SQLite page by page, letting writers in between steps; PostgreSQL row by row through copy_database
   with hooks (its documents checks and progress), holding writers out until it is done. Returns 0 or -1 with e set
   (the partial file is removed). */
int backup_to_file(store *s, const char *path, const copy_hooks *hooks, err *e);

/* Checks the backup at path and installs it as data_dir's database (the service must be stopped).
   Returns 0 or -1 with e set; the current database is kept as arayis.db.before-restore. */
int backup_restore(const char *path, const char *data_dir, err *e);

#endif
