/* Incremental updates appended after a signature: only validation data (a /DSS in the catalog) and document
   timestamps (ETSI.RFC3161 signature fields with an invisible widget) may follow the signed revision. Reads bytes
   only; the timestamps found are checked by the caller. */
#ifndef ARAYIS_PDF_UPDATE_RULES_H
#define ARAYIS_PDF_UPDATE_RULES_H

#include <stddef.h>

#include "pdf/byterange.h"

/* Appended revisions read; a file with more is refused. */
#define UPDATE_MAX_REVISIONS 8
/* Objects one appended revision may define. */
#define UPDATE_MAX_OBJECTS 256
/* Entries of a /Fields or /Annots array read. */
#define UPDATE_MAX_REFS 64
/* Cross-reference sections followed to find an object's previous version. */
#define UPDATE_MAX_XREF_HOPS 32

/* A document timestamp added by an appended revision. */
typedef struct pdf_doc_timestamp {
    pdf_byte_range range;       /* its /ByteRange; the token is the hex string between b and c */
} pdf_doc_timestamp;

typedef struct pdf_updates {
    size_t revisions;                                   /* appended revisions read */
    size_t timestamp_count;
    pdf_doc_timestamp timestamps[UPDATE_MAX_REVISIONS]; /* in file order */
    char problem[112];                                  /* why the updates are refused, in English; "" when not */
} pdf_updates;

/* Checks the bytes [signed_len, len) of pdf that follow the signed revision [0, signed_len). Each appended
   revision must end in %%EOF, have a classic cross-reference table whose entries point at objects of that
   revision, and a trailer with the same /Root and /Info whose /Prev is the previous revision's table. Objects
   that existed before may be redefined only as: the catalog, with nothing changed but /DSS (any value) and the
   /Fields of a direct /AcroForm; a page, with nothing changed but /Annots. Entries added to /Fields or /Annots must
   be document timestamp fields defined in the same revision: /FT /Sig, a /Rect without area, and a /V dictionary
   with /Type /DocTimeStamp, /SubFilter /ETSI.RFC3161 and a /ByteRange that covers its revision but its own
   /Contents. New objects are otherwise free (nothing shown refers to them). White space alone after the signed
   revision is no revision. Returns 0 with out filled when every appended revision keeps to that, -1 with
   out->problem set otherwise. */
int pdf_updates_check(const unsigned char *pdf, size_t signed_len, size_t len, pdf_updates *out);

#endif
