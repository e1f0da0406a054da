/* QR codes as rectangles: libqrencode's modules merged into horizontal runs, ready to draw as vector paths. */
#ifndef ARAYIS_PDF_QR_H
#define ARAYIS_PDF_QR_H

#include <stddef.h>

#include "core/err.h"

#define QR_QUIET_ZONE 4

typedef struct qr_run {
    int row, col, len;       /* in modules, counted from the top-left corner of the symbol without quiet zone */
} qr_run;

typedef struct qr_code {
    int width;               /* modules per side, without the quiet zone */
    size_t nruns;
    qr_run *runs;            /* owned */
} qr_code;

/* Encodes text (8-bit mode, error correction M) into dark runs. Returns 0 or -1 with e set. */
int qr_encode(const char *text, qr_code *out, err *e);

void qr_free(qr_code *q);

#endif
