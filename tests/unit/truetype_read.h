/* A reading of TrueType files for tests, written from the OpenType specification and independent of libharu and of
   src/pdf: the table directory, the Unicode cmap (format 4), advance widths, glyph offsets and checksums. */
#ifndef ARAYIS_TESTS_TRUETYPE_READ_H
#define ARAYIS_TESTS_TRUETYPE_READ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole TrueType file in memory (data owned). */
typedef struct tt_file {
    unsigned char *data;
    size_t len;
} tt_file;

static inline uint32_t tt_u16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static inline uint32_t tt_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads the file at path into f. Returns 0 or -1. */
static inline int tt_file_read(const char *path, tt_file *f)
{
    FILE *in = fopen(path, "rb");
    long size;
    f->data = NULL;
    f->len = 0;
    if (in == NULL || fseek(in, 0, SEEK_END) != 0 || (size = ftell(in)) <= 0 || fseek(in, 0, SEEK_SET) != 0 ||
        (f->data = malloc((size_t)size)) == NULL || fread(f->data, 1, (size_t)size, in) != (size_t)size) {
        if (in)
            fclose(in);
        free(f->data);
        f->data = NULL;
        return -1;
    }
    fclose(in);
    f->len = (size_t)size;
    return 0;
}

/* Reads share_dir/relative into f. Returns 0 or -1. */
static inline int tt_file_read_shared(const char *share_dir, const char *relative, tt_file *f)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", share_dir, relative);
    return tt_file_read(path, f);
}

static inline void tt_file_free(tt_file *f)
{
    free(f->data);
    f->data = NULL;
    f->len = 0;
}

static inline int tt_num_tables(const unsigned char *data)
{
    return (int)tt_u16(data + 4);
}

/* The i-th table record of the directory: tag, checksum, offset, length. */
static inline const unsigned char *tt_record(const unsigned char *data, int i)
{
    return data + 12 + 16 * (size_t)i;
}

/* Finds the table tag in the directory of data (len bytes). Returns a pointer to the table and its length, or NULL
   when it is absent or does not lie inside the file. */
static inline const unsigned char *tt_table_in(const unsigned char *data, size_t len, const char *tag, uint32_t *length)
{
    if (len < 12)
        return NULL;
    for (int i = 0; i < tt_num_tables(data) && 12 + 16 * (size_t)(i + 1) <= len; i++) {
        const unsigned char *r = tt_record(data, i);
        uint32_t offset = tt_u32(r + 8), size = tt_u32(r + 12);
        if (memcmp(r, tag, 4) == 0 && offset <= len && size <= len - offset) {
            if (length)
                *length = size;
            return data + offset;
        }
    }
    return NULL;
}

static inline const unsigned char *tt_table(const tt_file *f, const char *tag, uint32_t *length)
{
    return tt_table_in(f->data, f->len, tag, length);
}

/* maxp.numGlyphs. */
static inline uint32_t tt_num_glyphs_in(const unsigned char *data, size_t len)
{
    const unsigned char *maxp = tt_table_in(data, len, "maxp", NULL);
    return maxp ? tt_u16(maxp + 4) : 0;
}

/* head.indexToLocFormat: 1 for 32-bit loca entries. */
static inline int tt_long_loca_in(const unsigned char *data, size_t len)
{
    const unsigned char *head = tt_table_in(data, len, "head", NULL);
    return head ? (int)tt_u16(head + 50) : -1;
}

/* Where glyph gid's data lies in glyf, from loca: [*start, *end). Returns 0 or -1. */
static inline int tt_glyph_span_in(const unsigned char *data, size_t len, uint32_t gid, uint32_t *start, uint32_t *end)
{
    uint32_t loca_len;
    const unsigned char *loca = tt_table_in(data, len, "loca", &loca_len);
    int wide = tt_long_loca_in(data, len);
    size_t width = wide ? 4 : 2;
    if (loca == NULL || wide < 0 || (gid + 2) * width > loca_len)
        return -1;
    *start = wide ? tt_u32(loca + gid * 4) : tt_u16(loca + gid * 2) * 2;
    *end = wide ? tt_u32(loca + gid * 4 + 4) : tt_u16(loca + gid * 2 + 2) * 2;
    return 0;
}

/* The glyph id the Unicode cmap (platform 3 encoding 1, or platform 0, format 4) gives cp; 0 when none. */
static inline uint32_t tt_cmap_glyph(const tt_file *f, uint32_t cp)
{
    const unsigned char *cmap = tt_table(f, "cmap", NULL);
    if (cmap == NULL || cp > 0xFFFF)
        return 0;
    for (uint32_t i = 0, n = tt_u16(cmap + 2); i < n; i++) {
        const unsigned char *rec = cmap + 4 + 8 * i, *sub = cmap + tt_u32(rec + 4);
        uint32_t platform = tt_u16(rec), encoding = tt_u16(rec + 2);
        if (tt_u16(sub) != 4 || !((platform == 3 && encoding == 1) || platform == 0))
            continue;
        uint32_t segs = tt_u16(sub + 6) / 2;
        const unsigned char *ends = sub + 14, *starts = ends + 2 * segs + 2, *deltas = starts + 2 * segs,
                            *ranges = deltas + 2 * segs;
        for (uint32_t s = 0; s < segs; s++) {
            if (cp > tt_u16(ends + 2 * s))
                continue;
            if (cp < tt_u16(starts + 2 * s))
                return 0;
            uint32_t range = tt_u16(ranges + 2 * s), delta = tt_u16(deltas + 2 * s);
            if (range == 0)
                return (cp + delta) & 0xFFFF;
            uint32_t gid = tt_u16(ranges + 2 * s + range + 2 * (cp - tt_u16(starts + 2 * s)));
            return gid ? (gid + delta) & 0xFFFF : 0;
        }
        return 0;
    }
    return 0;
}

/* The advance width of gid in font units (hmtx; glyphs past numberOfHMetrics take the last advance). */
static inline uint32_t tt_advance(const tt_file *f, uint32_t gid)
{
    const unsigned char *hhea = tt_table(f, "hhea", NULL), *hmtx = tt_table(f, "hmtx", NULL);
    uint32_t metrics = tt_u16(hhea + 34);
    return tt_u16(hmtx + 4 * (gid < metrics ? gid : metrics - 1));
}

/* head.unitsPerEm. */
static inline uint32_t tt_units_per_em(const tt_file *f)
{
    return tt_u16(tt_table(f, "head", NULL) + 18);
}

/* The OpenType checksum: the sum of the big-endian 32-bit words of len bytes, the last word padded with zeros. */
static inline uint32_t tt_checksum(const unsigned char *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 4) {
        unsigned char word[4] = {0};
        memcpy(word, p + i, len - i < 4 ? len - i : 4);
        sum += tt_u32(word);
    }
    return sum;
}

/* The tables a subset for a PDF CIDFontType2 font keeps (ISO 32000-1, 9.9; OpenType "required" glyf outlines),
   as this reading expects them, independently of the list in src/pdf. */
static const char *const tt_subset_tags[] = {"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cvt ", "fpgm", "prep"};

static inline int tt_subset_tag(const unsigned char *tag)
{
    for (size_t i = 0; i < sizeof tt_subset_tags / sizeof tt_subset_tags[0]; i++)
        if (memcmp(tag, tt_subset_tags[i], 4) == 0)
            return 1;
    return 0;
}

/* The bytes of glyph gid of data, and their length; NULL when loca or glyf are unreadable. */
static inline const unsigned char *tt_glyph_in(const unsigned char *data, size_t len, uint32_t gid, uint32_t *size)
{
    uint32_t glyf_len, start, end;
    const unsigned char *glyf = tt_table_in(data, len, "glyf", &glyf_len);
    if (glyf == NULL || tt_glyph_span_in(data, len, gid, &start, &end) != 0 || start > end || end > glyf_len)
        return NULL;
    *size = end - start;
    return glyf + start;
}

/* Checks that sub (len bytes) is a valid subset of src for the glyph ids whose bits are set in used (glyph 0
   always): the directory's header, order, bounds, alignment and checksums, the whole-file checksum, the kept
   tables of src and no other, every table but glyf and loca identical to src's (head but for its
   checkSumAdjustment), the same number of glyphs, and each glyph's outline identical to src's when used, empty
   otherwise. Returns NULL, or a description of the first problem (static text). */
static inline const char *tt_subset_problem(const tt_file *src, const unsigned char *sub, size_t len, const uint8_t *used)
{
    if (len < 12 || tt_u32(sub) != 0x00010000)
        return "no TrueType header";
    int n = tt_num_tables(sub), power = 1, log2 = 0;
    while (power * 2 <= n)
        power *= 2, log2++;
    if (tt_u16(sub + 6) != (uint32_t)power * 16 || tt_u16(sub + 8) != (uint32_t)log2 ||
        tt_u16(sub + 10) != (uint32_t)(n * 16 - power * 16))
        return "searchRange, entrySelector or rangeShift is wrong";
    if (12 + 16 * (size_t)n > len)
        return "the directory runs past the end";
    int kept = 0;
    for (int i = 0; i < tt_num_tables(src->data); i++)
        kept += tt_subset_tag(tt_record(src->data, i));
    if (n != kept)
        return "not exactly the source's kept tables";
    for (int i = 0; i < n; i++) {
        const unsigned char *r = tt_record(sub, i);
        uint32_t offset = tt_u32(r + 8), size = tt_u32(r + 12), src_len;
        if (!tt_subset_tag(r) || (i > 0 && memcmp(tt_record(sub, i - 1), r, 4) >= 0))
            return "a table that is not kept, or tags not in ascending order";
        if (offset % 4 != 0 || offset > len || size > len - offset || (size + 3) / 4 * 4 > len - offset)
            return "a table not aligned or not inside the file";
        const unsigned char *original = tt_table(src, (const char *)r, &src_len);
        if (original == NULL)
            return "a table the source does not have";
        unsigned char *copy = malloc(size + 4);
        if (copy == NULL)
            return "out of memory";
        memcpy(copy, sub + offset, size);
        int head = memcmp(r, "head", 4) == 0;
        if (head && size >= 12)
            memset(copy + 8, 0, 4); /* checkSumAdjustment counts as zero in head's own checksum */
        uint32_t sum = tt_checksum(copy, size);
        int same = memcmp(r, "glyf", 4) == 0 || memcmp(r, "loca", 4) == 0 ||
                   (size == src_len && (head ? memcmp(copy, original, 8) == 0 && memcmp(copy + 12, original + 12, size - 12) == 0
                                             : memcmp(copy, original, size) == 0));
        free(copy);
        if (sum != tt_u32(r + 4))
            return "a table's checksum is wrong";
        if (!same)
            return "a table other than glyf and loca differs from the source";
    }
    if (tt_checksum(sub, len) != 0xB1B0AFBAu)
        return "the whole-file checksum (head.checkSumAdjustment) is wrong";
    uint32_t glyphs = tt_num_glyphs_in(sub, len), glyf_len;
    if (glyphs == 0 || glyphs != tt_num_glyphs_in(src->data, src->len))
        return "the number of glyphs changed";
    if (tt_table_in(sub, len, "glyf", &glyf_len) == NULL)
        return "no glyf table";
    for (uint32_t gid = 0; gid < glyphs; gid++) {
        uint32_t size, src_size, start, end;
        const unsigned char *g = tt_glyph_in(sub, len, gid, &size), *o = tt_glyph_in(src->data, src->len, gid, &src_size);
        if (g == NULL || o == NULL)
            return "loca points outside glyf";
        int want = gid == 0 || (used[gid / 8] >> (gid % 8) & 1);
        if (want ? size != src_size || memcmp(g, o, size) != 0 : size != 0)
            return "a glyph's outline is not the source's when used, or not empty when unused";
        if (gid + 1 == glyphs && (tt_glyph_span_in(sub, len, gid, &start, &end) != 0 || end != glyf_len))
            return "the last loca entry is not the length of glyf";
    }
    return NULL;
}

#endif
