/* Font programs read once through libharu's TrueType parser (character map, widths, table directory, glyph
   offsets); per document a Type 0 / CIDFontType2 font of the used glyphs, built with libharu's object API. */
#include "pdf/font.h"

#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/path.h"
#include "core/share.h"
#include "pdf/objects.h"
#include "crypto/hash.h"
#include "pdf/flate.h"
#include "pdf/ttsubset.h"

#define FONT_FILE_MAX (1024 * 1024)
#define FONT_DIRECT 0x300 /* characters below this are found by index, the rest by binary search */
#define FONT_NONE 0xFFFF
#define FONT_CMAP_BLOCK 100 /* entries per bfchar block, the CMap limit */
#define FONT_NAME_MAX 64

typedef struct font_char {
    uint32_t cp;
    uint16_t gid, width;
} font_char;

typedef struct font_program {
    font_char *chars;      /* sorted by cp */
    size_t nchars;
    uint32_t *gid_cp;      /* per glyph id: the lowest character it shows, 0 when none (libharu reads the BMP
                              cmap, so always <= 0xFFFF) */
    uint16_t *gid_width;   /* per glyph id: advance width, 1/1000 em */
    buf file;              /* the TrueType file */
    uint32_t *glyph_start; /* per glyph id (and one past the last): offset of its data in glyf */
    tt_source source;      /* points into file and glyph_start */
    char name[FONT_NAME_MAX];                /* PostScript name */
    buf type0, cidfont, descriptor;          /* the dictionaries' fixed entries, written as they are */
} font_program;

typedef struct font_face {
    font_glyph direct[FONT_DIRECT];
    int programs[FONT_MAX_PROGRAMS];
    int nprograms;
} font_face;

struct font_set {
    font_program programs[FONT_MAX_PROGRAMS];
    int nprograms;
    font_face *faces;
    int nfaces;
};

static void ignore_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    (void)error_no, (void)detail_no, (void)user_data; /* every call's status is checked where it is made */
}

/* Every printable character of the font's Unicode cmap (format 4 segments), with glyph id and width. */
static int collect_chars(HPDF_FontDef def, font_program *p)
{
    const HPDF_TTF_CmapRange *cmap = &((HPDF_TTFontDefAttr)def->attr)->cmap;
    size_t segments = cmap->seg_count_x2 / 2u, cap = 0;
    for (size_t s = 0; s < segments; s++)
        cap += cmap->end_count[s] >= cmap->start_count[s] ? (size_t)(cmap->end_count[s] - cmap->start_count[s]) + 1 : 0;
    if ((p->chars = calloc(cap ? cap : 1, sizeof *p->chars)) == NULL)
        return -1;
    for (size_t s = 0; s < segments; s++)
        for (uint32_t cp = cmap->start_count[s]; cp <= cmap->end_count[s]; cp++) {
            HPDF_UINT16 gid = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)cp);
            if (gid != 0 && cp >= 0x20 && cp != 0xFFFF)
                p->chars[p->nchars++] = (font_char){cp, gid, (uint16_t)HPDF_TTFontDef_GetGidWidth(def, gid)};
        }
    return p->nchars > 0 ? 0 : -1;
}

/* The per-glyph tables: the lowest character of each glyph and every glyph's advance width. */
static int glyph_tables(HPDF_FontDef def, font_program *p)
{
    size_t n = p->source.nglyphs;
    if ((p->gid_cp = calloc(n, sizeof *p->gid_cp)) == NULL || (p->gid_width = calloc(n, sizeof *p->gid_width)) == NULL)
        return -1;
    for (size_t i = p->nchars; i-- > 0;) /* descending, so the lowest character is kept */
        if (p->chars[i].gid < n)
            p->gid_cp[p->chars[i].gid] = p->chars[i].cp;
    for (size_t gid = 0; gid < n; gid++)
        p->gid_width[gid] = (uint16_t)HPDF_TTFontDef_GetGidWidth(def, (HPDF_UINT16)gid);
    return 0;
}

/* The table directory and glyph offsets of the file, for tt_subset. */
static int outline_tables(HPDF_FontDef def, font_program *p)
{
    HPDF_TTFontDefAttr attr = (HPDF_TTFontDefAttr)def->attr;
    tt_source *src = &p->source;
    src->nglyphs = attr->num_glyphs;
    if (src->nglyphs == 0 || src->nglyphs > FONT_MAX_GLYPHS || attr->glyph_tbl.offsets == NULL ||
        (p->glyph_start = calloc(src->nglyphs + 1, sizeof *p->glyph_start)) == NULL)
        return -1;
    src->long_loca = attr->header.index_to_loc_format != 0;
    for (size_t gid = 0; gid <= src->nglyphs; gid++)
        p->glyph_start[gid] = attr->glyph_tbl.offsets[gid] * (src->long_loca ? 1u : 2u);
    for (HPDF_UINT i = 0; i < attr->offset_tbl.num_tables; i++) {
        const HPDF_TTFTable *t = &attr->offset_tbl.table[i];
        if (!tt_subset_keeps(t->tag))
            continue;
        if (src->ntables == TTSUBSET_MAX_TABLES)
            return -1;
        memcpy(src->tables[src->ntables].tag, t->tag, 4);
        src->tables[src->ntables].offset = t->offset;
        src->tables[src->ntables++].length = t->length;
    }
    src->data = p->file.data;
    src->len = p->file.len;
    src->glyph_start = p->glyph_start;
    return tt_source_valid(src) ? 0 : -1;
}

/* The PostScript name, without any style suffix after a comma. */
static void postscript_name(HPDF_FontDef def, char *out)
{
    size_t n = 0;
    for (const char *c = def->base_font; *c && *c != ',' && n + 1 < FONT_NAME_MAX; c++)
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-')
            out[n++] = *c;
    out[n] = '\0';
}

static int write_entries(font_program *p, HPDF_FontDef def)
{
    int rc = buf_puts(&p->type0, "/Type /Font\012/Subtype /Type0\012/Encoding /Identity-H\012");
    rc |= buf_puts(&p->cidfont, "/Type /Font\012/Subtype /CIDFontType2\012"
                                "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>\012"
                                "/CIDToGIDMap /Identity\012/DW 1000\012");
    rc |= buf_printf(&p->descriptor,
                     "/Type /FontDescriptor\012/Flags %u\012/FontBBox [%d %d %d %d]\012"
                     "/ItalicAngle %d\012/Ascent %d\012/Descent %d\012/CapHeight %u\012/StemV %u\012",
                     (unsigned)def->flags, (int)def->font_bbox.left, (int)def->font_bbox.bottom,
                     (int)def->font_bbox.right, (int)def->font_bbox.top, def->italic_angle, def->ascent, def->descent,
                     (unsigned)def->cap_height, (unsigned)def->stemv);
    return rc;
}

/* Reads one TrueType file and keeps what documents will need. */
static int program_load(font_program *p, HPDF_Doc scratch, const char *path, err *e)
{
    if (share_read_path(path, FONT_FILE_MAX, &p->file, e) != 0) /* first: a missing file is told as one */
        return -1;
    HPDF_FontDef def = HPDF_GetTTFontDefFromFile(scratch, path, HPDF_TRUE);
    if (def == NULL)
        return err_set(e, ERR_RENDER, "cannot read the TrueType font %s (libharu error 0x%04lX)", path,
                       (unsigned long)HPDF_GetError(scratch));
    int rc = 0;
    postscript_name(def, p->name);
    if (collect_chars(def, p) != 0 || outline_tables(def, p) != 0 || glyph_tables(def, p) != 0 || write_entries(p, def) != 0)
        rc = err_set(e, ERR_RENDER, "cannot prepare the font %s", path);
    HPDF_FontDef_Free(def);
    return rc;
}

static void program_free(font_program *p)
{
    free(p->chars);
    free(p->gid_cp);
    free(p->gid_width);
    free(p->glyph_start);
    buf *bufs[] = {&p->file, &p->type0, &p->cidfont, &p->descriptor};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        buf_free(bufs[i]);
}

static int compare_char(const void *key, const void *item)
{
    uint32_t cp = *(const uint32_t *)key, other = ((const font_char *)item)->cp;
    return cp < other ? -1 : cp > other;
}

/* The face's lookup without the index: each program in order, by binary search. */
static int search_face(const font_set *f, const font_face *face, uint32_t cp, font_glyph *out)
{
    for (int i = 0; i < face->nprograms; i++) {
        const font_program *p = &f->programs[face->programs[i]];
        const font_char *c = bsearch(&cp, p->chars, p->nchars, sizeof *p->chars, compare_char);
        if (c) {
            *out = (font_glyph){cp, (uint16_t)face->programs[i], c->gid, c->width};
            return 0;
        }
    }
    return -1;
}

static int face_load(font_set *f, font_face *face, const char *share_dir, char *const *files, HPDF_Doc scratch, err *e)
{
    char path[1024];
    for (; files && *files; files++) {
        if (f->nprograms == FONT_MAX_PROGRAMS)
            return err_set(e, ERR_TOO_LONG, "more than %d font files", FONT_MAX_PROGRAMS);
        if (path_join(path, sizeof path, share_dir, *files, e) != 0)
            return -1;
        face->programs[face->nprograms++] = f->nprograms;
        if (program_load(&f->programs[f->nprograms++], scratch, path, e) != 0)
            return -1;
    }
    if (face->nprograms == 0)
        return err_set(e, ERR_INVALID, "a font face has no files");
    for (uint32_t cp = 0; cp < FONT_DIRECT; cp++)
        if (search_face(f, face, cp, &face->direct[cp]) != 0)
            face->direct[cp] = (font_glyph){cp, FONT_NONE, 0, 0};
    return 0;
}

font_set *font_set_load(const char *share_dir, char **const *faces, int nfaces, err *e)
{
    font_set *f = calloc(1, sizeof *f);
    HPDF_Doc scratch = HPDF_New(ignore_error, NULL);
    if (f == NULL || scratch == NULL || (f->faces = calloc((size_t)nfaces, sizeof *f->faces)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (f->nfaces = 0; f->nfaces < nfaces; f->nfaces++)
        if (face_load(f, &f->faces[f->nfaces], share_dir, faces[f->nfaces], scratch, e) != 0)
            goto fail;
    HPDF_Free(scratch);
    return f;
fail:
    if (scratch)
        HPDF_Free(scratch);
    font_set_free(f);
    return NULL;
}

void font_set_free(font_set *f)
{
    if (f == NULL)
        return;
    for (int i = 0; i < f->nprograms; i++)
        program_free(&f->programs[i]);
    free(f->faces);
    free(f);
}

int font_set_glyph(const font_set *f, int face, uint32_t cp, font_glyph *out)
{
    if (cp < FONT_DIRECT) {
        *out = f->faces[face].direct[cp];
        return out->program == FONT_NONE ? -1 : 0;
    }
    return search_face(f, &f->faces[face], cp, out);
}

void font_usage_mark(font_usage *u, const font_glyph *g)
{
    u->programs |= 1u << g->program;
    u->glyphs[g->program][g->gid / 8] |= (uint8_t)(1u << (g->gid % 8));
}

static int glyph_used(const uint8_t *used, size_t gid)
{
    return used[gid / 8] >> (gid % 8) & 1;
}

/* Writes a dictionary's fixed entries (kept in attr) after the entries added to it per document. */
static HPDF_STATUS write_fixed_entries(HPDF_Dict dict, HPDF_Stream stream)
{
    return HPDF_Stream_WriteStr(stream, dict->attr);
}

/* An indirect dictionary that also writes the fixed entries. */
static HPDF_Dict fixed_dict(HPDF_Doc pdf, const buf *entries)
{
    HPDF_Dict d = HPDF_Dict_New(pdf->mmgr);
    if (d == NULL || HPDF_Xref_Add(pdf->xref, d) != HPDF_OK)
        return NULL;
    d->attr = entries->data;
    d->write_fn = write_fixed_entries;
    return d;
}

/* An indirect stream of data, compressed. */
static HPDF_Dict flate_stream(HPDF_Doc pdf, const buf *data)
{
    HPDF_Dict d = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    return d && flate_stream_write(d, data) == 0 ? d : NULL;
}

/* "ABCDEF+Name": the subset tag derived from which glyphs the subset holds. */
static void subset_name(const font_program *p, const uint8_t *used, char *out, size_t size)
{
    unsigned char digest[32];
    char tag[7];
    hash_sha256(used, FONT_MAX_GLYPHS / 8, digest);
    for (int i = 0; i < 6; i++)
        tag[i] = (char)('A' + digest[i] % 26);
    tag[6] = '\0';
    snprintf(out, size, "%s+%s", tag, p->name);
}

/* Fills w with /W's runs: [g [w w …] …], the widths of the used glyphs in runs of consecutive glyph ids. */
static int add_width_runs(HPDF_Array w, HPDF_MMgr mmgr, const font_program *p, const uint8_t *used)
{
    HPDF_Array run = NULL;
    for (size_t gid = 0; gid < p->source.nglyphs; gid++) {
        if (!glyph_used(used, gid)) {
            run = NULL;
            continue;
        }
        if (run == NULL &&
            (HPDF_Array_AddNumber(w, (HPDF_INT32)gid) != HPDF_OK || pdf_array_put(w, run = HPDF_Array_New(mmgr)) != 0))
            return -1;
        if (HPDF_Array_AddNumber(run, p->gid_width[gid]) != HPDF_OK)
            return -1;
    }
    return 0;
}

/* The /W array of the used glyphs: a new direct array, or NULL. */
static HPDF_Array widths_array(HPDF_Doc pdf, const font_program *p, const uint8_t *used)
{
    HPDF_Array w = HPDF_Array_New(pdf->mmgr);
    if (w != NULL && add_width_runs(w, pdf->mmgr, p, used) != 0) {
        HPDF_Array_Free(w);
        return NULL;
    }
    return w;
}

/* A ToUnicode CMap from the used glyph ids (the character codes) to the characters they show. */
static int write_cmap(const font_program *p, const uint8_t *used, buf *out)
{
    int rc = buf_puts(out, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                           "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                           "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                           "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    size_t mapped = 0, in_block = 0;
    for (size_t gid = 0; gid < p->source.nglyphs; gid++)
        mapped += glyph_used(used, gid) && p->gid_cp[gid] != 0;
    for (size_t gid = 0; gid < p->source.nglyphs; gid++) {
        if (!glyph_used(used, gid) || p->gid_cp[gid] == 0)
            continue;
        if (in_block == 0)
            rc |= buf_printf(out, "%zu beginbfchar\n", mapped < FONT_CMAP_BLOCK ? mapped : FONT_CMAP_BLOCK);
        rc |= buf_puts(out, "<") | buf_put_hex4(out, (unsigned)gid) | buf_puts(out, "> <");
        rc |= buf_put_hex4(out, p->gid_cp[gid]) | buf_puts(out, ">\n");
        mapped--;
        if (++in_block == FONT_CMAP_BLOCK || mapped == 0) {
            rc |= buf_puts(out, "endbfchar\n");
            in_block = 0;
        }
    }
    return rc | buf_puts(out, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
}

/* The streams of one font: the subset program and the ToUnicode CMap. */
static int font_streams(HPDF_Doc pdf, const font_program *p, const uint8_t *used, HPDF_Dict *file, HPDF_Dict *cmap)
{
    buf program = BUF_INIT, text = BUF_INIT;
    int rc = tt_subset(&p->source, used, &program) == 0 && write_cmap(p, used, &text) == 0 &&
                     (*file = flate_stream(pdf, &program)) != NULL && (*cmap = flate_stream(pdf, &text)) != NULL &&
                     HPDF_Dict_AddNumber(*file, "Length1", (HPDF_INT32)program.len) == HPDF_OK
                 ? 0
                 : -1;
    buf_free(&program);
    buf_free(&text);
    return rc;
}

/* The Type 0 font of program p's used glyphs as resource F<index> in fonts: its CIDFont, descriptor, subset program
   and ToUnicode CMap, all indirect objects of pdf. Returns 0 or -1. */
static int embed_program(const font_program *p, int index, const uint8_t *used, HPDF_Doc pdf, HPDF_Dict fonts)
{
    char resource[16], name[FONT_NAME_MAX + 8];
    snprintf(resource, sizeof resource, "F%d", index);
    subset_name(p, used, name, sizeof name);
    HPDF_Dict type0 = fixed_dict(pdf, &p->type0), cid = fixed_dict(pdf, &p->cidfont);
    HPDF_Dict descriptor = fixed_dict(pdf, &p->descriptor), file = NULL, cmap = NULL;
    if (!type0 || !cid || !descriptor || font_streams(pdf, p, used, &file, &cmap) != 0)
        return -1;
    HPDF_Array descendants = HPDF_Array_New(pdf->mmgr);
    if (descendants == NULL)
        return -1;
    if (HPDF_Dict_AddName(type0, "BaseFont", name) != HPDF_OK || pdf_array_put(descendants, cid) != 0) {
        HPDF_Array_Free(descendants);
        return -1;
    }
    return pdf_dict_put(type0, "DescendantFonts", descendants) == 0 && pdf_dict_put(type0, "ToUnicode", cmap) == 0 &&
                   HPDF_Dict_AddName(cid, "BaseFont", name) == HPDF_OK &&
                   pdf_dict_put(cid, "FontDescriptor", descriptor) == 0 &&
                   pdf_dict_put(cid, "W", widths_array(pdf, p, used)) == 0 &&
                   HPDF_Dict_AddName(descriptor, "FontName", name) == HPDF_OK &&
                   pdf_dict_put(descriptor, "FontFile2", file) == 0 && pdf_dict_put(fonts, resource, type0) == 0
               ? 0
               : -1;
}

int font_set_embed(const font_set *f, const font_usage *u, HPDF_Doc pdf, HPDF_Page page, err *e)
{
    HPDF_Dict resources = HPDF_Dict_GetItem(page, "Resources", HPDF_OCLASS_DICT), fonts = HPDF_Dict_New(pdf->mmgr);
    if (resources == NULL || pdf_dict_put(resources, "Font", fonts) != 0)
        return err_set(e, ERR_RENDER, "cannot add the font resources (libharu error 0x%04lX)",
                       (unsigned long)HPDF_GetError(pdf));
    for (int i = 0; i < f->nprograms; i++)
        if ((u->programs & (1u << i)) && embed_program(&f->programs[i], i, u->glyphs[i], pdf, fonts) != 0)
            return err_set(e, ERR_RENDER, "cannot add font F%d (libharu error 0x%04lX)", i,
                           (unsigned long)HPDF_GetError(pdf));
    return 0;
}
