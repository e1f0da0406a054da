/* Document metadata (title, author, subject, creation date, language) and saving a libharu document to memory. */
#ifndef ARAYIS_PDF_DOCINFO_H
#define ARAYIS_PDF_DOCINFO_H

#include <hpdf.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "pdf/template.h"

/* Sets /Title, /Author, /Subject (UTF-16 text strings, placeholders filled from vars), /CreationDate
   = created, and the catalog's /Lang. Returns 0 or -1 with e set. */
int pdf_metadata(HPDF_Doc pdf, const tpl_document *t, const char *const *vars, time_t created, err *e);

/* Saves the document and appends its bytes to out. Returns 0 or -1 with e set. */
int pdf_save(HPDF_Doc pdf, buf *out, err *e);

#endif
