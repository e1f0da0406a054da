/* Text in the certificate fonts: UTF-8 turned into glyphs (a character without a glyph is an error, never a gap),
   measured, and broken into lines that fit a width. */
#ifndef ARAYIS_PDF_TEXT_H
#define ARAYIS_PDF_TEXT_H

#include <stddef.h>

#include "core/err.h"
#include "pdf/font.h"

/* A growable glyph array; TEXT_INIT is empty. */
typedef struct text_glyphs {
    font_glyph *g;      /* owned */
    size_t n, cap;
} text_glyphs;

#define TEXT_INIT {NULL, 0, 0}

/* Replaces t's glyphs with those of the UTF-8 text in face. Returns 0, or -1 with e set naming the first character
   none of the face's files has (an invalid UTF-8 sequence counts as U+FFFD, which they lack too). */
int text_shape(const font_set *f, int face, const char *utf8, text_glyphs *t, err *e);

/* Width in points of n glyphs set at size points. */
double text_width(const font_glyph *g, size_t n, double size);

/* How many of the n glyphs make the first line no wider than width at size: up to the last space that fits, or
   as many glyphs as fit when a single word is wider (at least one). Trailing spaces are not counted. Sets *next to
   where the following line starts, past the spaces. */
size_t text_break(const font_glyph *g, size_t n, double size, double width, size_t *next);

void text_free(text_glyphs *t);

#endif
