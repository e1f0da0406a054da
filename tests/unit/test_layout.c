/* Unit tests of line breaking and page layout with the real certificate template and fonts: long Azerbaijani text
   broken within a width with no character lost, duplicated or cut, read back from the page's content stream; text
   that cannot fit, or lacks a glyph, refused with ERR_RENDER; content-stream numbers to the hundredth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/content.h"
#include "pdf/layout.h"
#include "pdf/text.h"

static const char LONG_TEXT[] =
    "Bu arayış təsdiq edir ki, yuxarıda göstərilən abonentin 25.11.2026 tarixinə elektrik enerjisi üzrə "
    "1 234,56 AZN məbləğində borcu var. Arayışın həqiqiliyini QR kodu oxutmaqla və ya ünvanında arayışın "
    "nömrəsini və yoxlama kodunu daxil etməklə yoxlaya bilərsiniz. Sənəd “Azərişıq” ASC tərəfindən elektron "
    "imza ilə imzalanmışdır. ƏLİYEV İSMAYIL ŞÜKÜR OĞLU, Gəncə, Çəmənli küçəsi, Ağdərə, Öküzlü, Üçtəpə.";

static const char LONG_ADDRESS[] =
    "Azərbaycan Respublikası, Bakı şəhəri, Nəsimi rayonu, Şərifzadə küçəsi, ev 12, mənzil 34, İçərişəhər "
    "yaxınlığı, Üzeyir Hacıbəyov prospektinin kəsişməsi, Gəncə qapısı ilə üzbəüz, Çinar parkının yanında";

typedef struct fixture {
    tpl_document tpl;
    font_set *fonts;
} fixture;

static fixture fx;

static const char *share_dir(void)
{
    const char *dir = getenv("ARAYIS_SHARE_DIR");
    return dir ? dir : ".";
}

static int setup(void **state)
{
    (void)state;
    char path[1024];
    err e = {0};
    snprintf(path, sizeof path, "%s/templates/certificate.json", share_dir());
    if (tpl_load(path, &fx.tpl, &e) != 0 || (fx.fonts = font_set_load(share_dir(), fx.tpl.fonts, TPL_FACES, &e)) == NULL) {
        fprintf(stderr, "setup: %s\n", e.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    font_set_free(fx.fonts);
    tpl_free(&fx.tpl);
    return 0;
}

/* Sum of the advances of glyphs [from, to) at size, in points, counted here rather than by text_width. */
static double advance(const font_glyph *g, size_t from, size_t to, double size)
{
    double units = 0;
    for (size_t i = from; i < to; i++)
        units += g[i].width;
    return units * size / 1000;
}

/* Where the word starting at or after from ends (the next space or n). */
static size_t word_end(const font_glyph *g, size_t n, size_t from)
{
    while (from < n && g[from].cp != ' ')
        from++;
    return from;
}

/* Breaks t into lines of width at size and checks each line: it fits; it is not empty; it does not start or end
   with a space; it ends at a space unless a single word is wider than the line; a line ended at a space could
   not have taken the next word; and the lines, rejoined with the single spaces between them, are the text. */
static int check_breaking(const text_glyphs *t, double size, double width)
{
    const font_glyph *g = t->g;
    size_t n = t->n, start = 0, rejoined = 0;
    int lines = 0;
    while (start < n) {
        size_t next = 0, len = text_break(g + start, n - start, size, width, &next);
        size_t end = start + len;
        assert_true(len > 0 && next > 0 && end <= start + next && start + next <= n);
        assert_true(g[start].cp != ' ' && g[end - 1].cp != ' ');
        double line = advance(g, start, end, size);
        if (end == word_end(g, n, start) || end == n || g[end].cp == ' ') {
            if (line > width + 1e-9 && len > 1) /* whole words fit; a glyph wider than the line stands alone */
                fail_msg("line at %zu of %zu glyphs is %.2f points wide in %.2f", start, len, line, width);
            if (start + next < n && g[end].cp == ' ')
                assert_true(advance(g, start, word_end(g, n, start + next), size) > width); /* greedy */
        } else {
            /* a word wider than the line, cut inside: as many glyphs as fit, at least one */
            assert_true(len == 1 || line <= width + 1e-9);
            assert_true(advance(g, start, end + 1, size) > width);
        }
        for (size_t i = end; i < start + next; i++)
            assert_int_equal(g[i].cp, ' '); /* only spaces are skipped between lines */
        rejoined += len + (start + next - end);
        start += next;
        lines++;
    }
    assert_int_equal(rejoined, n);
    return lines;
}

static void shape(int face, const char *text, text_glyphs *t)
{
    err e = {0};
    assert_int_equal(text_shape(fx.fonts, face, text, t, &e), 0);
}

static void test_long_text_breaks_within_every_width(void **state)
{
    (void)state;
    text_glyphs t = TEXT_INIT;
    for (int face = 0; face < TPL_FACES; face++) {
        shape(face, LONG_TEXT, &t);
        int previous = 1 << 30;
        for (double width = 60; width <= 700; width += 7.3) {
            int lines = check_breaking(&t, 10.5, width);
            assert_true(lines <= previous); /* a wider measure never needs more lines */
            previous = lines;
        }
        assert_int_equal(check_breaking(&t, 10.5, advance(t.g, 0, t.n, 10.5)), 1);
        assert_int_equal(check_breaking(&t, 10.5, advance(t.g, 0, t.n, 10.5) - 0.5), 2);
    }
    text_free(&t);
}

static void test_word_wider_than_the_line_is_cut_not_lost(void **state)
{
    (void)state;
    text_glyphs t = TEXT_INIT;
    shape(1, "AğdərəşəhərətrafıİçərişəhərÇəmənliÜçtəpəÖküzlüŞəkiĞəbələ və ş", &t);
    for (double width = 1; width < 120; width += 3.7)
        check_breaking(&t, 11, width);
    text_free(&t);
}

/* One line of text read back from a content stream: where it starts, its size and its glyphs. */
typedef struct shown_line {
    double x, y, size;
    font_glyph g[512];
    size_t n;
} shown_line;

/* Parses the BT … ET text objects layout writes ("x y Td", "/Fp size Tf", "<gid…> Tj"). Returns the count. */
static size_t read_lines(const char *content, shown_line *lines, size_t max)
{
    size_t count = 0;
    shown_line *l = NULL;
    for (const char *p = content; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        double a, b;
        unsigned program;
        int parsed = 0;
        if (strncmp(p, "ET\n", 3) == 0) {
            l = NULL;
        } else if (strncmp(p, "BT\n", 3) == 0) {
            assert_true(count < max);
            l = &lines[count++];
            memset(l, 0, sizeof *l);
        } else if (l && sscanf(p, "%lf %lf Td%n", &a, &b, &parsed) == 2 && parsed > 0) {
            l->x = a, l->y = b;
        } else if (l && sscanf(p, "/F%u %lf Tf", &program, &a) == 2) {
            l->size = a;
            l->g[l->n].program = (uint16_t)program; /* for the glyphs of the next Tj */
        } else if (l && *p == '<') {
            uint16_t program = l->g[l->n].program;
            for (p++; *p != '>'; p += 4) {
                unsigned gid;
                assert_int_equal(sscanf(p, "%4x", &gid), 1);
                assert_true(l->n + 1 < sizeof l->g / sizeof l->g[0]);
                l->g[l->n++] = (font_glyph){0, program, (uint16_t)gid, 0};
                l->g[l->n].program = program;
            }
        }
    }
    return count;
}

/* The lines set at the left edge of the value column, in the order of the content. */
static size_t value_lines(const char *content, shown_line *out, size_t max)
{
    static shown_line all[200];
    size_t n = read_lines(content, all, 200), count = 0;
    double x = fx.tpl.left + fx.tpl.label_width;
    for (size_t i = 0; i < n; i++)
        if (fabs(all[i].x - x) < 0.01 && count < max)
            out[count++] = all[i];
    return count;
}

static int same_glyph(const font_glyph *a, const font_glyph *b)
{
    return a->program == b->program && a->gid == b->gid;
}

/* The values a residential certificate's placeholders take, with address as the address. */
static void fill_vars(const char *vars[32], const char *holder, const char *address)
{
    const char *list[] = {"number", "AZI-2026-000123", "issued_date", "25.11.2026", "valid_until_date", "25.12.2026",
                          "as_of_date", "24.11.2026", "amount", "1 234,56", "code_grouped", "K7Q2-M9XD-4P8T-3R6W",
                          "verify_base", "https://arayis.example.az/v", "subscriber_code", "1234567890",
                          "subscriber_type", fx.tpl.word_residential, "holder", holder, "voen", "",
                          "address", address, NULL};
    memcpy(vars, list, sizeof list);
}

static int lay_out(const char *holder, const char *address, page_layout *page, err *e)
{
    const char *vars[32];
    fill_vars(vars, holder, address);
    layout_input in = {.vars = vars, .has_address = 1, .has_debt = 1, .qr_text = "https://arayis.example.az/v/x"};
    return layout_page(&fx.tpl, fx.fonts, &in, page, e);
}

static void test_long_address_wraps_inside_its_column(void **state)
{
    (void)state;
    page_layout page = {.content = BUF_INIT};
    err e = {0};
    assert_int_equal(lay_out("Məmmədov Əli Şükür oğlu", LONG_ADDRESS, &page, &e), 0);
    static shown_line lines[40];
    size_t n = value_lines(buf_cstr(&page.content), lines, 40);
    assert_true(n >= 6 + 3); /* six one-line values above the address, which takes several lines */

    text_glyphs t = TEXT_INIT;
    shape(fx.tpl.value_style.face, LONG_ADDRESS, &t);
    double column = fx.tpl.width - fx.tpl.left - fx.tpl.right - fx.tpl.label_width;
    size_t at = 0;
    for (size_t i = 6; i < n; i++) {
        assert_true(fabs(lines[i].size - fx.tpl.value_style.size) < 0.01); /* no need to shrink for this one */
        assert_true(i == 6 || lines[i].y < lines[i - 1].y);
        for (size_t j = 0; j < lines[i].n; j++, at++) {
            assert_true(at < t.n);
            assert_true(same_glyph(&lines[i].g[j], &t.g[at]));
        }
        assert_true(advance(t.g, at - lines[i].n, at, lines[i].size) <= column + 1e-6);
        if (i + 1 < n) {
            assert_int_equal(t.g[at].cp, ' '); /* the line ended at a word boundary, one space dropped */
            at++;
        }
    }
    assert_int_equal(at, t.n); /* every character shown once, in order */
    text_free(&t);
    buf_free(&page.content);
}

/* Content-stream numbers: rounded to hundredths, without trailing zeros or a negative zero. */
static void test_content_numbers_are_written_to_the_hundredth(void **state)
{
    (void)state;
    buf out = BUF_INIT;
    assert_int_equal(content_rule(&out, 12, 12.5, -0.25, 0.004, 99.996), 0);
    assert_int_equal(content_rule(&out, -0.001, 1.1, 1234567.891, 0.995, 0.1), 0);
    assert_string_equal(buf_cstr(&out), "0 w 100 G 12 -0.25 m 12.5 -0.25 l S\n"
                                        "1 w 0.1 G 0 1234567.89 m 1.1 1234567.89 l S\n");
    buf_free(&out);
}

static void test_content_that_cannot_fit_is_refused(void **state)
{
    (void)state;
    buf address = BUF_INIT;
    for (int i = 0; i < 12; i++)
        assert_int_equal(buf_printf(&address, "%s%s", i ? ", " : "", LONG_ADDRESS), 0);
    page_layout page = {.content = BUF_INIT};
    err e = {0};
    assert_int_equal(lay_out("Məmmədov Əli Şükür oğlu", buf_cstr(&address), &page, &e), -1);
    assert_int_equal(e.code, ERR_RENDER);
    assert_non_null(strstr(e.msg, "does not fit"));
    buf_free(&address);
    buf_free(&page.content);
}

static void test_a_character_without_a_glyph_is_refused(void **state)
{
    (void)state;
    page_layout page = {.content = BUF_INIT};
    err e = {0};
    assert_int_equal(lay_out("Məmmədov 王 Əli", "Bakı", &page, &e), -1);
    assert_int_equal(e.code, ERR_RENDER);
    assert_non_null(strstr(e.msg, "U+738B"));
    buf_free(&page.content);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_text_breaks_within_every_width),
        cmocka_unit_test(test_word_wider_than_the_line_is_cut_not_lost),
        cmocka_unit_test(test_long_address_wraps_inside_its_column),
        cmocka_unit_test(test_content_numbers_are_written_to_the_hundredth),
        cmocka_unit_test(test_content_that_cannot_fit_is_refused),
        cmocka_unit_test(test_a_character_without_a_glyph_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
