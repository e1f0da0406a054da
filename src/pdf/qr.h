/* QR codes as rectangles: libqrencode's dark modules merged into horizontal runs, and identical runs of
   consecutive rows into taller rectangles, ready to fill as one vector path. */
#ifndef ARAYIS_PDF_QR_H
#define ARAYIS_PDF_QR_H

#include <stddef.h>

#include "core/err.h"

#define QR_QUIET_ZONE 4 /* light modules around the symbol, the minimum the standard asks for */

typedef struct qr_rect {
    int col, row, width, height;   /* in modules, from the symbol's top-left corner (quiet zone not counted) */
} qr_rect;

typedef struct qr_code {
    int modules;                   /* modules per side, quiet zone not counted */
    size_t nrects;
    qr_rect *rects;                /* owned; together they cover exactly the dark modules, without overlap */
} qr_code;

/* Encodes text (8-bit mode, error correction level M, smallest version that holds it). Returns 0, or -1 with e
   set: ERR_RENDER (text longer than a QR code holds), ERR_NOMEM. */
int qr_encode(const char *text, qr_code *out, err *e);

void qr_free(qr_code *q);

#endif
