/* Checking the signature of an uploaded or local PDF. The bytes are hostile: every offset is checked
   against the buffer, nothing recurses, and the size is limited. */
#ifndef ARAYIS_PDF_SIGCHECK_H
#define ARAYIS_PDF_SIGCHECK_H

#include <stddef.h>

#include "core/err.h"
#include "crypto/keyring.h"

#define SIGCHECK_MAX_BYTES (10u * 1024 * 1024)

typedef struct pdf_sig_report {
    int signature_present;   /* a /ByteRange and /Contents were found and are well formed */
    int signature_valid;     /* CMS verifies over exactly the ByteRange, which covers the whole file but
                                /Contents, and the signer is one of our signing certificates */
    int signer_is_ours;
    char signed_by[512];     /* "CN=…" of the CMS signer, "" when none */
    char problem[160];       /* why it is not valid, in English; "" when valid */
} pdf_sig_report;

/* Returns 0 with report filled for any readable PDF (valid or not); -1 with e set when the bytes are
   not a PDF (no %PDF- header, no %%EOF trailer, or over the size limit). */
int pdf_sigcheck(const unsigned char *pdf, size_t len, const keyring *ours, pdf_sig_report *report, err *e);

#endif
