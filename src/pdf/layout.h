/* The certificate page laid out from the template: blocks flow down from the top margin, fields as aligned label
   and value columns with long values wrapped inside their column, the QR code with its caption beside it, and
   the footer on the bottom margin. */
#ifndef ARAYIS_PDF_LAYOUT_H
#define ARAYIS_PDF_LAYOUT_H

#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "pdf/font.h"
#include "pdf/template.h"

typedef struct layout_input {
    const char *const *vars;     /* placeholder values: NULL-terminated list of name, value pairs */
    int non_residential, has_debt, has_address;
    int sample;                  /* 1: the template's sample mark is set across the page, under the content */
    const char *qr_text;         /* what the QR code encodes */
} layout_input;

typedef struct page_layout {
    buf content;                 /* the page's content stream (owned; BUF_INIT before the first use) */
    font_usage fonts;            /* the glyphs the content shows */
    double footer[4];            /* left, bottom, right, top of the footer text: where the signature widget goes */
} page_layout;

/* Lays out one page into out (its content is replaced). When the blocks do not fit above the footer, the field
   texts are set smaller, down to 70 %. Returns 0, or -1 with e set: a character without a glyph, an unknown
   placeholder, a QR code that cannot hold qr_text, or content that does not fit even then. */
int layout_page(const tpl_document *t, const font_set *f, const layout_input *in, page_layout *out, err *e);

/* Checks every text of t, its placeholders filled from vars: each placeholder is known and each character has a
   glyph in the face it is set in. Returns 0 or -1 with e set. */
int layout_check_template(const tpl_document *t, const font_set *f, const char *const *vars, err *e);

#endif
