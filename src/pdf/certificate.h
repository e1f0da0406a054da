/* The certificate document: the template laid out with libharu, the QR code as vector rectangles,
   and a PAdES signature (CMS over the ByteRange) written into the finished file. */
#ifndef ARAYIS_PDF_CERTIFICATE_H
#define ARAYIS_PDF_CERTIFICATE_H

#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/ltv.h"
#include "crypto/signer.h"
#include "crypto/timestamp.h"

typedef struct cert_doc {
    const char *number;             /* "AZI-2026-000001" */
    const char *verification_code;  /* 16 characters, ungrouped; printed grouped XXXX-XXXX-XXXX-XXXX */
    time_t issued_at, valid_until;  /* UTC */
    int non_residential;            /* 0 = Əhali abonenti, 1 = Qeyri-əhali abonenti */
    const char *subscriber_code;
    const char *holder_name;        /* residential: the subscriber's full name */
    const char *organization_name;  /* non-residential only */
    const char *voen;               /* non-residential only */
    const char *address;            /* may be NULL or "" */
    long long debt_qepik;           /* 0 = no debt */
    time_t debt_as_of;              /* the billing record's as_of: the finding's date */
    const char *verify_url;         /* exactly what the QR encodes: {base}/v/{number}?code={code} */
    const char *public_base_url;    /* for the printed manual check address {base}/v */
    int sample;                     /* 1: a sample document, marked as one across the page */
} cert_doc;

typedef struct pdf_renderer pdf_renderer;

/* Loads templates/certificate.json and the fonts under share_dir. Afterwards the renderer is read-only
   and may be used from many threads at once. Returns NULL with e set, also when a face lacks a character of
   the certificate's character set (model/charset.h), so that validated text always renders. */
pdf_renderer *pdf_renderer_open(const char *share_dir, err *e);

/* Renders and signs one certificate, appending the PDF bytes to out. A character the fonts lack, or
   text that does not fit the page, is an error, never a dropped glyph or clipped line. Returns 0, or -1 with e
   set: ERR_RENDER (a missing glyph, an overflowing page, a libharu failure), ERR_INVALID (a template
   placeholder without a value), ERR_CRYPTO (signing), ERR_NOMEM. */
int pdf_render_certificate(const pdf_renderer *r, const signer *s, const cert_doc *doc, buf *out, err *e);

/* As pdf_render_certificate, with a signature timestamp from tsa (PAdES B-T) unless tsa is NULL (B-B). The room for
   the token is sized from the TSA's earlier tokens (tsa_token_room); a token larger than that room makes the
   document built, signed and stamped again with the grown room, never cut or left out. Also fails as
   tsa_stamp_signer: ERR_UNAVAILABLE when the TSA gave no token that passed its checks, ERR_TOO_LONG for a token
   larger than TSA_TOKEN_MAX_BYTES or for tokens that outgrew their room three times in a row. */
int pdf_render_certificate_stamped(const pdf_renderer *r, const signer *s, tsa_client *tsa, const cert_doc *doc,
                                   buf *out, err *e);

/* As pdf_render_certificate_stamped, and with ltv (not NULL) the chains and OCSP answers of ltv in a DSS of the
   signed revision: PAdES B-LT. */
int pdf_render_certificate_ltv(const pdf_renderer *r, const signer *s, tsa_client *tsa, const ltv_set *ltv,
                               const cert_doc *doc, buf *out, err *e);

void pdf_renderer_close(pdf_renderer *r);

#endif
