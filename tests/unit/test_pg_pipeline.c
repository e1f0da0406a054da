/* Unit tests of what the PostgreSQL engine sends in libpq's pipeline: queries read ahead (answered together with the
   next statement that waits, in one transaction of the server; each read in any order with its own rows; a failure
   kept to its own query; writes outside a transaction still run at once; nothing sent ahead inside a transaction),
   and a write transaction's BEGIN, write order and COMMIT sent with its statements (a failed write named by its own
   number, before or after the write order taken in its middle; nothing of a failed transaction kept); the unordered
   part of a transaction runs while another holds the write order, its ordered part waits for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

static const char SQL_TABLE[] = "DROP TABLE IF EXISTS words; CREATE TABLE words(k bigint PRIMARY KEY, v text NOT NULL);"
                                " INSERT INTO words VALUES (1, 'one'), (2, 'two'), (3, 'three')";
/* Each query also gives its transaction's start in microseconds: alike for the statements of one transaction. */
static const char SQL_ONE[] = "SELECT v, (extract(epoch FROM now()) * 1000000)::bigint FROM words WHERE k = ?1";
static const char SQL_FROM[] = "SELECT v, (extract(epoch FROM now()) * 1000000)::bigint FROM words WHERE k >= ?1"
                               " ORDER BY k";
static const char SQL_COUNT[] = "SELECT count(*), (extract(epoch FROM now()) * 1000000)::bigint FROM words";
static const char SQL_DIVIDE[] = "SELECT 10 / ?1::bigint";
static const char SQL_TOUCH[] = "UPDATE words SET v = v WHERE k >= ?1";
static const char SQL_ADD[] = "INSERT INTO words VALUES (?1, 'four')";
static const char SQL_REMOVE[] = "DELETE FROM words WHERE k = ?1";
static const char SQL_NO_WAIT[] = "SET lock_timeout = '200ms'";
static const char SQL_WAIT[] = "SET lock_timeout = 0";

static db_pool *pool;
static db *conn;

/* What a query's rows said: their first column as text, joined by spaces, and the transaction's start. */
typedef struct rows_seen {
    char text[64];
    long long started;
} rows_seen;

static int note_row(stmt *st, void *ctx, err *e)
{
    (void)e;
    rows_seen *r = ctx;
    size_t used = strlen(r->text);
    snprintf(r->text + used, sizeof r->text - used, "%s%s", used ? " " : "", stmt_column_text(st, 0));
    r->started = stmt_column_int64(st, 1);
    return 0;
}

/* The query sql on connection d, on one integer parameter, bound. */
static stmt *bound_on(db *d, const char *sql, long long value)
{
    err e = {0};
    stmt *st = db_stmt(d, sql, &e);
    assert_non_null(st);
    if (value >= 0)
        assert_int_equal(stmt_bind_int64(st, 1, value), 0);
    return st;
}

static stmt *bound(const char *sql, long long value)
{
    return bound_on(conn, sql, value);
}

static stmt *ahead(const char *sql, long long value)
{
    err e = {0};
    stmt *st = db_read_ahead(bound(sql, value), &e);
    assert_non_null(st);
    return st;
}

static rows_seen read_all(stmt *st)
{
    rows_seen r = {"", 0};
    err e = {0};
    assert_int_equal(db_each_row(st, note_row, &r, "read", &e), 0);
    return r;
}

static int setup(void **state)
{
    (void)state;
    const char *url = getenv("ARAYIS_TEST_DATABASE_URL");
    if (url == NULL) {
        fprintf(stderr, "ARAYIS_TEST_DATABASE_URL is not set: run through tests/blackbox/with_postgres.py\n");
        return -1;
    }
    err e = {0};
    if ((pool = db_pool_new(&db_engine_postgres, url, &e)) == NULL || (conn = db_pool_get(pool, &e)) == NULL ||
        db_exec_sql(conn, SQL_TABLE, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    db_pool_free(pool);
    return 0;
}

static void test_queries_read_ahead_are_answered_with_the_next_that_waits(void **state)
{
    (void)state;
    read_all(bound(SQL_ONE, 1)); /* a statement's first run on a connection prepares it, waiting for the server */
    read_all(bound(SQL_FROM, 1));
    read_all(bound(SQL_COUNT, -1));
    stmt *one = ahead(SQL_ONE, 2), *from = ahead(SQL_FROM, 2);
    rows_seen count = read_all(bound(SQL_COUNT, -1));
    rows_seen later = read_all(from), first = read_all(one);
    assert_string_equal(count.text, "3");
    assert_string_equal(later.text, "two three");
    assert_string_equal(first.text, "two");
    assert_int_equal(first.started, count.started); /* one transaction: one round trip answered all three */
    assert_int_equal(later.started, count.started);

    rows_seen alone = read_all(bound(SQL_ONE, 1)), next = read_all(bound(SQL_COUNT, -1));
    assert_string_equal(alone.text, "one");
    assert_true(next.started > alone.started); /* not read ahead: a transaction each */
}

static void test_a_failed_query_fails_alone(void **state)
{
    (void)state;
    stmt *divide = ahead(SQL_DIVIDE, 0), *one = ahead(SQL_ONE, 1);
    rows_seen r = read_all(one); /* the server skipped it after the failure: it ran when read */
    assert_string_equal(r.text, "one");
    err e = {0};
    long long quotient = 0;
    assert_int_equal(db_one_int64(divide, &quotient, "divide", &e), -1);
    assert_non_null(strstr(e.msg, "division by zero"));
    assert_string_equal(read_all(bound(SQL_COUNT, -1)).text, "3");
}

static void test_a_write_outside_a_transaction_runs_at_once(void **state)
{
    (void)state;
    stmt *one = ahead(SQL_ONE, 3);
    err e = {0};
    assert_int_equal(db_exec_checked(bound(SQL_TOUCH, 1), 1, &e), -1); /* three rows changed, not one: told now */
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_string_equal(read_all(one).text, "three");
    e = (err){0};
    assert_int_equal(db_exec_checked(bound(SQL_TOUCH, 3), 1, &e), 0);
    assert_int_equal(e.code, ERR_OK);
}

static void test_nothing_is_sent_ahead_inside_a_transaction(void **state)
{
    (void)state;
    err e = {0};
    assert_int_equal(db_begin(conn, &e), 0);
    stmt *count = ahead(SQL_COUNT, -1);
    assert_int_equal(db_exec_deferred(bound(SQL_ADD, 4), &e), 0);
    assert_string_equal(read_all(count).text, "4"); /* it ran after the write sent before it was read */
    db_rollback(conn);
    assert_string_equal(read_all(bound(SQL_COUNT, -1)).text, "3");
}

static void test_a_query_bound_again_before_it_is_read_reads_its_new_rows(void **state)
{
    (void)state;
    ahead(SQL_ONE, 1);
    assert_string_equal(read_all(bound(SQL_ONE, 3)).text, "three");
    assert_string_equal(read_all(bound(SQL_FROM, 2)).text, "two three");
}

static void test_a_transaction_commits_with_its_writes(void **state)
{
    (void)state;
    err e = {0};
    assert_int_equal(db_begin(conn, &e), 0);
    assert_int_equal(db_exec_deferred(bound(SQL_ADD, 5), &e), 0);
    assert_int_equal(db_exec_checked(bound(SQL_TOUCH, 5), 1, &e), 0);
    assert_int_equal(db_commit(conn, &e), 0);
    assert_false(db_in_transaction(conn));
    assert_string_equal(read_all(bound(SQL_COUNT, -1)).text, "4");
    assert_int_equal(db_exec_checked(bound(SQL_REMOVE, 5), 1, &e), 0);
}

static void test_a_failed_write_is_named_by_its_number_and_nothing_is_kept(void **state)
{
    (void)state;
    err e = {0};
    db_forget_failure(conn);
    assert_int_equal(db_begin(conn, &e), 0);
    assert_int_equal(db_exec_deferred(bound(SQL_ADD, 6), &e), 0);
    assert_int_equal(db_exec_checked(bound(SQL_TOUCH, 1), 1, &e), 0); /* sent: it changes four rows, not one */
    long long touch = db_statement_count(conn);
    assert_int_equal(db_exec_deferred(bound(SQL_ADD, 7), &e), 0);
    assert_int_equal(db_commit(conn, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_int_equal(db_failed_statement(conn), touch); /* BEGIN and the lock before it are not numbered */
    db_rollback(conn);
    assert_false(db_in_transaction(conn));
    assert_string_equal(read_all(bound(SQL_COUNT, -1)).text, "3"); /* neither insert was committed */
}

static void test_a_failed_write_after_the_write_order_is_named_by_its_number(void **state)
{
    (void)state;
    err e = {0};
    db_forget_failure(conn);
    assert_int_equal(db_begin_unordered(conn, &e), 0);
    assert_int_equal(db_exec_deferred(bound(SQL_ADD, 6), &e), 0);
    assert_int_equal(db_take_order(conn, &e), 0);
    assert_int_equal(db_exec_deferred(bound(SQL_ADD, 7), &e), 0);
    assert_int_equal(db_exec_checked(bound(SQL_TOUCH, 1), 2, &e), 0); /* sent: it changes five rows, not two */
    long long touch = db_statement_count(conn);
    assert_int_equal(db_commit(conn, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_int_equal(db_failed_statement(conn), touch); /* the write order taken between is not numbered */
    db_rollback(conn);

    assert_int_equal(db_begin_unordered(conn, &e), 0);
    assert_int_equal(db_exec_deferred(bound(SQL_ADD, 1), &e), 0); /* a duplicate key */
    long long duplicate = db_statement_count(conn);
    assert_int_equal(db_take_order(conn, &e), 0);
    assert_int_equal(db_exec_deferred(bound(SQL_ADD, 8), &e), 0);
    assert_int_equal(db_commit(conn, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_int_equal(db_failed_statement(conn), duplicate);
    db_rollback(conn);
    assert_string_equal(read_all(bound(SQL_COUNT, -1)).text, "3");
}

static void test_the_unordered_part_runs_beside_the_write_order_of_another(void **state)
{
    (void)state;
    err e = {0};
    db_pool *second = db_pool_new(&db_engine_postgres, getenv("ARAYIS_TEST_DATABASE_URL"), &e);
    db *other = second != NULL ? db_pool_get(second, &e) : NULL;
    assert_non_null(other);
    assert_int_equal(db_begin(conn, &e), 0);
    assert_int_equal(db_exec_checked(bound(SQL_TOUCH, 3), 1, &e), 0);
    assert_string_equal(read_all(bound(SQL_COUNT, -1)).text, "3"); /* read: conn holds the write order now */

    assert_int_equal(db_exec_sql(other, SQL_NO_WAIT, &e), 0);
    assert_int_equal(db_begin_unordered(other, &e), 0);
    assert_int_equal(db_exec_deferred(bound_on(other, SQL_ADD, 9), &e), 0);
    rows_seen own = {"", 0};
    assert_int_equal(db_each_row(bound_on(other, SQL_COUNT, -1), note_row, &own, "read", &e), 0);
    assert_string_equal(own.text, "4"); /* its insert ran, and its read, while conn holds the order */
    assert_int_equal(db_take_order(other, &e), 0);
    assert_int_equal(db_each_row(bound_on(other, SQL_COUNT, -1), note_row, &own, "read", &e), -1);
    assert_int_equal(e.code, ERR_BUSY); /* after the write order: it waited for conn, until its lock_timeout */
    db_rollback(other);
    assert_int_equal(db_exec_sql(other, SQL_WAIT, &e), 0);
    db_rollback(conn);
    db_pool_free(second);
    assert_string_equal(read_all(bound(SQL_COUNT, -1)).text, "3");
}

static void test_a_statement_that_could_not_be_made_is_not_sent(void **state)
{
    (void)state;
    err e = {0};
    assert_null(db_read_ahead(NULL, &e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queries_read_ahead_are_answered_with_the_next_that_waits),
        cmocka_unit_test(test_a_failed_query_fails_alone),
        cmocka_unit_test(test_a_write_outside_a_transaction_runs_at_once),
        cmocka_unit_test(test_nothing_is_sent_ahead_inside_a_transaction),
        cmocka_unit_test(test_a_query_bound_again_before_it_is_read_reads_its_new_rows),
        cmocka_unit_test(test_a_transaction_commits_with_its_writes),
        cmocka_unit_test(test_a_failed_write_is_named_by_its_number_and_nothing_is_kept),
        cmocka_unit_test(test_a_failed_write_after_the_write_order_is_named_by_its_number),
        cmocka_unit_test(test_the_unordered_part_runs_beside_the_write_order_of_another),
        cmocka_unit_test(test_a_statement_that_could_not_be_made_is_not_sent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
