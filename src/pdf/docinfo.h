/* Document metadata (title, author, subject, creation date, language), PDF text strings, and saving a libharu
   document to memory. */
#ifndef ARAYIS_PDF_DOCINFO_H
#define ARAYIS_PDF_DOCINFO_H

#include <hpdf.h>
#include <hpdf_objects.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "pdf/template.h"

/* A PDF text string holding utf8: UTF-16BE with a byte-order mark, written as hex (libharu 2.3.0 would write the
   UTF-8 bytes as PDFDocEncoding). Owned by the document of mmgr; NULL when out of memory or not UTF-8. */
HPDF_Binary pdf_text_string(HPDF_MMgr mmgr, const char *utf8);

/* Sets /Title (placeholders filled from vars), /Author, /Subject, /Producer, /CreationDate = created, and the
   catalog's /Lang. Returns 0 or -1 with e set. */
int pdf_metadata(HPDF_Doc pdf, const tpl_document *t, const char *const *vars, time_t created, err *e);

/* Saves the document and appends its bytes to out. Returns 0 or -1 with e set. */
int pdf_save(HPDF_Doc pdf, buf *out, err *e);

#endif
