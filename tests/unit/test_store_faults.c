/* Fault injection for the store, as SQLite tests itself: the Nth allocation fails, or the Nth write or fsync fails,
   for N = 1, 2, 3, … until a run meets no fault; every failing run is refused with a class, never crashes, never
   leaves half a write behind, and loses nothing it acknowledged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scratch_dir.h"
#include "store/db_sqlite.h"
#include "store/outbox.h"
#include "store/store.h"

#define MAX_RUNS 100000    /* a bound on the loops, far above what one run allocates or writes */

typedef enum fault_kind { FAULT_NONE, FAULT_MALLOC, FAULT_IO } fault_kind;

/* The armed fault: the `at`th counted event fails. Threads of the store count too, hence atomics. */
static atomic_int armed = FAULT_NONE;
static atomic_long events;
static atomic_long fail_at;
static atomic_int fired;

static void arm(fault_kind kind, long at)
{
    atomic_store(&events, 0);
    atomic_store(&fired, 0);
    atomic_store(&fail_at, at);
    atomic_store(&armed, kind);
}

static void disarm(void)
{
    atomic_store(&armed, FAULT_NONE);
}

/* True when this event of kind is the one to fail. */
static int should_fail(fault_kind kind)
{
    if (atomic_load(&armed) != (int)kind || atomic_fetch_add(&events, 1) + 1 != atomic_load(&fail_at))
        return 0;
    atomic_store(&fired, 1);
    return 1;
}

/* --- The counting allocator, installed before sqlite3_initialize. --- */

static sqlite3_mem_methods real_mem;

static void *faulty_malloc(int n)
{
    return should_fail(FAULT_MALLOC) ? NULL : real_mem.xMalloc(n);
}

static void *faulty_realloc(void *p, int n)
{
    return should_fail(FAULT_MALLOC) ? NULL : real_mem.xRealloc(p, n);
}

static void install_allocator(void)
{
    static sqlite3_mem_methods faulty;
    assert_int_equal(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem), SQLITE_OK);
    faulty = real_mem;
    faulty.xMalloc = faulty_malloc;
    faulty.xRealloc = faulty_realloc;
    assert_int_equal(sqlite3_config(SQLITE_CONFIG_MALLOC, &faulty), SQLITE_OK);
}

/* --- The VFS shim over the default VFS: every file's writes and fsyncs are counted. --- */

typedef struct shim_file {
    sqlite3_file base;
    sqlite3_file *real;     /* the default VFS's file, right after this struct */
} shim_file;

static sqlite3_vfs *real_vfs;

#define REAL(f) (((shim_file *)(f))->real)

static int shim_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}

static int shim_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int shim_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    return should_fail(FAULT_IO) ? SQLITE_IOERR_WRITE : REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}

static int shim_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int shim_sync(sqlite3_file *f, int flags)
{
    return should_fail(FAULT_IO) ? SQLITE_IOERR_FSYNC : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int shim_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int shim_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int shim_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int shim_check_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int shim_file_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int shim_sector_size(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int shim_device_characteristics(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int shim_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **p)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, p);
}

static int shim_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void shim_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int shim_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int shim_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, p);
}

static int shim_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods shim_methods = {
    3,
    shim_close,
    shim_read,
    shim_write,
    shim_truncate,
    shim_sync,
    shim_file_size,
    shim_lock,
    shim_unlock,
    shim_check_reserved,
    shim_file_control,
    shim_sector_size,
    shim_device_characteristics,
    shim_shm_map,
    shim_shm_lock,
    shim_shm_barrier,
    shim_shm_unmap,
    shim_fetch,
    shim_unfetch,
};

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    shim_file *s = (shim_file *)f;
    s->real = (sqlite3_file *)(s + 1);
    int rc = real_vfs->xOpen(real_vfs, name, s->real, flags, out_flags);
    s->base.pMethods = s->real->pMethods ? &shim_methods : NULL;
    return rc;
}

/* Registers the shim as the default VFS. The other methods are the default VFS's own, which read nothing of the
   VFS object but what the copy keeps. */
static void install_vfs(void)
{
    static sqlite3_vfs shim;
    real_vfs = sqlite3_vfs_find(NULL);
    assert_non_null(real_vfs);
    assert_true(real_vfs->iVersion >= 3);
    shim = *real_vfs;
    shim.zName = "faulty";
    shim.szOsFile = (int)sizeof(shim_file) + real_vfs->szOsFile;
    shim.xOpen = shim_open;
    shim.pNext = NULL;
    assert_int_equal(sqlite3_vfs_register(&shim, 1), SQLITE_OK);
}

/* --- One run of the store under a fault, and the checks afterwards. --- */

/* A write of two messages, so that half of it is visible as one of two rows. */
static int enqueue_pair(db *d, void *ctx, err *e)
{
    const char *run = ctx;
    char reference[64];
    snprintf(reference, sizeof reference, "%s-a", run);
    if (outbox_enqueue(d, reference, NULL, "+994501234567", "first half", 1700000000, e) != 0)
        return -1;
    snprintf(reference, sizeof reference, "%s-b", run);
    return outbox_enqueue(d, reference, NULL, "+994501234567", "second half", 1700000000, e);
}

static const char SQL_COUNT_RUN[] = "SELECT count(*) FROM sms_outbox WHERE reference LIKE ?1 || '-%'";

/* How many messages of run the store holds. Returns the count, or -1 with e set. */
static int messages_of(store *s, const char *run, err *e)
{
    db *d = store_db(s, e);
    stmt *st = d ? db_stmt(d, SQL_COUNT_RUN, e) : NULL;
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, run);
    long long n = 0;
    return db_one_int64(st, &n, "count messages", e) == 0 ? (int)n : -1;
}

/* What one run did: whether the write was acknowledged, and whether anything failed (then e says what). */
typedef struct outcome {
    int acknowledged;
    int failed;
    err e;
} outcome;

/* Opens the store, writes run's two messages through store_write, reads them back, closes the store. */
static outcome run_once(const char *dir, const char *run)
{
    outcome o = {0};
    store *s = store_open(dir, "", &o.e);
    if (s == NULL) {
        o.failed = 1;
        return o;
    }
    o.acknowledged = store_write(s, enqueue_pair, (void *)run, &o.e) == 0;
    if (!o.acknowledged)
        o.failed = 1;
    else if (messages_of(s, run, &o.e) != 2)
        o.failed = 1;
    store_close(s);
    return o;
}

/* Reopens the store with no fault and checks each run of the loop: both of its messages or neither, both when
   acknowledged, neither when refused (strict), and the database intact. */
static void check_runs(const char *dir, const char *prefix, long runs, const unsigned char *acknowledged, int strict)
{
    err e = {0};
    store *s = store_open(dir, "", &e);
    assert_non_null(s);
    for (long n = 1; n <= runs; n++) {
        char run[48];
        snprintf(run, sizeof run, "%s%ld", prefix, n);
        int count = messages_of(s, run, &e);
        if (count != 0 && count != 2)
            fail_msg("run %s left %d of its 2 messages", run, count);
        if (acknowledged[n] && count != 2)
            fail_msg("run %s was acknowledged but its messages are gone", run);
        if (strict && !acknowledged[n] && count != 0)
            fail_msg("run %s was refused but its messages were stored", run);
    }
    db *d = store_db(s, &e);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db_sqlite_handle(d), "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    store_close(s);
}

/* Runs the store under fault kind at N = 1, 2, … until a run meets no fault, then checks every run. */
static void fault_loop(const char *dir, fault_kind kind, const char *prefix, int strict)
{
    unsigned char *acknowledged = calloc(MAX_RUNS + 1, 1);
    assert_non_null(acknowledged);
    long n, refused = 0;
    for (n = 1; n <= MAX_RUNS; n++) {
        char run[48];
        snprintf(run, sizeof run, "%s%ld", prefix, n);
        arm(kind, n);
        outcome o = run_once(dir, run);
        int hit = atomic_load(&fired);
        disarm();
        acknowledged[n] = (unsigned char)o.acknowledged;
        if (o.failed) {
            refused++;
            if (getenv("FAULTS_VERBOSE"))
                print_message("%s: %s (%s)\n", run, o.e.msg, err_code_name(o.e.code));
            if (o.e.code == ERR_OK || o.e.msg[0] == '\0')
                fail_msg("run %s failed with no class or message (acknowledged %d)", run, o.acknowledged);
            if (!hit)
                fail_msg("run %s failed with no fault injected: %s", run, o.e.msg);
        } else if (!hit) {
            break;
        }
    }
    assert_true(n <= MAX_RUNS);
    assert_true(refused > 0);
    print_message("%s: %ld runs, %ld refused\n", prefix, n, refused);
    check_runs(dir, prefix, n, acknowledged, strict);
    free(acknowledged);
}

/* The state is the scratch directory of a store migrated once, with no fault. */
static int setup(void **state)
{
    char *dir = malloc(SCRATCH_DIR_LEN);
    err e = {0};
    store *s = dir != NULL && scratch_dir_make(dir, "faults") == 0 ? store_open(dir, "", &e) : NULL;
    store_close(s);
    *state = dir;
    return s != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    int rc = scratch_dir_remove(*state);
    free(*state);
    return rc;
}

static void test_out_of_memory_is_refused_with_a_class(void **state)
{
    fault_loop(*state, FAULT_MALLOC, "oom-", 1);
}

static void test_io_errors_lose_nothing_acknowledged(void **state)
{
    fault_loop(*state, FAULT_IO, "io-", 0);
}

int main(void)
{
    install_allocator();
    assert_int_equal(sqlite3_initialize(), SQLITE_OK);
    install_vfs();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_out_of_memory_is_refused_with_a_class, setup, teardown),
        cmocka_unit_test_setup_teardown(test_io_errors_lose_nothing_acknowledged, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
