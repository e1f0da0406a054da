/* A TrueType program for one document: the tables a PDF viewer needs for a CIDFontType2 font (ISO 32000-1, 9.9),
   with the glyph data of the used glyphs only; unused glyph ids stay, empty, so the ids in the content are kept. */
#ifndef ARAYIS_PDF_TTSUBSET_H
#define ARAYIS_PDF_TTSUBSET_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define TTSUBSET_MAX_TABLES 9 /* head hhea maxp hmtx loca glyf cvt fpgm prep */

/* A TrueType file as libharu parsed it. */
typedef struct tt_source {
    const unsigned char *data;   /* the whole file */
    size_t len;
    struct {
        char tag[4];
        uint32_t offset, length;
    } tables[TTSUBSET_MAX_TABLES]; /* the kept tables, ascending by tag as in the file's directory */
    int ntables;
    const uint32_t *glyph_start;  /* byte offset of each glyph in glyf, nglyphs + 1 entries */
    size_t nglyphs;
    int long_loca;                /* head.indexToLocFormat */
} tt_source;

/* Whether a table with this tag is one tt_subset writes. */
int tt_subset_keeps(const char tag[4]);

/* Whether src is usable: its tables lie inside the file, glyf and loca agree, and no glyph is a composite (a
   subset would need the components too; scripts/subset-fonts.sh decomposes them). */
int tt_source_valid(const tt_source *src);

/* Writes to out (replacing it) a TrueType file of src's tables in which glyph gid has its outline when bit gid of
   used is set (glyph 0 always) and is empty otherwise; loca, the table checksums and head.checkSumAdjustment are
   recomputed. Returns 0, or -1 when out of memory or src is inconsistent. */
int tt_subset(const tt_source *src, const uint8_t *used, buf *out);

#endif
