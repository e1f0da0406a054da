/* Unit tests of the TrueType subsets: made from the real certificate fonts, read back per the OpenType
   specification (directory, checksums, loca against glyf), kept glyphs byte for byte, glyph ids unchanged;
   inconsistent sources refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/font.h"
#include "pdf/text.h"
#include "pdf/ttsubset.h"
#include "truetype_read.h"

static char *regular_files[] = {"fonts/DejaVuSans-arayis.ttf", "fonts/DejaVuSans-arayis-ext.ttf", NULL};
static char *bold_files[] = {"fonts/DejaVuSans-Bold-arayis.ttf", "fonts/DejaVuSans-Bold-arayis-ext.ttf", NULL};
#define NFILES 4

/* A source font read by the test's own reader, and the tt_source over it. */
typedef struct source {
    tt_file file;
    uint32_t *glyph_start;
    tt_source src;
} source;

static source sources[NFILES];

static const char *file_name(int i)
{
    return (i < 2 ? regular_files : bold_files)[i % 2];
}

/* Fills s->src from the file's directory and loca. Returns 0 or -1. */
static int source_open(source *s, const char *relative)
{
    const char *share = getenv("ARAYIS_SHARE_DIR");
    if (tt_file_read_shared(share ? share : ".", relative, &s->file) != 0)
        return -1;
    const unsigned char *d = s->file.data;
    s->src = (tt_source){.data = d, .len = s->file.len};
    s->src.nglyphs = tt_num_glyphs_in(d, s->file.len);
    s->src.long_loca = tt_long_loca_in(d, s->file.len);
    if ((s->glyph_start = calloc(s->src.nglyphs + 1, sizeof *s->glyph_start)) == NULL)
        return -1;
    for (uint32_t gid = 0; gid < s->src.nglyphs; gid++)
        if (tt_glyph_span_in(d, s->file.len, gid, &s->glyph_start[gid], &s->glyph_start[gid + 1]) != 0)
            return -1;
    s->src.glyph_start = s->glyph_start;
    for (int i = 0; i < tt_num_tables(d); i++) {
        const unsigned char *r = tt_record(d, i);
        if (!tt_subset_tag(r) || s->src.ntables == TTSUBSET_MAX_TABLES)
            continue;
        memcpy(s->src.tables[s->src.ntables].tag, r, 4);
        s->src.tables[s->src.ntables].offset = tt_u32(r + 8);
        s->src.tables[s->src.ntables++].length = tt_u32(r + 12);
    }
    return 0;
}

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < NFILES; i++)
        if (source_open(&sources[i], file_name(i)) != 0)
            return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < NFILES; i++) {
        tt_file_free(&sources[i].file);
        free(sources[i].glyph_start);
    }
    return 0;
}

static void mark(uint8_t *used, uint32_t gid)
{
    used[gid / 8] |= (uint8_t)(1u << gid % 8);
}

/* Subsets s to used and checks the result with the independent reader. Returns the subset's size. */
static size_t subset_checked(const source *s, const uint8_t *used)
{
    buf out = BUF_INIT;
    assert_int_equal(buf_puts(&out, "earlier content, to be replaced"), 0);
    assert_int_equal(tt_subset(&s->src, used, &out), 0);
    const char *problem = tt_subset_problem(&s->file, out.data, out.len, used);
    if (problem)
        fail_msg("%s", problem);
    size_t len = out.len;
    buf_free(&out);
    return len;
}

static void test_the_fonts_are_usable_sources(void **state)
{
    (void)state;
    for (int i = 0; i < NFILES; i++) {
        assert_true(sources[i].src.nglyphs > 1 && sources[i].src.nglyphs <= FONT_MAX_GLYPHS);
        assert_true(sources[i].src.ntables >= 6); /* head hhea maxp hmtx loca glyf at least */
        assert_true(tt_source_valid(&sources[i].src));
    }
}

static void test_a_few_glyphs_keep_their_ids_and_outlines(void **state)
{
    (void)state;
    static const uint32_t letters[] = {0x018F, 0x0259, 0x0130, 0x0131, 0x015F, 'A', 'z'};
    for (int i = 0; i < NFILES; i += 2) { /* the core files hold the letters */
        uint8_t used[FONT_MAX_GLYPHS / 8] = {0};
        for (size_t j = 0; j < sizeof letters / sizeof letters[0]; j++) {
            uint32_t gid = tt_cmap_glyph(&sources[i].file, letters[j]);
            assert_int_not_equal(gid, 0);
            mark(used, gid);
        }
        size_t len = subset_checked(&sources[i], used);
        assert_true(len < sources[i].file.len / 4);
    }
}

static void test_no_glyph_used_keeps_glyph_zero(void **state)
{
    (void)state;
    uint8_t used[FONT_MAX_GLYPHS / 8] = {0};
    subset_checked(&sources[0], used); /* the checker requires glyph 0's outline */
    uint32_t size;
    assert_non_null(tt_glyph_in(sources[0].file.data, sources[0].file.len, 0, &size));
    assert_true(size > 0); /* so keeping it is visible */
}

static void test_every_glyph_used_keeps_all_outlines(void **state)
{
    (void)state;
    uint8_t used[FONT_MAX_GLYPHS / 8];
    memset(used, 0xFF, sizeof used);
    for (int i = 0; i < NFILES; i++)
        subset_checked(&sources[i], used);
}

/* Every other glyph: many runs of used and unused ids, in all four files (short or long loca alike). */
static void test_alternate_glyphs(void **state)
{
    (void)state;
    uint8_t used[FONT_MAX_GLYPHS / 8];
    memset(used, 0xAA, sizeof used);
    for (int i = 0; i < NFILES; i++)
        subset_checked(&sources[i], used);
}

static void test_subset_of_a_text_is_smaller_than_the_font(void **state)
{
    (void)state;
    static const char text[] = "Bu arayış təsdiq edir ki, yuxarıda göstərilən abonentin 25.11.2026 tarixinə elektrik "
                               "enerjisi üzrə borcu yoxdur. “AZƏRİŞIQ” ASC · İĞÖŞÇÜ";
    char **faces[] = {regular_files};
    err e = {0};
    const char *share = getenv("ARAYIS_SHARE_DIR");
    font_set *f = font_set_load(share ? share : ".", faces, 1, &e);
    assert_non_null(f);
    text_glyphs t = TEXT_INIT;
    font_usage u = {0};
    assert_int_equal(text_shape(f, 0, text, &t, &e), 0);
    for (size_t i = 0; i < t.n; i++)
        font_usage_mark(&u, &t.g[i]);
    assert_int_equal(u.programs, 1u);
    size_t len = subset_checked(&sources[0], u.glyphs[0]);
    assert_true(len < sources[0].file.len / 2);
    text_free(&t);
    font_set_free(f);
}

static void test_kept_tables(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof tt_subset_tags / sizeof tt_subset_tags[0]; i++)
        assert_true(tt_subset_keeps(tt_subset_tags[i]));
    static const char *const dropped[] = {"cmap", "name", "post", "OS/2", "GSUB", "GPOS", "kern", "gasp", "HEAD"};
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        assert_false(tt_subset_keeps(dropped[i]));
}

/* A copy of source 0 whose bytes and glyph offsets a test may change. */
typedef struct damaged {
    unsigned char *data;
    uint32_t *glyph_start;
    tt_source src;
} damaged;

static void damaged_copy(damaged *d)
{
    const source *s = &sources[0];
    d->data = malloc(s->file.len);
    d->glyph_start = malloc((s->src.nglyphs + 1) * sizeof *d->glyph_start);
    assert_non_null(d->data);
    assert_non_null(d->glyph_start);
    memcpy(d->data, s->file.data, s->file.len);
    memcpy(d->glyph_start, s->glyph_start, (s->src.nglyphs + 1) * sizeof *d->glyph_start);
    d->src = s->src;
    d->src.data = d->data;
    d->src.glyph_start = d->glyph_start;
}

static void damaged_free(damaged *d)
{
    free(d->data);
    free(d->glyph_start);
}

static int table_index(const tt_source *src, const char *tag)
{
    for (int i = 0; i < src->ntables; i++)
        if (memcmp(src->tables[i].tag, tag, 4) == 0)
            return i;
    fail_msg("no %s table", tag);
    return -1;
}

/* Refused as a source; when inconsistent (not merely composite), refused by tt_subset too. */
static void assert_refused(const damaged *d, int inconsistent)
{
    uint8_t used[FONT_MAX_GLYPHS / 8];
    memset(used, 0xFF, sizeof used);
    buf out = BUF_INIT;
    assert_false(tt_source_valid(&d->src));
    if (inconsistent)
        assert_int_equal(tt_subset(&d->src, used, &out), -1);
    buf_free(&out);
}

static void test_composite_glyph_is_refused(void **state)
{
    (void)state;
    damaged d;
    damaged_copy(&d);
    uint32_t gid = tt_cmap_glyph(&sources[0].file, 'A');
    assert_true(d.glyph_start[gid + 1] - d.glyph_start[gid] >= 10);
    unsigned char *glyph = d.data + d.src.tables[table_index(&d.src, "glyf")].offset + d.glyph_start[gid];
    glyph[0] = 0xFF, glyph[1] = 0xFF; /* numberOfContours = -1: a composite glyph */
    assert_refused(&d, 0);
    damaged_free(&d);
}

static void test_table_outside_the_file_is_refused(void **state)
{
    (void)state;
    damaged d;
    damaged_copy(&d);
    int glyf = table_index(&d.src, "glyf");
    d.src.tables[glyf].offset = (uint32_t)d.src.len - 4; /* runs past the end */
    assert_refused(&d, 1);
    d.src.tables[glyf].offset = (uint32_t)d.src.len + 100;
    d.src.tables[glyf].length = 0;
    assert_refused(&d, 1);
    damaged_free(&d);
}

static void test_loca_past_glyf_or_backwards_is_refused(void **state)
{
    (void)state;
    damaged d;
    damaged_copy(&d);
    d.glyph_start[d.src.nglyphs] = d.src.tables[table_index(&d.src, "glyf")].length + 4;
    assert_refused(&d, 1);
    damaged_free(&d);

    damaged_copy(&d);
    uint32_t gid = tt_cmap_glyph(&sources[0].file, 'b');
    d.glyph_start[gid + 1] = d.glyph_start[gid] - 2; /* glyph gid would have a negative length */
    assert_refused(&d, 1);
    damaged_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_fonts_are_usable_sources),
        cmocka_unit_test(test_a_few_glyphs_keep_their_ids_and_outlines),
        cmocka_unit_test(test_no_glyph_used_keeps_glyph_zero),
        cmocka_unit_test(test_every_glyph_used_keeps_all_outlines),
        cmocka_unit_test(test_alternate_glyphs),
        cmocka_unit_test(test_subset_of_a_text_is_smaller_than_the_font),
        cmocka_unit_test(test_kept_tables),
        cmocka_unit_test(test_composite_glyph_is_refused),
        cmocka_unit_test(test_table_outside_the_file_is_refused),
        cmocka_unit_test(test_loca_past_glyf_or_backwards_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
