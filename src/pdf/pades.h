/* PAdES baseline B-B signing of a libharu document: the signature field and its placeholders before
   saving, then the ByteRange and the CMS signature written into the saved bytes. */
#ifndef ARAYIS_PDF_PADES_H
#define ARAYIS_PDF_PADES_H

#include <hpdf.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/signer.h"

/* Adds to pdf an /AcroForm (SigFlags 3), a signature field whose widget covers rect on page, and a
   signature dictionary (/Adobe.PPKLite, /ETSI.CAdES.detached) with a ByteRange placeholder and room for
   a signature of contents_bytes bytes. Returns 0 or -1 with e set. */
int pades_prepare(HPDF_Doc pdf, HPDF_Page page, HPDF_Rect rect, time_t signing_time, size_t contents_bytes, err *e);

/* Finds the placeholders in the saved file, writes the ByteRange covering all but /Contents, signs those
   bytes with s and writes the hex DER into /Contents. Returns 0 or -1 with e set. */
int pades_sign(buf *pdf, const signer *s, err *e);

#endif
