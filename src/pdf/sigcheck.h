/* Checking the signature of an uploaded or local PDF. The bytes are hostile: every offset is checked against the
   buffer, nothing recurses, and the size is limited. */
#ifndef ARAYIS_PDF_SIGCHECK_H
#define ARAYIS_PDF_SIGCHECK_H

#include <openssl/types.h>
#include <stddef.h>
#include <time.h>

#include "core/err.h"
#include "crypto/keyring.h"
#include "crypto/ocsp.h"

#define SIGCHECK_MAX_BYTES (10u * 1024 * 1024)

typedef struct pdf_sig_report {
    int signature_present;   /* a /ByteRange and a hexadecimal /Contents were found */
    int signature_valid;     /* the CMS verifies over exactly the ByteRange, which covers the signed revision but
                                the /Contents string (what follows it keeps to pdf_updates_check and its document
                                timestamps verify), the signer is one of our signing certificates (current or
                                retired) and chains to our CA, all as of signed_at, which lies within the signing
                                certificate's validity */
    int signer_is_ours;      /* the CMS signer certificate is in the keyring */
    time_t signed_at;        /* the signing time: the signature timestamp's when it has a valid one, otherwise the
                                time claimed by the signature dictionary's /M (UTC); 0 when none */
    time_t timestamped_at;   /* the time of a valid signature timestamp (UTC), 0 when none */
    time_t document_timestamped_at; /* the time of the last document timestamp (UTC) of the revisions appended
                                       after the signature, all of which verify; 0 when none */
    size_t signed_len;       /* bytes of the signed revision, whose end the signature's /ByteRange names; 0 when the
                                bytes after it were not allowed or the file carries no signature */
    char level[8];           /* the PAdES baseline level shown: "B-B", or "B-T" with a valid signature timestamp,
                                or "B-LT" when also a DSS (of the signed revision or of one appended after
                                it) holds the chains of the signer and the TSA and a good
                                OCSP answer for each of their certificates but the anchors; "" when no signature
                                was read */
    char signed_by[256];     /* "CN=…, O=…" of the CMS signer, "" when none */
    char number[32];         /* the certificate number named in the signature's /Reason, "" when none */
    char revocation[16];     /* the signing certificate's OCSP status: "good", "revoked", "unknown", or
                                "not_checked" (no revocation source given, no responder known for it, or the
                                signature failed before) */
    time_t revoked_at;       /* when revoked, else 0 */
    char revocation_reason[24]; /* the CRLReason name when revoked ("keyCompromise", …), else "" */
    char problem[160];       /* why the signature is not valid, in English; "" when valid */
} pdf_sig_report;

/* Checks the signature (the first /ByteRange) of the len bytes at pdf against ours, and the revisions appended
   after it by pdf_updates_check; a signature or document timestamp is checked against tsa_anchors (NULL when none are configured: a timestamped signature then does not verify). With revocation
   (NULL: not checked) an otherwise valid signature's certificate is asked about over OCSP, and a revoked one
   invalidates the signatures made at or after its revocation time (the timestamp's time, else /M) and, when
   revoked for key compromise, every signature without a timestamp (a leaked key can claim any /M). Returns 0
   with report filled for any readable PDF, valid or not; -1 with e set when the bytes are not a PDF (ERR_INVALID:
   no %PDF- header, no %%EOF in the last KiB; ERR_TOO_LONG: more than SIGCHECK_MAX_BYTES), the revocation status
   cannot be had (ERR_UNAVAILABLE, as ocsp_status) or memory runs out (ERR_NOMEM). */
int pdf_sigcheck(const unsigned char *pdf, size_t len, const keyring *ours, X509_STORE *tsa_anchors,
                 ocsp_client *revocation, pdf_sig_report *report, err *e);

#endif
