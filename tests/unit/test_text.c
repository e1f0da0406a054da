/* Unit tests of certificate text: shaping UTF-8 into the prepared fonts, widths, and line breaking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/text.h"

static char *regular_files[] = {"fonts/DejaVuSans-arayis.ttf", "fonts/DejaVuSans-arayis-ext.ttf", NULL};
static char **faces[] = {regular_files};

/* Glyphs for ASCII text where every character is 500/1000 em wide (5 points at size 10). */
static size_t fixed_glyphs(const char *text, font_glyph *out)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++)
        out[i] = (font_glyph){(unsigned char)text[i], 0, (uint16_t)(i + 1), 500};
    return n;
}

static void test_width_sums_advances(void **state)
{
    (void)state;
    font_glyph g[8];
    size_t n = fixed_glyphs("abcd", g);
    assert_true(text_width(g, n, 10) == 20.0);
    assert_true(text_width(g, 0, 10) == 0.0);
}

static void test_break_at_last_fitting_space(void **state)
{
    (void)state;
    font_glyph g[32];
    size_t next = 0, n = fixed_glyphs("ab cd ef", g);
    assert_int_equal(text_break(g, n, 10, 27, &next), 5); /* "ab cd" is 25 points */
    assert_int_equal(next, 6);
    assert_int_equal(text_break(g, n, 10, 40, &next), n); /* everything fits */
    assert_int_equal(next, n);
}

static void test_break_skips_runs_of_spaces(void **state)
{
    (void)state;
    font_glyph g[32];
    size_t next = 0, n = fixed_glyphs("ab   cd", g);
    assert_int_equal(text_break(g, n, 10, 15, &next), 2);
    assert_int_equal(next, 5);
}

static void test_break_inside_a_word_longer_than_the_line(void **state)
{
    (void)state;
    font_glyph g[32];
    size_t next = 0, n = fixed_glyphs("abcdefgh", g);
    assert_int_equal(text_break(g, n, 10, 17, &next), 3);
    assert_int_equal(next, 3);
    assert_int_equal(text_break(g, n, 10, 1, &next), 1); /* always progress */
    assert_int_equal(next, 1);
}

static void test_shape_finds_glyphs_in_core_and_extension(void **state)
{
    (void)state;
    err e = {0};
    font_set *f = font_set_load(getenv("ARAYIS_SHARE_DIR"), faces, 1, &e);
    assert_non_null(f);
    text_glyphs t = TEXT_INIT;
    assert_int_equal(text_shape(f, 0, "Əli Ā", &t, &e), 0);
    assert_int_equal(t.n, 5);
    assert_int_equal(t.g[0].cp, 0x018F);
    assert_int_equal(t.g[0].program, 0);
    assert_int_equal(t.g[4].cp, 0x0100);
    assert_int_equal(t.g[4].program, 1);
    assert_true(t.g[0].gid != 0 && t.g[0].width > 0);
    assert_int_equal(text_shape(f, 0, "a\xe4\xb8\xad", &t, &e), -1);
    assert_int_equal(e.code, ERR_RENDER);
    assert_non_null(strstr(e.msg, "U+4E2D"));
    assert_int_equal(text_shape(f, 0, "a\xff", &t, &e), -1);
    text_free(&t);
    font_set_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_width_sums_advances),
        cmocka_unit_test(test_break_at_last_fitting_space),
        cmocka_unit_test(test_break_skips_runs_of_spaces),
        cmocka_unit_test(test_break_inside_a_word_longer_than_the_line),
        cmocka_unit_test(test_shape_finds_glyphs_in_core_and_extension),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
