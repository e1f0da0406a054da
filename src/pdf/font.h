/* The certificate's fonts: TrueType files read once per process into character tables, widths and the fixed
   entries of their PDF objects; each document embeds only the glyphs its text uses. */
#ifndef ARAYIS_PDF_FONT_H
#define ARAYIS_PDF_FONT_H

#include <hpdf.h>
#include <stdint.h>

#include "core/err.h"

#define FONT_MAX_PROGRAMS 8   /* TrueType files in one set; they are /F0 … /F7 on the page */
#define FONT_MAX_GLYPHS 1024  /* glyphs in one TrueType file */

typedef struct font_set font_set;

/* One character in one program: the program's index in the set, its glyph id (the character code in the
   content stream: Identity-H, CIDToGIDMap Identity) and its advance width in 1/1000 em. */
typedef struct font_glyph {
    uint32_t cp;
    uint16_t program, gid, width;
} font_glyph;

/* Loads a set of faces. faces[i] is a NULL-terminated list of TrueType file paths, relative to share_dir, searched
   in order for every character of face i. Returns NULL with e set (unreadable or invalid file, more than
   FONT_MAX_PROGRAMS files). The set is read-only afterwards and may be shared by threads. */
font_set *font_set_load(const char *share_dir, char **const *faces, int nfaces, err *e);

/* Finds character cp in face. Returns 0 with out filled, or -1 when none of the face's files has a glyph for it. */
int font_set_glyph(const font_set *f, int face, uint32_t cp, font_glyph *out);

/* Which glyphs a document uses: one bit per glyph id of each program, and one bit per program. */
typedef struct font_usage {
    uint32_t programs;
    uint8_t glyphs[FONT_MAX_PROGRAMS][FONT_MAX_GLYPHS / 8];
} font_usage;

/* Records that g is shown. */
void font_usage_mark(font_usage *u, const font_glyph *g);

/* Adds to pdf a font for every program u names, /F<index> in the font resources of page: a Type 0 font whose
   CIDFontType2 embeds a subset of the program holding exactly the glyphs u marks (glyph ids kept), with their
   widths and ToUnicode map. Returns 0 or -1 with e set. */
int font_set_embed(const font_set *f, const font_usage *u, HPDF_Doc pdf, HPDF_Page page, err *e);

void font_set_free(font_set *f);

#endif
