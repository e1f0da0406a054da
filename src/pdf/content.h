/* Page content: PDF operators for text lines in the prepared fonts, rules and QR codes, appended to a buffer that
   becomes the page's content stream. Coordinates are PDF points from the bottom-left corner. */
#ifndef ARAYIS_PDF_CONTENT_H
#define ARAYIS_PDF_CONTENT_H

#include <stdint.h>

#include "core/buf.h"
#include "pdf/font.h"
#include "pdf/qr.h"

/* Shows n glyphs set at size points, baseline starting at (x, y), in gray (0 black … 1 white), and marks them
   in used. Returns 0 or -1 (out of memory). */
int content_text(buf *out, const font_glyph *g, size_t n, double size, double gray, double x, double y, font_usage *used);

/* Like content_text, but the baseline runs from (x, y) at angle radians counter-clockwise from the horizontal. */
int content_text_turned(buf *out, const font_glyph *g, size_t n, double size, double gray, double x, double y,
                        double angle, font_usage *used);

/* Strokes a horizontal line from x0 to x1 at height y. Returns 0 or -1. */
int content_rule(buf *out, double x0, double x1, double y, double width, double gray);

/* Fills the dark modules of q, black, in the square of side points whose top-left corner is (x, top); the square
   includes the QR_QUIET_ZONE. One path, module coordinates through a transformation matrix. Returns 0 or -1. */
int content_qr(buf *out, const qr_code *q, double x, double top, double side);

#endif
