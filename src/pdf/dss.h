/* The Document Security Store (ISO 32000-2 12.8.4.3, ETSI EN 319 142-1 5.4): the validation data of a PAdES B-LT
   document, written into the revision that the signature covers. */
#ifndef ARAYIS_PDF_DSS_H
#define ARAYIS_PDF_DSS_H

#include <hpdf.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Adds /DSS << /Certs [...] /OCSPs [...] >> to the catalog of pdf, with one uncompressed stream per DER certificate
   and per DER OCSPResponse (no /VRI: optional in the baseline profiles). Returns 0, or -1 with e set (ERR_RENDER:
   libharu failed). */
int pdf_dss_add(HPDF_Doc pdf, const buf *certs, size_t cert_count, const buf *ocsps, size_t ocsp_count, err *e);

#endif
