/* Backups into SQLite files (sqlite3_backup_*, or a row copy of PostgreSQL), integrity-checked before they count. */
#include "store/backup.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/path.h"
#include "store/copy.h"
#include "store/db_sqlite.h"

#define BACKUP_PAGES_PER_STEP 1024
#define BACKUP_PAUSE_US 1000

/* Writes base followed by suffix into out. Returns 0, or -1 with e set (ERR_TOO_LONG). */
static int name_with(char *out, size_t size, const char *base, const char *suffix, err *e)
{
    int n = snprintf(out, size, "%s%s", base, suffix);
    return n >= 0 && (size_t)n < size ? 0 : err_set(e, ERR_TOO_LONG, "path too long: %s%s", base, suffix);
}

/* Opens path and runs PRAGMA integrity_check. Returns 0 when it answers "ok". */
static int integrity_ok(const char *path, err *e)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
             sqlite3_column_text(st, 0) != NULL && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok ? 0 : err_set(e, ERR_IO, "%s is not an intact arayis database", path);
}

/* Copies the live database into the open, empty database copy, a few pages at a time. Returns an SQLite code:
   SQLITE_OK when the whole database was copied. */
static int copy_pages(sqlite3 *live, sqlite3 *copy)
{
    sqlite3_backup *b = sqlite3_backup_init(copy, "main", live, "main");
    if (b == NULL)
        return sqlite3_errcode(copy);
    int rc;
    while ((rc = sqlite3_backup_step(b, BACKUP_PAGES_PER_STEP)) == SQLITE_OK)
        usleep(BACKUP_PAUSE_US); /* let writers in between steps */
    int finished = sqlite3_backup_finish(b);
    return rc == SQLITE_DONE ? finished : rc;
}

/* Copies the live SQLite database into the new file at path with SQLite's backup API. Returns 0 or -1 with e set. */
static int backup_pages(db *live, const char *path, err *e)
{
    sqlite3 *copy = NULL;
    if (sqlite3_open_v2(path, &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != 0) {
        sqlite3_close(copy);
        return err_set(e, ERR_IO, "cannot create %s", path);
    }
    int rc = copy_pages(db_sqlite_handle(live), copy);
    if (sqlite3_close(copy) != 0 && rc == SQLITE_OK)
        rc = SQLITE_IOERR;
    if (rc != SQLITE_OK)
        return err_set(e, rc == SQLITE_FULL ? ERR_FULL : ERR_IO, "backup failed: %s", sqlite3_errstr(rc));
    return 0;
}

/* Copies the live PostgreSQL database row by row into a new SQLite database at path (copy_database, which holds
   the service's writes meanwhile). Returns 0 or -1 with e set. */
static int backup_rows(db *live, const char *path, const copy_hooks *hooks, err *e)
{
    store *file = store_open_at(&db_engine_sqlite, path, e);
    db *copy = file != NULL ? store_db(file, e) : NULL;
    int rc = copy != NULL ? copy_database(live, copy, hooks, e) : -1;
    store_close(file); /* its last connection checkpoints the WAL into the file */
    return rc;
}

/* Removes the database file at path with its WAL and shared memory index; best effort, the failure to tell is the
   backup's. */
static void remove_partial(const char *path)
{
    char side[1100];
    unlink(path);
    if (name_with(side, sizeof side, path, "-wal", NULL) == 0)
        unlink(side);
    if (name_with(side, sizeof side, path, "-shm", NULL) == 0)
        unlink(side);
}

int backup_to_file(store *s, const char *path, const copy_hooks *hooks, err *e)
{
    assert(s != NULL && path != NULL && hooks != NULL);
    struct stat st;
    if (stat(path, &st) == 0)
        return err_set(e, ERR_IO, "%s exists; refusing to overwrite it", path);
    db *live = store_db(s, e);
    if (live == NULL)
        return -1;
    int rc = db_is_embedded(live) ? backup_pages(live, path, e) : backup_rows(live, path, hooks, e);
    if (rc != 0 || integrity_ok(path, e) != 0) {
        remove_partial(path);
        return -1;
    }
    return 0;
}

/* Copies the file at from into the new file to and syncs it. Returns 0, or -1 with e set (ERR_IO); to is removed
   then. */
static int copy_file(const char *from, const char *to, err *e)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char chunk[65536];
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
        ok = fwrite(chunk, 1, n, out) == n;
    ok = ok && !ferror(in) && fflush(out) == 0 && fsync(fileno(out)) == 0;
    if (in)
        fclose(in); /* read only: nothing to flush */
    if (out && fclose(out) != 0)
        ok = 0;
    if (!ok) {
        unlink(to); /* best effort: the failure to tell is the copy's */
        return err_set(e, ERR_IO, "cannot copy %s into %s", from, to);
    }
    return 0;
}

/* Renames from to to; a from that does not exist is nothing to move. Returns 0, or -1 with e set (ERR_IO). */
static int move_if_present(const char *from, const char *to, err *e)
{
    if (rename(from, to) == 0 || errno == ENOENT)
        return 0;
    return err_set(e, ERR_IO, "cannot move %s to %s: %s", from, to, strerror(errno));
}

/* The files of one database: the file itself and its write-ahead log. */
typedef struct db_files {
    char db[1024], wal[1100];
} db_files;

static int db_files_at(db_files *f, const char *db_path, err *e)
{
    return name_with(f->db, sizeof f->db, db_path, "", e) == 0 ? name_with(f->wal, sizeof f->wal, db_path, "-wal", e) : -1;
}

/* Moves the database and its WAL (which belongs to it) from one name to the other; the WAL's failure puts the
   database back. Returns 0 or -1 with e set. */
static int move_database(const db_files *from, const db_files *to, err *e)
{
    if (move_if_present(from->db, to->db, e) != 0)
        return -1;
    if (move_if_present(from->wal, to->wal, e) != 0) {
        if (rename(to->db, from->db) != 0 && errno != ENOENT)
            return err_set(e, ERR_IO, "cannot move %s to %s, and the database stays at %s", from->wal, to->wal, to->db);
        return -1;
    }
    return 0;
}

int backup_restore(const char *path, const char *data_dir, err *e)
{
    assert(path != NULL && data_dir != NULL);
    char target[1024], kept_db[1024], shm[1100], staging[1100];
    db_files live, kept;
    if (path_join(target, sizeof target, data_dir, "arayis.db", e) != 0 || db_files_at(&live, target, e) != 0 ||
        name_with(shm, sizeof shm, target, "-shm", e) != 0 || name_with(staging, sizeof staging, target, ".restoring", e) != 0 ||
        name_with(kept_db, sizeof kept_db, target, ".before-restore", e) != 0 || db_files_at(&kept, kept_db, e) != 0)
        return -1;
    if (integrity_ok(path, e) != 0)
        return -1;
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "cannot create %s", data_dir);
    if (copy_file(path, staging, e) != 0)
        return -1;
    if (move_database(&live, &kept, e) != 0) {
        unlink(staging); /* best effort: the failure to tell is the move's */
        return -1;
    }
    if (unlink(shm) != 0 && errno != ENOENT) /* the old database's shared memory index would describe the old WAL */
        return err_set(e, ERR_IO, "cannot remove %s: %s", shm, strerror(errno));
    if (rename(staging, target) != 0)
        return err_set(e, ERR_IO, "cannot install the restored database: %s", strerror(errno));
    return 0;
}
