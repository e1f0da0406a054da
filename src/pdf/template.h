/* The certificate template (templates/certificate.json): page geometry, fonts, texts with {placeholders}, and
   the blocks that flow down the page, each shown always or only for one variant or finding. */
#ifndef ARAYIS_PDF_TEMPLATE_H
#define ARAYIS_PDF_TEMPLATE_H

#include <stddef.h>

#include "core/err.h"

typedef enum tpl_kind { TPL_TEXT, TPL_FIELD, TPL_RULE, TPL_QR } tpl_kind;

typedef enum tpl_when {
    WHEN_ALWAYS, WHEN_RESIDENTIAL, WHEN_NON_RESIDENTIAL, WHEN_DEBT, WHEN_NO_DEBT, WHEN_HAS_ADDRESS
} tpl_when;

enum { TPL_REGULAR = 0, TPL_BOLD = 1, TPL_FACES = 2 };

/* How a run of text is set: face (TPL_REGULAR, TPL_BOLD), size in points, gray (0 black … 1 white). */
typedef struct tpl_style {
    int face;
    double size;
    double gray;
} tpl_style;

typedef struct tpl_block {
    tpl_kind kind;
    tpl_when when;
    double before, after;      /* space above and below, points */
    int center;                /* text: centred between the margins */
    tpl_style style;           /* text, QR caption; rule: size is the line width */
    char *text;                /* text, QR caption */
    char *label, *value;       /* field */
    double side, gap;          /* QR: side of the symbol with its quiet zone, gap to the caption, points */
    tpl_style code_style;      /* QR: the verification code line */
    char *code_text;
} tpl_block;

typedef struct tpl_document {
    double width, height, left, right, top, bottom;
    char **fonts[TPL_FACES];   /* NULL-terminated lists of TrueType files, relative to the share directory */
    char *title, *author, *subject, *language, *reason;
    char *word_residential, *word_non_residential;
    double label_width, line_height, field_after;
    tpl_style label_style, value_style;
    tpl_block *blocks;
    size_t nblocks;
    tpl_block footer;          /* a text block set at the bottom margin */
    tpl_block sample_mark;     /* a text block set across the page of sample documents, under everything else */
} tpl_document;

/* Parses the template at path. Unknown keys, kinds, faces and conditions are errors, and so is a missing text.
   Returns 0, or -1 with e set (then out holds nothing to free): ERR_NOT_FOUND when the file cannot be opened,
   ERR_INVALID for anything else. */
int tpl_load(const char *path, tpl_document *out, err *e);

void tpl_free(tpl_document *t);

#endif
