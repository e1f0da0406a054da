/* The public links of a certificate: the PDF download (sent by SMS) and the verification page (in the QR code). */
#ifndef ARAYIS_MODEL_LINKS_H
#define ARAYIS_MODEL_LINKS_H

#include "core/buf.h"

/* Appends {base}/c/{number}.pdf?code={code}. Returns 0 or -1 (out of memory). */
int links_pdf_url(buf *out, const char *base_url, const char *number, const char *code);

/* Appends {base}/v/{number}?code={code}: exactly what the QR code encodes. Returns 0 or -1. */
int links_verify_url(buf *out, const char *base_url, const char *number, const char *code);

#endif
