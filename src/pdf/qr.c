/* QR encoding with libqrencode and run-length merging of dark modules. */
#include "pdf/qr.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

int qr_encode(const char *text, qr_code *out, err *e)
{
    memset(out, 0, sizeof *out);
    QRcode *code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (code == NULL)
        return err_set(e, 1, "cannot encode the QR code");
    int w = code->width;
    out->runs = malloc((size_t)w * (size_t)((w + 1) / 2) * sizeof *out->runs); /* at most one run per two modules */
    if (out->runs == NULL) {
        QRcode_free(code);
        return err_set(e, 1, "out of memory");
    }
    out->width = w;
    for (int row = 0; row < w; row++) {
        for (int col = 0; col < w;) {
            if (!(code->data[row * w + col] & 1)) {
                col++;
                continue;
            }
            int start = col;
            while (col < w && (code->data[row * w + col] & 1))
                col++;
            out->runs[out->nruns++] = (qr_run){row, start, col - start};
        }
    }
    QRcode_free(code);
    return 0;
}

void qr_free(qr_code *q)
{
    free(q->runs);
    q->runs = NULL;
    q->nruns = 0;
}
