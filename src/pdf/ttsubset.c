/* Writing the subset: table directory, tables padded to four bytes, glyf and loca rebuilt from the used glyphs,
   checksums as the OpenType specification defines them. */
#include "pdf/ttsubset.h"

#include <string.h>

#define TT_HEADER 12
#define TT_RECORD 16
#define TT_HEAD_ADJUSTMENT 8       /* offset of checkSumAdjustment in head */
#define TT_ADJUSTMENT_BASE 0xB1B0AFBAu

static const char *const kept_tags[] = {"head", "hhea", "maxp", "hmtx", "loca", "glyf", "cvt ", "fpgm", "prep"};

int tt_subset_keeps(const char tag[4])
{
    for (size_t i = 0; i < sizeof kept_tags / sizeof kept_tags[0]; i++)
        if (memcmp(tag, kept_tags[i], 4) == 0)
            return 1;
    return 0;
}

static void put16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 8), p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static uint32_t checksum(const unsigned char *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 4)
        sum += (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 | (uint32_t)p[i + 2] << 8 | p[i + 3];
    return sum;
}

static int is_used(const uint8_t *used, size_t gid)
{
    return gid == 0 || (used[gid / 8] >> (gid % 8) & 1);
}

/* Pads out with zero bytes to a multiple of four. */
static int pad(buf *out)
{
    static const unsigned char zeros[4];
    return buf_append(out, zeros, (4 - out->len % 4) % 4);
}

/* The new loca: each glyph's offset when only the used glyphs keep their data. */
static int build_loca(const tt_source *src, const uint8_t *used, buf *loca)
{
    size_t width = src->long_loca ? 4 : 2;
    if (buf_reserve(loca, (src->nglyphs + 1) * width) != 0)
        return -1;
    uint32_t at = 0;
    for (size_t gid = 0; gid <= src->nglyphs; gid++) {
        unsigned char *p = loca->data + gid * width;
        if (src->long_loca)
            put32(p, at);
        else
            put16(p, at / 2);
        if (gid < src->nglyphs && is_used(used, gid))
            at += src->glyph_start[gid + 1] - src->glyph_start[gid];
    }
    loca->len = (src->nglyphs + 1) * width;
    return 0;
}

/* Appends the used glyphs' data of the glyf table at glyf. */
static int write_glyf(const tt_source *src, const unsigned char *glyf, const uint8_t *used, buf *out)
{
    for (size_t gid = 0; gid < src->nglyphs; gid++)
        if (is_used(used, gid) &&
            buf_append(out, glyf + src->glyph_start[gid], src->glyph_start[gid + 1] - src->glyph_start[gid]) != 0)
            return -1;
    return 0;
}

/* Checks that the tables lie inside the file and finds glyf, loca and head. */
static int find_tables(const tt_source *src, int *glyf, int *loca, int *head)
{
    *glyf = *loca = *head = -1;
    for (int i = 0; i < src->ntables; i++) {
        if (src->tables[i].offset > src->len || src->tables[i].length > src->len - src->tables[i].offset)
            return -1;
        *glyf = memcmp(src->tables[i].tag, "glyf", 4) == 0 ? i : *glyf;
        *loca = memcmp(src->tables[i].tag, "loca", 4) == 0 ? i : *loca;
        *head = memcmp(src->tables[i].tag, "head", 4) == 0 ? i : *head;
    }
    if (*glyf < 0 || *loca < 0 || *head < 0 || src->tables[*head].length < TT_HEAD_ADJUSTMENT + 4 ||
        src->glyph_start[src->nglyphs] > src->tables[*glyf].length)
        return -1;
    for (size_t gid = 0; gid < src->nglyphs; gid++)
        if (src->glyph_start[gid] > src->glyph_start[gid + 1])
            return -1;
    return 0;
}

int tt_source_valid(const tt_source *src)
{
    int glyf, loca, head;
    if (find_tables(src, &glyf, &loca, &head) != 0)
        return 0;
    const unsigned char *glyphs = src->data + src->tables[glyf].offset;
    for (size_t gid = 0; gid < src->nglyphs; gid++) {
        const unsigned char *g = glyphs + src->glyph_start[gid];
        if (src->glyph_start[gid + 1] - src->glyph_start[gid] >= 2 && (g[0] & 0x80)) /* numberOfContours < 0 */
            return 0;
    }
    return 1;
}

static void write_header(int n, unsigned char header[TT_HEADER])
{
    int power = 1, log2 = 0;
    while (power * 2 <= n)
        power *= 2, log2++;
    put32(header, 0x00010000);
    put16(header + 4, (uint32_t)n), put16(header + 6, (uint32_t)power * 16), put16(header + 8, (uint32_t)log2);
    put16(header + 10, (uint32_t)(n - power) * 16);
}

int tt_subset(const tt_source *src, const uint8_t *used, buf *out)
{
    int n = src->ntables, glyf, loca, head, rc = -1;
    buf new_loca = BUF_INIT;
    unsigned char header[TT_HEADER], records[TT_RECORD * TTSUBSET_MAX_TABLES] = {0};
    size_t offsets[TTSUBSET_MAX_TABLES] = {0}, lengths[TTSUBSET_MAX_TABLES] = {0};
    if (find_tables(src, &glyf, &loca, &head) != 0 || build_loca(src, used, &new_loca) != 0)
        goto done;
    write_header(n, header);
    out->len = 0;
    if (buf_append(out, header, sizeof header) != 0 || buf_append(out, records, TT_RECORD * (size_t)n) != 0)
        goto done;
    for (int i = 0; i < n; i++) {
        offsets[i] = out->len;
        const unsigned char *table = src->data + src->tables[i].offset;
        int written = i == glyf ? write_glyf(src, table, used, out)
                      : i == loca ? buf_append(out, new_loca.data, new_loca.len)
                                  : buf_append(out, table, src->tables[i].length);
        lengths[i] = out->len - offsets[i];
        if (written != 0 || pad(out) != 0)
            goto done;
    }
    put32(out->data + offsets[head] + TT_HEAD_ADJUSTMENT, 0);
    for (int i = 0; i < n; i++) {
        unsigned char *record = out->data + TT_HEADER + TT_RECORD * (size_t)i;
        memcpy(record, src->tables[i].tag, 4);
        put32(record + 4, checksum(out->data + offsets[i], (lengths[i] + 3) / 4 * 4));
        put32(record + 8, (uint32_t)offsets[i]), put32(record + 12, (uint32_t)lengths[i]);
    }
    put32(out->data + offsets[head] + TT_HEAD_ADJUSTMENT, TT_ADJUSTMENT_BASE - checksum(out->data, out->len));
    rc = 0;
done:
    buf_free(&new_loca);
    return rc;
}
