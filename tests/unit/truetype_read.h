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

#endif
