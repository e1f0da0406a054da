/* Font programs prepared once: character tables from libharu's TrueType parser, then the entries and compressed
   streams of a Type0 / CIDFontType2 font, linked into each document through libharu's object API. */
#include "pdf/font.h"

#include <hpdf_conf.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/share.h"
#include "crypto/hash.h"

#define FONT_FILE_MAX (1024 * 1024)
#define FONT_DIRECT 0x300 /* characters below this are found by index, the rest by binary search */
#define FONT_NONE 0xFFFF
#define FONT_CMAP_BLOCK 100 /* entries per bfchar block, the CMap limit */

typedef struct font_char {
    uint32_t cp;
    uint16_t gid, width;
} font_char;

typedef struct font_program {
    font_char *chars;    /* sorted by cp */
    size_t nchars;
    buf file, cmap;      /* FlateDecode streams: the TrueType program and its ToUnicode CMap */
    buf type0, cidfont, descriptor, file_entries, cmap_entries; /* dictionary entries written as they are */
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

/* Appends data compressed with libharu's Flate filter to out. Returns 0 or -1. */
static int deflate_append(HPDF_MMgr mmgr, const buf *data, buf *out)
{
    HPDF_Stream src = HPDF_MemStream_New(mmgr, HPDF_STREAM_BUF_SIZ), dst = HPDF_MemStream_New(mmgr, HPDF_STREAM_BUF_SIZ);
    int rc = -1;
    if (src && dst && HPDF_Stream_Write(src, data->data, (HPDF_UINT)data->len) == HPDF_OK &&
        HPDF_Stream_WriteToStream(src, dst, HPDF_STREAM_FILTER_FLATE_DECODE, NULL) == HPDF_OK &&
        HPDF_Stream_Seek(dst, 0, HPDF_SEEK_SET) == HPDF_OK && buf_reserve(out, HPDF_Stream_Size(dst)) == 0) {
        HPDF_UINT n = HPDF_Stream_Size(dst);
        HPDF_STATUS st = HPDF_Stream_Read(dst, out->data + out->len, &n);
        rc = (st == HPDF_OK || st == HPDF_STREAM_EOF) && n == HPDF_Stream_Size(dst) ? 0 : -1;
        out->len += rc == 0 ? n : 0;
        out->data[out->len] = '\0';
    }
    if (src)
        HPDF_Stream_Free(src);
    if (dst)
        HPDF_Stream_Free(dst);
    return rc;
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

/* The lowest character of each glyph, indexed by glyph id (cp 0 when none); the caller frees it. */
static font_char *chars_by_gid(const font_program *p, size_t *count)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nchars; i++)
        n = p->chars[i].gid >= n ? (size_t)p->chars[i].gid + 1 : n;
    font_char *by_gid = calloc(n, sizeof *by_gid);
    for (size_t i = p->nchars; by_gid && i-- > 0;) /* descending, so the lowest character is kept */
        by_gid[p->chars[i].gid] = p->chars[i];
    *count = n;
    return by_gid;
}

/* "/W [g [w w …] …]": widths of the mapped glyphs, in runs of consecutive glyph ids. */
static int write_widths(const font_char *by_gid, size_t n, buf *out)
{
    int rc = buf_puts(out, "/W [");
    for (size_t gid = 0; gid < n; gid++) {
        if (by_gid[gid].cp == 0)
            continue;
        int starts = gid == 0 || by_gid[gid - 1].cp == 0, ends = gid + 1 == n || by_gid[gid + 1].cp == 0;
        rc |= starts ? buf_printf(out, "%zu [", gid) : 0;
        rc |= buf_printf(out, "%u%s", by_gid[gid].width, ends ? "] " : " ");
    }
    return rc | buf_puts(out, "]\012");
}

/* A ToUnicode CMap from glyph ids (the character codes) to the characters they show. */
static int write_cmap(const font_char *by_gid, size_t n, buf *out)
{
    int rc = buf_puts(out, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                           "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                           "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                           "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    size_t mapped = 0, in_block = 0;
    for (size_t gid = 0; gid < n; gid++)
        mapped += by_gid[gid].cp != 0;
    for (size_t gid = 0; gid < n; gid++) {
        if (by_gid[gid].cp == 0)
            continue;
        if (in_block == 0)
            rc |= buf_printf(out, "%zu beginbfchar\n", mapped < FONT_CMAP_BLOCK ? mapped : FONT_CMAP_BLOCK);
        rc |= buf_printf(out, "<%04zX> <%04X>\n", gid, (unsigned)by_gid[gid].cp);
        mapped--;
        if (++in_block == FONT_CMAP_BLOCK || mapped == 0) {
            rc |= buf_puts(out, "endbfchar\n");
            in_block = 0;
        }
    }
    return rc | buf_puts(out, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
}

/* "ABCDEF+Name": a subset tag derived from the program bytes, and the PostScript name up to any style suffix. */
static void subset_name(HPDF_FontDef def, const buf *file, char *out, size_t size)
{
    unsigned char digest[32];
    char tag[7], name[64];
    size_t n = 0;
    hash_sha256(file->data, file->len, digest);
    for (int i = 0; i < 6; i++)
        tag[i] = (char)('A' + digest[i] % 26);
    tag[6] = '\0';
    for (const char *c = def->base_font; *c && *c != ',' && n + 1 < sizeof name; c++)
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-')
            name[n++] = *c;
    name[n] = '\0';
    snprintf(out, size, "%s+%s", tag, name);
}

static int write_dicts(font_program *p, HPDF_FontDef def, const char *name, size_t file_length)
{
    int rc = buf_printf(&p->type0, "/Type /Font\012/Subtype /Type0\012/BaseFont /%s\012/Encoding /Identity-H\012", name);
    rc |= buf_printf(&p->cidfont,
                     "/Type /Font\012/Subtype /CIDFontType2\012/BaseFont /%s\012"
                     "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>\012"
                     "/CIDToGIDMap /Identity\012/DW 1000\012",
                     name);
    rc |= buf_printf(&p->descriptor,
                     "/Type /FontDescriptor\012/FontName /%s\012/Flags %u\012/FontBBox [%d %d %d %d]\012"
                     "/ItalicAngle %d\012/Ascent %d\012/Descent %d\012/CapHeight %u\012/StemV %u\012",
                     name, (unsigned)def->flags, (int)def->font_bbox.left, (int)def->font_bbox.bottom,
                     (int)def->font_bbox.right, (int)def->font_bbox.top, def->italic_angle, def->ascent, def->descent,
                     (unsigned)def->cap_height, (unsigned)def->stemv);
    rc |= buf_printf(&p->file_entries, "/Filter /FlateDecode\012/Length1 %zu\012", file_length);
    rc |= buf_puts(&p->cmap_entries, "/Filter /FlateDecode\012");
    return rc;
}

/* Reads one TrueType file and prepares everything a document will copy. */
static int program_load(font_program *p, HPDF_Doc scratch, const char *path, err *e)
{
    buf raw = BUF_INIT, cmap = BUF_INIT;
    font_char *by_gid = NULL;
    size_t ngids = 0;
    char name[80];
    int rc = -1;
    HPDF_FontDef def = HPDF_GetTTFontDefFromFile(scratch, path, HPDF_FALSE);
    if (def == NULL) {
        err_set(e, 1, "cannot read the TrueType font %s (libharu error 0x%04lX)", path, (unsigned long)HPDF_GetError(scratch));
        goto fail;
    }
    if (share_read_path(path, FONT_FILE_MAX, &raw, e) != 0)
        goto fail;
    subset_name(def, &raw, name, sizeof name);
    if (collect_chars(def, p) != 0 || (by_gid = chars_by_gid(p, &ngids)) == NULL || write_widths(by_gid, ngids, &p->cidfont) != 0 ||
        write_cmap(by_gid, ngids, &cmap) != 0 || deflate_append(scratch->mmgr, &raw, &p->file) != 0 ||
        deflate_append(scratch->mmgr, &cmap, &p->cmap) != 0 || write_dicts(p, def, name, raw.len) != 0) {
        err_set(e, 1, "cannot prepare the font %s", path);
        goto fail;
    }
    rc = 0;
fail:
    if (def)
        HPDF_FontDef_Free(def);
    free(by_gid);
    buf_free(&raw);
    buf_free(&cmap);
    return rc;
}

static void program_free(font_program *p)
{
    free(p->chars);
    buf *bufs[] = {&p->file, &p->cmap, &p->type0, &p->cidfont, &p->descriptor, &p->file_entries, &p->cmap_entries};
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
            return err_set(e, 1, "more than %d font files", FONT_MAX_PROGRAMS);
        if ((size_t)snprintf(path, sizeof path, "%s/%s", share_dir, *files) >= sizeof path)
            return err_set(e, 1, "font path too long: %s", *files);
        face->programs[face->nprograms++] = f->nprograms;
        if (program_load(&f->programs[f->nprograms++], scratch, path, e) != 0)
            return -1;
    }
    if (face->nprograms == 0)
        return err_set(e, 1, "a font face has no files");
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
        err_set(e, 1, "out of memory");
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

/* Writes a dictionary's pre-serialised entries (kept in attr) after its libharu-managed ones. */
static HPDF_STATUS write_entries(HPDF_Dict dict, HPDF_Stream stream)
{
    return HPDF_Stream_WriteStr(stream, dict->attr);
}

/* An indirect dictionary with the entries text, or with a stream of data (already compressed) when data is set. */
static HPDF_Dict prepared_dict(HPDF_Doc pdf, const buf *entries, const buf *data)
{
    HPDF_Dict d = data ? HPDF_DictStream_New(pdf->mmgr, pdf->xref) : HPDF_Dict_New(pdf->mmgr);
    if (d == NULL || (!data && HPDF_Xref_Add(pdf->xref, d) != HPDF_OK) ||
        (data && HPDF_Stream_Write(d->stream, data->data, (HPDF_UINT)data->len) != HPDF_OK))
        return NULL;
    d->attr = entries->data;
    d->write_fn = write_entries;
    return d;
}

static int embed_program(const font_program *p, int index, HPDF_Doc pdf, HPDF_Dict fonts)
{
    char name[16];
    snprintf(name, sizeof name, "F%d", index);
    HPDF_Dict type0 = prepared_dict(pdf, &p->type0, NULL), cid = prepared_dict(pdf, &p->cidfont, NULL);
    HPDF_Dict descriptor = prepared_dict(pdf, &p->descriptor, NULL);
    HPDF_Dict file = prepared_dict(pdf, &p->file_entries, &p->file), cmap = prepared_dict(pdf, &p->cmap_entries, &p->cmap);
    HPDF_Array descendants = HPDF_Array_New(pdf->mmgr);
    if (!type0 || !cid || !descriptor || !file || !cmap || !descendants)
        return -1;
    HPDF_STATUS ret = HPDF_Array_Add(descendants, cid);
    ret += HPDF_Dict_Add(type0, "DescendantFonts", descendants);
    ret += HPDF_Dict_Add(type0, "ToUnicode", cmap);
    ret += HPDF_Dict_Add(cid, "FontDescriptor", descriptor);
    ret += HPDF_Dict_Add(descriptor, "FontFile2", file);
    ret += HPDF_Dict_Add(fonts, name, type0);
    return ret == HPDF_OK ? 0 : -1;
}

int font_set_embed(const font_set *f, uint32_t used, HPDF_Doc pdf, HPDF_Page page, err *e)
{
    HPDF_Dict resources = HPDF_Dict_GetItem(page, "Resources", HPDF_OCLASS_DICT), fonts = HPDF_Dict_New(pdf->mmgr);
    if (resources == NULL || fonts == NULL || HPDF_Dict_Add(resources, "Font", fonts) != HPDF_OK)
        return err_set(e, 1, "cannot add the font resources");
    for (int i = 0; i < f->nprograms; i++)
        if ((used & (1u << i)) && embed_program(&f->programs[i], i, pdf, fonts) != 0)
            return err_set(e, 1, "cannot add font F%d", i);
    return 0;
}
