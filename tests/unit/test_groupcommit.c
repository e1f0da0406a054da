/* Unit tests of group commit on a real SQLite file: concurrent writes share one commit, a failed write leaves
   nothing behind and does not harm the rest of its group, the unordered parts of a group's writes run before their
   ordered parts, and the WAL is checkpointed beside the commits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch_dir.h"
#include "store/db_sqlite.h"
#include "store/store.h"

#define FOLLOWERS 5
#define BLOBS 4000
#define BLOB_BYTES (16 * 1024)

typedef struct fixture {
    char dir[SCRATCH_DIR_LEN];
    store *s;
} fixture;

static int commits;                         /* counted by the committer connection's commit hook */
static pthread_mutex_t started_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t started_cond = PTHREAD_COND_INITIALIZER;
static int leader_started;
static char trace[256];                     /* the parts as the committer ran them: " u:key" and " o:key" */

static int count_commit(void *ctx)
{
    (void)ctx;
    commits++;
    return 0;
}

typedef struct write_spec {
    const char *key;
    int fail_after_insert;                  /* the work inserts its row, then reports failure */
    int parted;                             /* written in two parts: an unordered one first */
    int fail_unordered;                     /* its unordered part inserts its row, then reports failure */
    int hold_ms;                            /* keeps the group open this long after the insert */
    store *s;
    int rc;
    err e;
    int runs;                               /* how many times the work ran */
} write_spec;

/* Inserts key into t and notes the part in the trace. */
static int insert_row(db *d, const char *part, const char *key, err *e)
{
    size_t used = strlen(trace);
    snprintf(trace + used, sizeof trace - used, " %s:%s", part, key);
    stmt *st = db_stmt(d, "INSERT INTO t(k) VALUES (?1)", e);
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, key);
    return db_exec_stmt(st, e);
}

/* The unordered part of a parted write: the row key-early. */
static int insert_early(db *d, void *ctx, err *e)
{
    write_spec *w = ctx;
    char key[32];
    snprintf(key, sizeof key, "%s-early", w->key);
    if (insert_row(d, "u", key, e) != 0)
        return -1;
    return w->fail_unordered ? err_set(e, 98, "refused %s early", w->key) : 0;
}

static int insert_key(db *d, void *ctx, err *e)
{
    write_spec *w = ctx;
    w->runs++;
    sqlite3_commit_hook(db_sqlite_handle(d), count_commit, NULL);
    if (insert_row(d, "o", w->key, e) != 0)
        return -1;
    if (w->hold_ms > 0) {
        pthread_mutex_lock(&started_lock);
        leader_started = 1;
        pthread_cond_broadcast(&started_cond);
        pthread_mutex_unlock(&started_lock);
        usleep((useconds_t)w->hold_ms * 1000);
    }
    return w->fail_after_insert ? err_set(e, 99, "refused %s", w->key) : 0;
}

static void *submit(void *arg)
{
    write_spec *w = arg;
    w->rc = w->parted ? store_write_parts(w->s, insert_early, insert_key, w, &w->e)
                      : store_write(w->s, insert_key, w, &w->e);
    return NULL;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    if (scratch_dir_make(f->dir, "gc") != 0)
        return -1;
    err e = {0};
    f->s = store_open(f->dir, "", &e);
    db *d = f->s ? store_db(f->s, &e) : NULL;
    if (d == NULL || sqlite3_exec(db_sqlite_handle(d), "CREATE TABLE t(k TEXT PRIMARY KEY)", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    commits = 0;
    leader_started = 0;
    trace[0] = '\0';
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->s);
    int rc = scratch_dir_remove(f->dir);
    free(f);
    return rc;
}

static int count_of(store *s, const char *sql)
{
    err e = {0};
    db *d = store_db(s, &e);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db_sqlite_handle(d), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int count_rows(store *s, const char *where)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM t WHERE %s", where);
    return count_of(s, sql);
}

static int count_blobs(store *s)
{
    return count_of(s, "SELECT count(*) FROM blobs");
}

/* Starts a leader write that holds its group open, waits until it runs, then submits the followers 30 ms apart:
   they queue behind the leader's group in that order and all run in the next one. */
static void run_behind_leader(store *s, write_spec *leader, write_spec *followers, size_t n)
{
    pthread_t lead, threads[FOLLOWERS];
    leader->s = s;
    leader->hold_ms = 100 + 60 * (int)n; /* room for every follower to queue */
    assert_int_equal(pthread_create(&lead, NULL, submit, leader), 0);
    pthread_mutex_lock(&started_lock);
    while (!leader_started)
        pthread_cond_wait(&started_cond, &started_lock);
    pthread_mutex_unlock(&started_lock);
    for (size_t i = 0; i < n; i++) {
        followers[i].s = s;
        assert_int_equal(pthread_create(&threads[i], NULL, submit, &followers[i]), 0);
        usleep(30 * 1000);
    }
    pthread_join(lead, NULL);
    for (size_t i = 0; i < n; i++)
        pthread_join(threads[i], NULL);
}

static void test_queued_writes_share_one_commit(void **state)
{
    fixture *f = *state;
    write_spec leader = {.key = "leader"};
    write_spec followers[FOLLOWERS] = {{.key = "f1"}, {.key = "f2"}, {.key = "f3"}, {.key = "f4"}, {.key = "f5"}};
    run_behind_leader(f->s, &leader, followers, FOLLOWERS);
    assert_int_equal(leader.rc, 0);
    for (size_t i = 0; i < FOLLOWERS; i++)
        assert_int_equal(followers[i].rc, 0);
    assert_int_equal(count_rows(f->s, "1"), 1 + FOLLOWERS);
    assert_int_equal(commits, 2);
}

static void test_failed_write_leaves_nothing_and_spares_its_group(void **state)
{
    fixture *f = *state;
    write_spec first = {.key = "first"};
    write_spec seed[1] = {{.key = "taken"}};
    run_behind_leader(f->s, &first, seed, 1);
    leader_started = 0;
    write_spec leader = {.key = "leader"};
    write_spec followers[4] = {{.key = "good1"}, {.key = "bad", .fail_after_insert = 1}, {.key = "taken"}, {.key = "good2"}};
    run_behind_leader(f->s, &leader, followers, 4);
    assert_int_equal(followers[0].rc, 0);
    assert_int_equal(followers[3].rc, 0);
    assert_int_equal(followers[1].rc, -1);
    assert_int_equal(followers[1].e.code, 99);
    assert_string_equal(followers[1].e.msg, "refused bad");
    assert_int_equal(followers[2].rc, -1);
    assert_int_equal(followers[2].e.code, ERR_CONFLICT);
    assert_int_equal(count_rows(f->s, "k IN ('good1', 'good2', 'leader')"), 3);
    assert_int_equal(count_rows(f->s, "k = 'bad'"), 0);
    assert_int_equal(count_rows(f->s, "k = 'taken'"), 1);
}

/* A write that fails takes its group back to its start: the writes before it run again (once), those after it run
   once, and every one that succeeded is stored once, in one commit. */
static void test_a_failed_write_makes_its_group_run_again_without_it(void **state)
{
    fixture *f = *state;
    write_spec leader = {.key = "leader"};
    write_spec followers[3] = {{.key = "before"}, {.key = "bad", .fail_after_insert = 1}, {.key = "after"}};
    run_behind_leader(f->s, &leader, followers, 3);
    assert_int_equal(followers[0].rc, 0);
    assert_int_equal(followers[2].rc, 0);
    assert_int_equal(followers[1].rc, -1);
    assert_int_equal(followers[1].e.code, 99);
    assert_int_equal(followers[0].runs, 2);
    assert_int_equal(followers[1].runs, 1);
    assert_int_equal(followers[2].runs, 1);
    assert_int_equal(count_rows(f->s, "k IN ('before', 'after')"), 2);
    assert_int_equal(count_rows(f->s, "k = 'bad'"), 0);
    assert_int_equal(commits, 2);
}

/* In a group, every unordered part runs before the first ordered part, each group of parts in the order the writes
   were queued; a failed unordered part is left out of the group as a failed write is, with nothing of it stored. */
static void test_unordered_parts_run_before_every_ordered_part(void **state)
{
    fixture *f = *state;
    write_spec leader = {.key = "leader"};
    write_spec followers[3] = {{.key = "a", .parted = 1}, {.key = "b"}, {.key = "c", .parted = 1, .fail_unordered = 1}};
    run_behind_leader(f->s, &leader, followers, 3);
    assert_int_equal(followers[0].rc, 0);
    assert_int_equal(followers[1].rc, 0);
    assert_int_equal(followers[2].rc, -1);
    assert_int_equal(followers[2].e.code, 98);
    assert_string_equal(trace, " o:leader u:a-early u:c-early u:a-early o:a o:b");
    assert_int_equal(count_rows(f->s, "k IN ('a-early', 'a', 'b')"), 3);
    assert_int_equal(count_rows(f->s, "k LIKE 'c%'"), 0);
    assert_int_equal(commits, 2);
}

static int insert_blob(db *d, void *ctx, err *e)
{
    static const unsigned char zeros[BLOB_BYTES];
    int *i = ctx;
    stmt *st = db_stmt(d, "INSERT INTO blobs(id, data) VALUES (?1, ?2)", e);
    if (st == NULL)
        return -1;
    stmt_bind_int64(st, 1, *i);
    stmt_bind_blob(st, 2, zeros, sizeof zeros);
    return db_exec_stmt(st, e);
}

static void test_wal_is_checkpointed_in_the_background(void **state)
{
    fixture *f = *state;
    err e = {0};
    assert_int_equal(sqlite3_exec(db_sqlite_handle(store_db(f->s, &e)), "CREATE TABLE blobs(id INTEGER PRIMARY KEY, data BLOB)",
                                  NULL, NULL, NULL), SQLITE_OK);
    for (int i = 0; i < BLOBS; i++)
        assert_int_equal(store_write(f->s, insert_blob, &i, &e), 0);
    char wal[96];
    snprintf(wal, sizeof wal, "%s/arayis.db-wal", f->dir);
    struct stat st;
    assert_int_equal(stat(wal, &st), 0);
    /* Without checkpoints the WAL would hold every blob; it is started over instead. */
    assert_true(st.st_size < (off_t)BLOBS * BLOB_BYTES / 2);
    assert_int_equal(count_blobs(f->s), BLOBS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_queued_writes_share_one_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_leaves_nothing_and_spares_its_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_failed_write_makes_its_group_run_again_without_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unordered_parts_run_before_every_ordered_part, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wal_is_checkpointed_in_the_background, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
