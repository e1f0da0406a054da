/* Backups through sqlite3_backup_*, integrity-checked before they count. */
#include "store/backup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BACKUP_PAGES_PER_STEP 1024
#define BACKUP_PAUSE_US 1000

/* Opens path and runs PRAGMA integrity_check. Returns 0 when it answers "ok". */
static int integrity_ok(const char *path, err *e)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
             strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok ? 0 : err_set(e, ERR_IO, "%s is not an intact arayis database", path);
}

int backup_to_file(store *s, const char *path, err *e)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return err_set(e, ERR_IO, "%s exists; refusing to overwrite it", path);
    db *live = store_db(s, e);
    sqlite3 *copy = NULL;
    if (live == NULL || sqlite3_open_v2(path, &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        sqlite3_close(copy);
        return err_set(e, ERR_IO, "cannot create %s", path);
    }
    sqlite3_backup *b = sqlite3_backup_init(copy, "main", db_handle(live), "main");
    int rc = b ? SQLITE_OK : SQLITE_ERROR;
    while (b && (rc = sqlite3_backup_step(b, BACKUP_PAGES_PER_STEP)) == SQLITE_OK)
        usleep(BACKUP_PAUSE_US); /* let writers in between steps */
    if (b)
        sqlite3_backup_finish(b);
    sqlite3_close(copy);
    if (rc != SQLITE_DONE || integrity_ok(path, e) != 0) {
        unlink(path);
        return e->msg[0] ? -1 : err_set(e, ERR_IO, "backup failed: %s", sqlite3_errstr(rc));
    }
    return 0;
}

int backup_restore(const char *path, const char *data_dir, err *e)
{
    char target[1024], kept[1100], wal[1100], shm[1100], staging[1100];
    snprintf(target, sizeof target, "%s/arayis.db", data_dir);
    snprintf(kept, sizeof kept, "%s.before-restore", target);
    snprintf(wal, sizeof wal, "%s-wal", target);
    snprintf(shm, sizeof shm, "%s-shm", target);
    snprintf(staging, sizeof staging, "%s.restoring", target);
    if (integrity_ok(path, e) != 0)
        return -1;
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "cannot create %s", data_dir);
    FILE *in = fopen(path, "rb"), *out = fopen(staging, "wb");
    char chunk[65536];
    size_t n;
    int ok = in && out;
    while (ok && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
        ok = fwrite(chunk, 1, n, out) == n;
    ok = ok && !ferror(in) && fflush(out) == 0 && fsync(fileno(out)) == 0;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = 0;
    if (!ok) {
        unlink(staging);
        return err_set(e, ERR_IO, "cannot copy %s into %s", path, data_dir);
    }
    /* the old WAL belongs to the old database: keep it aside with it */
    char kept_wal[1200];
    snprintf(kept_wal, sizeof kept_wal, "%s-wal", kept);
    rename(target, kept);
    rename(wal, kept_wal);
    unlink(shm);
    return rename(staging, target) == 0 ? 0 : err_set(e, ERR_IO, "cannot install the restored database");
}
