/* Unit tests of the database copy between real SQLite files in a scratch directory: which engine a target names,
   keyset paging over more rows than a batch (text and integer keys, gaps in the ids, NULLs), the counts reported,
   and a target holding rows refused untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "scratch_dir.h"
#include "store/copy.h"
#include "store/db_sqlite.h"
#include "store/store.h"

#define ROWS (2 * COPY_BATCH_ROWS + 44) /* three batches, the last one short */

typedef struct fixture {
    char dir[SCRATCH_DIR_LEN];
    char target[SCRATCH_DIR_LEN + 16];
    store *source;
    store *copy;
} fixture;

static fixture fx;

/* The table counts a copy reported. */
typedef struct reported {
    long long subscribers, audit_log, tables;
} reported;

static void record(const char *table, long long rows, void *ctx)
{
    reported *r = ctx;
    r->tables++;
    if (strcmp(table, "subscribers") == 0)
        r->subscribers = rows;
    if (strcmp(table, "audit_log") == 0)
        r->audit_log = rows;
}

/* The text of sql's one value on the database of s. */
static void query_text(store *s, const char *sql, char *out, size_t size)
{
    err e = {0};
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db_sqlite_handle(store_db(s, &e)), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* A digest of both tables' every column, to compare source and copy. */
static const char SQL_DIGEST[] =
    "SELECT (SELECT count(*) || '/' || group_concat(code || ':' || coalesce(address, '-') || ':' || debt_qepik, ',')"
    " FROM (SELECT * FROM subscribers ORDER BY code)) || '|' ||"
    " (SELECT count(*) || '/' || group_concat(id || ':' || coalesce(detail, '-') || ':' || at, ',')"
    " FROM (SELECT * FROM audit_log ORDER BY id))";

static int setup(void **state)
{
    (void)state;
    err e = {0};
    char data[SCRATCH_DIR_LEN + 8];
    memset(&fx, 0, sizeof fx);
    if (scratch_dir_make(fx.dir, "copy") != 0)
        return -1;
    snprintf(data, sizeof data, "%s/data", fx.dir);
    snprintf(fx.target, sizeof fx.target, "%s/copy.db", fx.dir);
    db *d = (fx.source = store_open(data, "", &e)) != NULL ? store_db(fx.source, &e) : NULL;
    char fill[1024];
    snprintf(fill, sizeof fill,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
             " INSERT INTO subscribers SELECT printf('%%010d', i * 7), 'residential', NULL, NULL, 'Abonent ' || i,"
             " CASE WHEN i %% 3 = 0 THEN NULL ELSE 'Bakı, küçə ' || i END, i, 1, 1 FROM n;"
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
             " INSERT INTO audit_log (id, at, actor, action, target, detail) SELECT i * 3, i, 'cli', 'test', NULL,"
             " CASE WHEN i %% 2 = 0 THEN NULL ELSE 'qeyd ' || i END FROM n;",
             ROWS, ROWS);
    if (d == NULL || db_exec_sql(d, fill, &e) != 0 ||
        (fx.copy = store_open_at(store_engine_of_target(fx.target), fx.target, &e)) == NULL) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(fx.copy);
    store_close(fx.source);
    return scratch_dir_remove(fx.dir);
}

static void test_target_names_its_engine(void **state)
{
    (void)state;
    const char *postgres[] = {"postgresql:///arayis?host=/run/postgresql", "postgres://db1:5432,db2:5432/arayis",
                              "host=/run/postgresql dbname=arayis", "dbname=arayis"};
    const char *sqlite[] = {"/var/backups/arayis.db", "./copy.db", "copy.db", "./a=b.db", "dir/x=y.db"};
    for (size_t i = 0; i < sizeof postgres / sizeof postgres[0]; i++)
        assert_ptr_equal(store_engine_of_target(postgres[i]), &db_engine_postgres);
    for (size_t i = 0; i < sizeof sqlite / sizeof sqlite[0]; i++)
        assert_ptr_equal(store_engine_of_target(sqlite[i]), &db_engine_sqlite);
}

static void test_copy_pages_through_every_row_then_refuses_a_second_copy(void **state)
{
    (void)state;
    err e = {0};
    reported r = {0};
    copy_hooks hooks = {.progress = record, .ctx = &r};
    assert_int_equal(copy_database(store_db(fx.source, &e), store_db(fx.copy, &e), &hooks, &e), 0);
    assert_int_equal(r.tables, 13);
    assert_int_equal(r.subscribers, ROWS);
    assert_int_equal(r.audit_log, ROWS);
    char source[65536], copied[65536];
    query_text(fx.source, SQL_DIGEST, source, sizeof source);
    query_text(fx.copy, SQL_DIGEST, copied, sizeof copied);
    assert_true(strlen(source) > (size_t)ROWS * 10);
    assert_string_equal(copied, source);

    reported again = {0};
    hooks.ctx = &again;
    assert_int_equal(copy_database(store_db(fx.source, &e), store_db(fx.copy, &e), &hooks, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_non_null(strstr(e.msg, "not empty"));
    assert_int_equal(again.tables, 0);
    query_text(fx.copy, SQL_DIGEST, copied, sizeof copied);
    assert_string_equal(copied, source);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_names_its_engine),
        cmocka_unit_test_setup_teardown(test_copy_pages_through_every_row_then_refuses_a_second_copy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
