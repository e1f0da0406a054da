/* PAdES baseline B-B and B-T signing of a libharu document: the signature field and its placeholders before saving,
   then the ByteRange and the CMS signature (with its signature timestamp for B-T) written into the saved bytes. */
#ifndef ARAYIS_PDF_PADES_H
#define ARAYIS_PDF_PADES_H

#include <hpdf.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/signer.h"
#include "crypto/timestamp.h"

/* Adds to pdf an /AcroForm (SigFlags 3) with one signature field whose widget covers box (left, bottom, right,
   top) on page, and its signature dictionary: /Adobe.PPKLite, /ETSI.CAdES.detached, /Reason reason (UTF-8),
   /M signing_time, a ByteRange placeholder and a zero /Contents of contents_bytes bytes; also the ESIC developer
   extension in the catalog. Returns 0, or -1 with e set (ERR_RENDER: libharu failed). */
int pades_prepare(HPDF_Doc pdf, HPDF_Page page, const double box[4], time_t signing_time, const char *reason,
                  size_t contents_bytes, err *e);

/* The /Contents bytes pades_prepare must reserve for a signature by s, with a signature timestamp from tsa unless
   tsa is NULL: the largest CMS of s, and the room tsa_token_room measures from the TSA's tokens so far. */
size_t pades_contents_bytes(const signer *s, const tsa_client *tsa);

/* In the saved file pdf: writes the ByteRange that covers everything but the /Contents hex string, signs those
   bytes with s, adds a signature timestamp from tsa unless tsa is NULL (B-T; B-B without), and writes the DER
   signature in hex into /Contents. Returns 0; 1 when tsa is set and the signature with its token is larger than
   /Contents (the file is left unsigned; tsa remembers the token's size, so that pades_contents_bytes now gives a
   room it fits, give or take the margin: build the file again); or -1 with e set: ERR_CRYPTO (signing), ERR_NOMEM,
   ERR_INTERNAL (pdf was not prepared by pades_prepare, or its placeholders are too small), or as tsa_stamp_signer
   (ERR_UNAVAILABLE when no checked token could be had). */
int pades_sign(buf *pdf, const signer *s, tsa_client *tsa, err *e);

#endif
