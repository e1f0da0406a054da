/* Unit tests of the certificate character set and of the store's checked column copy: what validation accepts is
   exactly the table, and a stored text longer than its buffer is refused whole, never cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "model/charset.h"
#include "model/validate.h"
#include "store/db.h"

static void test_table_is_sorted_and_disjoint(void **state)
{
    (void)state;
    size_t n;
    const charset_range *r = charset_ranges(&n);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        assert_true(r[i].first <= r[i].last);
        if (i > 0)
            assert_true(r[i - 1].last < r[i].first);
    }
}

static void test_printable_characters(void **state)
{
    (void)state;
    const uint32_t yes[] = {' ', 'A', '~', 0xA0, 0xC7, 0x130, 0x131, 0x15E, 0x24F, 0x259, 0x2BC, 0x2013, 0x2014,
                            0x2018, 0x2019, 0x201C, 0x201D, 0x201E, 0x2116};
    const uint32_t no[] = {0, 0x1F, 0x7F, 0x85, 0x9F, 0x250, 0x258, 0x25A, 0x416, 0x2012, 0x2015, 0x201F, 0x202E,
                           0x2115, 0x2117, 0x20BC, 0xFFFD, 0x1F600};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(charset_printable(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(charset_printable(no[i]));
}

static void test_validation_uses_the_table(void **state)
{
    (void)state;
    char *out = NULL;
    assert_null(validate_text("“Çıraq” № 5 — ʼ", 1, 200, &out));
    free(out);
    assert_non_null(validate_text("Жуков", 1, 200, &out));
    assert_null(out);
}

static void test_utf8_bound_holds_the_widest_character(void **state)
{
    (void)state;
    /* 200 characters of the widest printable character fit the bound for 200 */
    size_t n;
    const charset_range *r = charset_ranges(&n);
    uint32_t widest = r[n - 1].last;
    size_t bytes = widest < 0x80 ? 1 : widest < 0x800 ? 2 : widest < 0x10000 ? 3 : 4;
    assert_true(200 * bytes <= CHARSET_UTF8_BYTES(200));
}

/* Where copy_holder copies the column. */
typedef struct copy_target {
    char *dst;
    size_t size;
} copy_target;

static int copy_holder(stmt *st, void *ctx, err *e)
{
    copy_target *t = ctx;
    return db_column_copy(st, 0, t->dst, t->size, e);
}

/* Reads the text of `SELECT ?` (an in-memory SQLite database) into a buffer of size bytes. */
static int copy_of(const char *text, char *dst, size_t size, err *e)
{
    static const char sql[] = "SELECT ?1 AS holder";
    err setup = {0};
    db_pool *pool = db_pool_new(&db_engine_sqlite, ":memory:", &setup);
    db *d = pool ? db_pool_get(pool, &setup) : NULL;
    stmt *st = d ? db_stmt(d, sql, &setup) : NULL;
    assert_non_null(st);
    assert_int_equal(stmt_bind_text(st, 1, text), 0);
    copy_target target = {dst, size};
    int rc = db_step_one(st, copy_holder, &target, "read", e);
    db_pool_free(pool);
    return rc == 1 ? 0 : -1;
}

static void test_column_copy_refuses_instead_of_cutting(void **state)
{
    (void)state;
    char dst[8];
    err e = {0};
    assert_int_equal(copy_of("Şəkil", dst, sizeof dst, &e), 0); /* 7 bytes */
    assert_string_equal(dst, "Şəkil");
    assert_int_equal(copy_of("Şəkili", dst, sizeof dst, &e), -1); /* 8 bytes: no room for the NUL */
    assert_int_equal(e.code, ERR_TOO_LONG);
    assert_string_equal(dst, "");
    assert_non_null(strstr(e.msg, "holder"));
    assert_null(strstr(e.msg, "Şəkili"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_sorted_and_disjoint),
        cmocka_unit_test(test_printable_characters),
        cmocka_unit_test(test_validation_uses_the_table),
        cmocka_unit_test(test_utf8_bound_holds_the_widest_character),
        cmocka_unit_test(test_column_copy_refuses_instead_of_cutting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
