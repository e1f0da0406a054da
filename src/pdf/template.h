/* The certificate template (templates/certificate.json): page geometry, fonts, texts with {placeholders},
   and the blocks that flow down the page, each optionally shown only for one variant or finding. */
#ifndef ARAYIS_PDF_TEMPLATE_H
#define ARAYIS_PDF_TEMPLATE_H

#include <stddef.h>

#include "core/err.h"

typedef enum tpl_kind { TPL_TEXT, TPL_FIELD, TPL_RULE, TPL_QR } tpl_kind;

typedef enum tpl_when {
    WHEN_ALWAYS, WHEN_RESIDENTIAL, WHEN_NON_RESIDENTIAL, WHEN_DEBT, WHEN_NO_DEBT, WHEN_HAS_ADDRESS
} tpl_when;

enum { TPL_REGULAR = 0, TPL_BOLD = 1, TPL_FONTS = 2 };

/* A run of text: which font, how large, how dark (0 black .. 1 white), and the template text. */
typedef struct tpl_style {
    int font;
    double size;
    double gray;
} tpl_style;

typedef struct tpl_block {
    tpl_kind kind;
    tpl_when when;
    double before, after;      /* space above and below, points */
    int center;
    tpl_style style;           /* text, rule (size = line width), QR caption */
    char *text;                /* text / QR caption */
    char *label, *value;       /* field */
    double qr_size, qr_gap;    /* QR square side and gap to its caption, points */
    tpl_style code_style;      /* QR: the verification code line */
    char *code_text;
} tpl_block;

typedef struct tpl_document {
    double width, height, left, right, top, bottom;
    char *font_files[TPL_FONTS];
    char *title, *author, *subject, *language;
    char *word_residential, *word_non_residential;
    double label_width, line_height, field_after;
    tpl_style label_style, value_style;
    tpl_block *blocks;
    size_t nblocks;
    tpl_block footer;
} tpl_document;

/* Parses the template at path. Every key is checked; an unknown kind, font or condition is an error.
   Returns 0 or -1 with e set (out then holds nothing to free). */
int tpl_load(const char *path, tpl_document *out, err *e);

void tpl_free(tpl_document *t);

#endif
