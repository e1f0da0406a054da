/* QR encoding with libqrencode; dark modules become horizontal runs, and a run that repeats the run right above it
   (same columns) extends that rectangle downwards instead of starting a new one. */
#include "pdf/qr.h"

#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

/* Index of the rectangle that ends on the row above and spans exactly [col, col + width), or -1. */
static long rect_above(const qr_code *q, const long *open, int col, int width, int row)
{
    long i = open[col];
    return i >= 0 && q->rects[i].width == width && q->rects[i].row + q->rects[i].height == row ? i : -1;
}

/* Adds the dark runs of one row. open[col] is the rectangle last started or extended at col. */
static void add_row(qr_code *q, const unsigned char *data, int row, long *open)
{
    int w = q->modules;
    for (int col = 0; col < w;) {
        if (!(data[row * w + col] & 1)) {
            col++;
            continue;
        }
        int start = col;
        while (col < w && (data[row * w + col] & 1))
            col++;
        long above = rect_above(q, open, start, col - start, row);
        if (above >= 0) {
            q->rects[above].height++;
        } else {
            q->rects[q->nrects] = (qr_rect){start, row, col - start, 1};
            open[start] = (long)q->nrects++;
        }
    }
}

int qr_encode(const char *text, qr_code *out, err *e)
{
    memset(out, 0, sizeof *out);
    QRcode *code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (code == NULL) /* libqrencode: ERANGE for text over a symbol's capacity, ENOMEM */
        return err_set(e, errno == ENOMEM ? ERR_NOMEM : ERR_RENDER, "cannot encode the QR code");
    int w = code->width;
    long *open = malloc((size_t)w * sizeof *open);
    out->rects = malloc((size_t)w * (size_t)((w + 1) / 2) * sizeof *out->rects); /* at most one run per two modules */
    if (open == NULL || out->rects == NULL) {
        free(open);
        QRcode_free(code);
        qr_free(out);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    for (int col = 0; col < w; col++)
        open[col] = -1;
    out->modules = w;
    for (int row = 0; row < w; row++)
        add_row(out, code->data, row, open);
    free(open);
    QRcode_free(code);
    return 0;
}

void qr_free(qr_code *q)
{
    free(q->rects);
    q->rects = NULL;
    q->nrects = 0;
}
