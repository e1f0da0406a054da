/* Unit tests of the certificate fonts against the TrueType files themselves, read without libharu: every character
   and glyph id as the files' cmaps give them, widths from hmtx, refusals when loading, and the embedded font
   (its subset program, widths and ToUnicode map) as a PDF viewer would read it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/font.h"
#include "pdf/text.h"
#include "pdf_stream_read.h"
#include "scratch_dir.h"
#include "truetype_read.h"

/* The certificate's faces as templates/certificate.json names them: programs 0 and 1 are the regular face,
   2 and 3 the bold one. */
static char *regular_files[] = {"fonts/DejaVuSans-arayis.ttf", "fonts/DejaVuSans-arayis-ext.ttf", NULL};
static char *bold_files[] = {"fonts/DejaVuSans-Bold-arayis.ttf", "fonts/DejaVuSans-Bold-arayis-ext.ttf", NULL};
static char **faces[] = {regular_files, bold_files};
#define NPROGRAMS 4

static const uint32_t azerbaijani_letters[] = {0x018F, 0x0259, 0x011E, 0x011F, 'I', 0x0131, 0x0130, 'i',
                                                0x00D6, 0x00F6, 0x015E, 0x015F, 0x00C7, 0x00E7, 0x00DC, 0x00FC};

typedef struct fixture {
    font_set *fonts;
    tt_file files[NPROGRAMS]; /* program i's file, read here */
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
    err e = {0};
    if ((fx.fonts = font_set_load(share_dir(), faces, 2, &e)) == NULL) {
        fprintf(stderr, "font_set_load: %s\n", e.msg);
        return -1;
    }
    for (int i = 0; i < NPROGRAMS; i++)
        if (tt_file_read_shared(share_dir(), faces[i / 2][i % 2], &fx.files[i]) != 0)
            return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    font_set_free(fx.fonts);
    for (int i = 0; i < NPROGRAMS; i++)
        tt_file_free(&fx.files[i]);
    return 0;
}

/* The advance width of gid in program p, in 1/1000 em as the PDF /W array counts it (truncated). */
static unsigned width_1000(int p, uint32_t gid)
{
    return tt_advance(&fx.files[p], gid) * 1000 / tt_units_per_em(&fx.files[p]);
}

/* What the files say about cp in face: the first of its programs whose cmap maps cp, and the glyph id; -1 when
   none does. */
static int expected_glyph(int face, uint32_t cp, uint32_t *gid)
{
    for (int p = face * 2; p < face * 2 + 2; p++)
        if ((*gid = tt_cmap_glyph(&fx.files[p], cp)) != 0)
            return p;
    return -1;
}

static void test_azerbaijani_letters_have_glyphs_in_both_faces(void **state)
{
    (void)state;
    for (int face = 0; face < 2; face++)
        for (size_t i = 0; i < sizeof azerbaijani_letters / sizeof azerbaijani_letters[0]; i++) {
            uint32_t cp = azerbaijani_letters[i], gid = 0;
            font_glyph g;
            assert_int_equal(font_set_glyph(fx.fonts, face, cp, &g), 0);
            assert_int_equal(g.program, face * 2); /* the core file of the face has them all */
            assert_int_equal(expected_glyph(face, cp, &gid), face * 2);
            assert_int_not_equal(g.gid, 0);
            assert_int_equal(g.gid, gid);
            assert_int_equal(g.cp, cp);
            assert_int_equal(g.width, width_1000(g.program, gid));
            assert_true(g.width > 0);
        }
}

static void test_dotted_and_dotless_i_are_different_glyphs(void **state)
{
    (void)state;
    font_glyph dotted_capital, capital, dotless, small;
    assert_int_equal(font_set_glyph(fx.fonts, 0, 0x0130, &dotted_capital), 0);
    assert_int_equal(font_set_glyph(fx.fonts, 0, 'I', &capital), 0);
    assert_int_equal(font_set_glyph(fx.fonts, 0, 0x0131, &dotless), 0);
    assert_int_equal(font_set_glyph(fx.fonts, 0, 'i', &small), 0);
    assert_int_not_equal(dotted_capital.gid, capital.gid);
    assert_int_not_equal(dotless.gid, small.gid);
}

/* Every character of the Basic Multilingual Plane from U+0020: found exactly where the files' cmaps say, in the
   first file of the face that has it, with its hmtx width; refused when no file has it. Covers both the direct
   table (below U+0300) and the search above it. */
static void test_every_character_agrees_with_the_files(void **state)
{
    (void)state;
    for (int face = 0; face < 2; face++) {
        int found = 0, from_extension = 0;
        for (uint32_t cp = 0x20; cp < 0xFFFF; cp++) {
            uint32_t gid = 0;
            int p = expected_glyph(face, cp, &gid);
            font_glyph g = {0};
            int rc = font_set_glyph(fx.fonts, face, cp, &g);
            if (p < 0) {
                if (rc != -1)
                    fail_msg("face %d: U+%04X is in no file but was found", face, (unsigned)cp);
                continue;
            }
            if (rc != 0 || g.program != p || g.gid != gid || g.cp != cp || g.width != width_1000(p, gid))
                fail_msg("face %d U+%04X: got program %d gid %u width %u, files say %d, %u, %u", face, (unsigned)cp,
                         g.program, g.gid, g.width, p, (unsigned)gid, width_1000(p, gid));
            found++;
            from_extension += p % 2;
        }
        assert_true(found > 300);
        assert_true(from_extension > 0);
    }
}

static void test_characters_no_file_has_are_refused(void **state)
{
    (void)state;
    static const uint32_t missing[] = {0x4E2D, 0x0627, 0xFFFD, 0x1F600, 0x10FFFF, 0x110000, 0xFFFF};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        uint32_t gid;
        font_glyph g;
        if (missing[i] <= 0xFFFF)
            assert_int_equal(expected_glyph(0, missing[i], &gid), -1); /* the premise: the files lack it */
        assert_int_equal(font_set_glyph(fx.fonts, 0, missing[i], &g), -1);
        assert_int_equal(font_set_glyph(fx.fonts, 1, missing[i], &g), -1);
    }
    font_glyph g;
    for (uint32_t cp = 0; cp < 0x20; cp++) /* control characters are never shown */
        assert_int_equal(font_set_glyph(fx.fonts, 0, cp, &g), -1);
}

/* Loads one face of files from share; returns the set (or NULL with e set). */
static font_set *load_one_face(const char *share, char **files, err *e)
{
    char **one[] = {files};
    return font_set_load(share, one, 1, e);
}

/* Writes len bytes of data to dir/name. */
static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_load_refuses_bad_sets(void **state)
{
    (void)state;
    char dir[SCRATCH_DIR_LEN];
    err e = {0};
    assert_int_equal(scratch_dir_make(dir, "fonts"), 0);
    write_file(dir, "text.ttf", "not a font at all, only text", 28);
    write_file(dir, "cut.ttf", fx.files[0].data, fx.files[0].len / 3);
    write_file(dir, "whole.ttf", fx.files[0].data, fx.files[0].len);

    char *absent[] = {"absent.ttf", NULL}, *text[] = {"whole.ttf", "text.ttf", NULL}, *cut[] = {"cut.ttf", NULL};
    char *none[] = {NULL}, *nine[] = {"whole.ttf", "whole.ttf", "whole.ttf", "whole.ttf", "whole.ttf",
                                      "whole.ttf", "whole.ttf", "whole.ttf", "whole.ttf", NULL};
    assert_null(load_one_face(dir, absent, &e));
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_null(load_one_face(dir, text, &e));
    assert_int_equal(e.code, ERR_RENDER);
    assert_null(load_one_face(dir, cut, &e));
    assert_int_equal(e.code, ERR_RENDER);
    assert_null(load_one_face(dir, none, &e));
    assert_int_equal(e.code, ERR_INVALID);
    assert_null(load_one_face(dir, nine, &e));
    assert_int_equal(e.code, ERR_TOO_LONG);

    char *whole[] = {"whole.ttf", NULL};
    font_set *f = load_one_face(dir, whole, &e); /* the same bytes elsewhere load */
    assert_non_null(f);
    font_set_free(f);
    assert_int_equal(scratch_dir_remove(dir), 0);
}

/* The dictionary under key in d (an indirect one resolved). */
static HPDF_Dict dict_item(HPDF_Dict d, const char *key)
{
    HPDF_Dict item = HPDF_Dict_GetItem(d, key, HPDF_OCLASS_DICT);
    assert_non_null(item);
    return item;
}

/* The decompressed bytes of stream dictionary d. */
static void stream_text(HPDF_Dict d, buf *out)
{
    buf packed = BUF_INIT;
    assert_int_equal(pdf_stream_bytes(d, &packed), 0);
    assert_int_equal(pdf_inflate(&packed, out), Z_OK);
    buf_free(&packed);
}

/* Checks /W of cid: runs [first [w …]] covering exactly the used glyphs, each with its hmtx width. */
static void check_widths(HPDF_Dict cid, int program, const uint8_t *used)
{
    HPDF_Array w = HPDF_Dict_GetItem(cid, "W", HPDF_OCLASS_ARRAY);
    assert_non_null(w);
    uint8_t seen[FONT_MAX_GLYPHS / 8] = {0};
    for (HPDF_UINT i = 0; i + 1 < HPDF_Array_Items(w); i += 2) {
        HPDF_Number first = HPDF_Array_GetItem(w, i, HPDF_OCLASS_NUMBER);
        HPDF_Array run = HPDF_Array_GetItem(w, i + 1, HPDF_OCLASS_ARRAY);
        assert_non_null(first);
        assert_non_null(run);
        for (HPDF_UINT j = 0; j < HPDF_Array_Items(run); j++) {
            HPDF_Number width = HPDF_Array_GetItem(run, j, HPDF_OCLASS_NUMBER);
            uint32_t gid = (uint32_t)first->value + j;
            assert_non_null(width);
            assert_int_equal(width->value, width_1000(program, gid));
            seen[gid / 8] |= (uint8_t)(1u << gid % 8);
        }
    }
    assert_int_equal(HPDF_Array_Items(w) % 2, 0);
    assert_memory_equal(seen, used, sizeof seen);
}

/* Checks F<program>: a Type 0 font whose descendant embeds a valid subset of the program's file holding the used
   glyphs, with their widths and a ToUnicode entry for each character of text shown in that program. */
static void check_embedded(HPDF_Dict fonts, int program, const uint8_t *used, const text_glyphs *t)
{
    char name[8];
    snprintf(name, sizeof name, "F%d", program);
    HPDF_Dict type0 = dict_item(fonts, name);
    HPDF_Array descendants = HPDF_Dict_GetItem(type0, "DescendantFonts", HPDF_OCLASS_ARRAY);
    assert_non_null(descendants);
    HPDF_Dict cid = HPDF_Array_GetItem(descendants, 0, HPDF_OCLASS_DICT);
    assert_non_null(cid);
    check_widths(cid, program, used);

    HPDF_Dict file = dict_item(dict_item(cid, "FontDescriptor"), "FontFile2");
    buf program_bytes = BUF_INIT, cmap = BUF_INIT;
    stream_text(file, &program_bytes);
    HPDF_Number length1 = HPDF_Dict_GetItem(file, "Length1", HPDF_OCLASS_NUMBER);
    assert_non_null(length1);
    assert_int_equal(length1->value, program_bytes.len);
    const char *problem = tt_subset_problem(&fx.files[program], program_bytes.data, program_bytes.len, used);
    if (problem)
        fail_msg("F%d: %s", program, problem);
    assert_true(program_bytes.len < fx.files[program].len / 2);

    stream_text(dict_item(type0, "ToUnicode"), &cmap);
    for (size_t i = 0; i < t->n; i++) {
        char entry[32];
        if (t->g[i].program != program || t->g[i].cp == ' ')
            continue;
        snprintf(entry, sizeof entry, "<%04X> <%04X>", t->g[i].gid, (unsigned)t->g[i].cp);
        if (strstr(buf_cstr(&cmap), entry) == NULL)
            fail_msg("F%d: ToUnicode lacks %s", program, entry);
    }
    buf_free(&program_bytes);
    buf_free(&cmap);
}

static void ignore_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    (void)error_no, (void)detail_no, (void)user_data;
}

static void test_embedded_fonts_hold_exactly_the_used_glyphs(void **state)
{
    (void)state;
    static const char text[] = "“AZƏRİŞIQ” ASC: Ə ə Ğ ğ I ı İ i Ö ö Ş ş Ç ç Ü ü — Ā ā";
    err e = {0};
    text_glyphs t = TEXT_INIT;
    font_usage u = {0};
    uint8_t expected[2][FONT_MAX_GLYPHS / 8] = {{0}};
    assert_int_equal(text_shape(fx.fonts, 0, text, &t, &e), 0);
    for (size_t i = 0; i < t.n; i++) {
        uint32_t gid = 0;
        int p = expected_glyph(0, t.g[i].cp, &gid);
        assert_true(p == 0 || p == 1);
        expected[p][gid / 8] |= (uint8_t)(1u << gid % 8);
        font_usage_mark(&u, &t.g[i]);
    }
    assert_int_equal(u.programs, 3u); /* Ā is only in the extension file */
    assert_memory_equal(u.glyphs[0], expected[0], sizeof expected[0]);
    assert_memory_equal(u.glyphs[1], expected[1], sizeof expected[1]);

    HPDF_Doc pdf = HPDF_New(ignore_error, NULL);
    assert_non_null(pdf);
    HPDF_Page page = HPDF_AddPage(pdf);
    assert_non_null(page);
    assert_int_equal(font_set_embed(fx.fonts, &u, pdf, page, &e), 0);
    HPDF_Dict fonts = dict_item(dict_item(page, "Resources"), "Font");
    check_embedded(fonts, 0, u.glyphs[0], &t);
    check_embedded(fonts, 1, u.glyphs[1], &t);
    assert_null(HPDF_Dict_GetItem(fonts, "F2", HPDF_OCLASS_DICT)); /* the bold face is not used */
    HPDF_Free(pdf);
    text_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_azerbaijani_letters_have_glyphs_in_both_faces),
        cmocka_unit_test(test_dotted_and_dotless_i_are_different_glyphs),
        cmocka_unit_test(test_every_character_agrees_with_the_files),
        cmocka_unit_test(test_characters_no_file_has_are_refused),
        cmocka_unit_test(test_load_refuses_bad_sets),
        cmocka_unit_test(test_embedded_fonts_hold_exactly_the_used_glyphs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
