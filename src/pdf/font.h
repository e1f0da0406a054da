/* The certificate's fonts: TrueType subsets read once per process and turned once into the bytes of their PDF
   objects (compressed font program, widths, ToUnicode map); a document only links the objects its text uses. */
#ifndef ARAYIS_PDF_FONT_H
#define ARAYIS_PDF_FONT_H

#include <hpdf.h>
#include <stdint.h>

#include "core/err.h"

#define FONT_MAX_PROGRAMS 8 /* TrueType files in one set; they are /F0 … /F7 on the page */

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

/* Adds to pdf the objects of every program whose bit (1u << index) is set in used, each named /F<index> in the
   font resources of page. Copies only what font_set_load prepared. Returns 0 or -1 with e set. */
int font_set_embed(const font_set *f, uint32_t used, HPDF_Doc pdf, HPDF_Page page, err *e);

void font_set_free(font_set *f);

#endif
