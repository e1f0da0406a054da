/* Online backup and restore of the SQLite database (sqlite3 backup API), safe while the service writes. */
#ifndef ARAYIS_STORE_BACKUP_H
#define ARAYIS_STORE_BACKUP_H

#include "store/store.h"

/* Copies the live database of s into a new file at path (which must not exist), page by page, and
   checks the copy's integrity. Returns 0 or -1 with e set (the partial file is removed). */
int backup_to_file(store *s, const char *path, err *e);

/* Checks the backup at path and installs it as data_dir's database (the service must be stopped).
   Returns 0 or -1 with e set; the current database is kept as arayis.db.before-restore. */
int backup_restore(const char *path, const char *data_dir, err *e);

#endif
