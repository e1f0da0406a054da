/* Laying out the certificate: template blocks flow down an A4 page with word wrapping; the QR code is
   drawn as filled rectangles; then the document is saved and signed. */
#include "pdf/certificate.h"

#include <hpdf.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "core/money.h"
#include "core/placeholders.h"
#include "core/timeutil.h"
#include "domain/vcode.h"
#include "pdf/pades.h"
#include "pdf/qr.h"
#include "pdf/template.h"
#include "pdf/tounicode.h"
#include "pdf/docinfo.h"

#define PDF_LINE_MAX 1024

struct pdf_renderer {
    tpl_document tpl;
    char font_paths[TPL_FONTS][1024];
};

/* One document being rendered. */
typedef struct layout {
    const pdf_renderer *r;
    const cert_doc *doc;
    HPDF_Doc pdf;
    HPDF_Page page;
    HPDF_Font fonts[TPL_FONTS];
    const char *const *vars;
    double y;                         /* top of the next block */
    err *e;
} layout;

pdf_renderer *pdf_renderer_open(const char *share_dir, err *e)
{
    pdf_renderer *r = calloc(1, sizeof *r);
    char path[1024];
    if (r == NULL) {
        err_set(e, 1, "out of memory");
        return NULL;
    }
    snprintf(path, sizeof path, "%s/templates/certificate.json", share_dir);
    if (tpl_load(path, &r->tpl, e) != 0) {
        free(r);
        return NULL;
    }
    for (int i = 0; i < TPL_FONTS; i++)
        snprintf(r->font_paths[i], sizeof r->font_paths[i], "%s/%s", share_dir, r->tpl.font_files[i]);
    return r;
}

void pdf_renderer_close(pdf_renderer *r)
{
    if (r == NULL)
        return;
    tpl_free(&r->tpl);
    free(r);
}

static int shown(const layout *l, tpl_when when)
{
    switch (when) {
    case WHEN_RESIDENTIAL: return !l->doc->non_residential;
    case WHEN_NON_RESIDENTIAL: return l->doc->non_residential;
    case WHEN_DEBT: return l->doc->debt_qepik > 0;
    case WHEN_NO_DEBT: return l->doc->debt_qepik == 0;
    case WHEN_HAS_ADDRESS: return l->doc->address != NULL && l->doc->address[0] != '\0';
    case WHEN_ALWAYS: break;
    }
    return 1;
}

/* Fails when the font has no glyph for a character of text (libharu would print nothing for it). */
static int check_glyphs(layout *l, int font, const char *text)
{
    HPDF_FontDef def = ((HPDF_FontAttr)l->fonts[font]->attr)->fontdef;
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        ucs4_t c;
        i += (size_t)u8_mbtouc(&c, (const uint8_t *)text + i, n - i);
        if (c == 0xFFFD || HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)c) == 0 || c > 0xFFFF)
            return err_set(l->e, 2, "the certificate font has no glyph for U+%04X", (unsigned)c);
    }
    return 0;
}

static double text_width(layout *l, const tpl_style *st, const char *text)
{
    HPDF_Page_SetFontAndSize(l->page, l->fonts[st->font], (HPDF_REAL)st->size);
    return HPDF_Page_TextWidth(l->page, text);
}

static void draw_line(layout *l, const tpl_style *st, double x, double baseline, const char *text)
{
    HPDF_Page_BeginText(l->page);
    HPDF_Page_SetFontAndSize(l->page, l->fonts[st->font], (HPDF_REAL)st->size);
    HPDF_Page_SetGrayFill(l->page, (HPDF_REAL)st->gray);
    HPDF_Page_TextOut(l->page, (HPDF_REAL)x, (HPDF_REAL)baseline, text);
    HPDF_Page_EndText(l->page);
}

/* Length in bytes of the longest prefix of words that fits width (at least one character). */
static size_t fitting_prefix(layout *l, const tpl_style *st, const char *text, double width)
{
    char line[PDF_LINE_MAX];
    size_t best = 0, n = strlen(text);
    for (size_t i = 0; i <= n && i < sizeof line; i++) {
        if (i < n && text[i] != ' ')
            continue;
        memcpy(line, text, i);
        line[i] = '\0';
        if (text_width(l, st, line) > width)
            break;
        best = i;
    }
    if (best > 0)
        return best;
    /* one word longer than the line: break it between characters */
    for (size_t i = 0; i < n && i < sizeof line - 4;) {
        int len = u8_mblen((const uint8_t *)text + i, n - i);
        memcpy(line, text, i + (size_t)len);
        line[i + (size_t)len] = '\0';
        if (best > 0 && text_width(l, st, line) > width)
            break;
        best = i += (size_t)len;
    }
    return best;
}

/* Draws text wrapped into width from the current y; moves y below it. Returns 0 or -1. */
static int draw_paragraph(layout *l, const tpl_style *st, const char *text, double x, double width, int center)
{
    if (check_glyphs(l, st->font, text) != 0)
        return -1;
    double leading = st->size * l->r->tpl.line_height;
    char line[PDF_LINE_MAX];
    while (*text) {
        size_t len = fitting_prefix(l, st, text, width);
        memcpy(line, text, len);
        line[len] = '\0';
        double offset = center ? (width - text_width(l, st, line)) / 2 : 0;
        l->y -= st->size;
        draw_line(l, st, x + offset, l->y, line);
        l->y -= leading - st->size;
        text += len;
        while (*text == ' ')
            text++;
    }
    return 0;
}

static int expand(layout *l, const char *tmpl, buf *out)
{
    out->len = 0;
    return placeholders_expand(tmpl, l->vars, out, l->e);
}

static void draw_rule(layout *l, const tpl_block *b)
{
    const tpl_document *t = &l->r->tpl;
    HPDF_Page_SetLineWidth(l->page, (HPDF_REAL)b->style.size);
    HPDF_Page_SetGrayStroke(l->page, (HPDF_REAL)b->style.gray);
    HPDF_Page_MoveTo(l->page, (HPDF_REAL)t->left, (HPDF_REAL)l->y);
    HPDF_Page_LineTo(l->page, (HPDF_REAL)(t->width - t->right), (HPDF_REAL)l->y);
    HPDF_Page_Stroke(l->page);
}

static int draw_field(layout *l, const tpl_block *b, buf *text)
{
    const tpl_document *t = &l->r->tpl;
    double top = l->y, content = t->width - t->left - t->right;
    if (expand(l, b->label, text) != 0 || draw_paragraph(l, &t->label_style, buf_cstr(text), t->left, t->label_width - 8, 0) != 0)
        return -1;
    double below_label = l->y;
    l->y = top - (t->value_style.size - t->label_style.size); /* baselines aligned */
    if (expand(l, b->value, text) != 0 ||
        draw_paragraph(l, &t->value_style, buf_cstr(text), t->left + t->label_width, content - t->label_width, 0) != 0)
        return -1;
    if (below_label < l->y)
        l->y = below_label;
    l->y -= t->field_after;
    return 0;
}

static void draw_qr_modules(layout *l, const qr_code *q, double x, double top, double side)
{
    double module = side / (q->width + 2 * QR_QUIET_ZONE);
    double x0 = x + QR_QUIET_ZONE * module, y0 = top - QR_QUIET_ZONE * module;
    HPDF_Page_SetGrayFill(l->page, 0);
    for (size_t i = 0; i < q->nruns; i++) {
        const qr_run *run = &q->runs[i];
        HPDF_Page_Rectangle(l->page, (HPDF_REAL)(x0 + run->col * module), (HPDF_REAL)(y0 - (run->row + 1) * module),
                            (HPDF_REAL)(run->len * module), (HPDF_REAL)module);
    }
    HPDF_Page_Fill(l->page);
}

static int draw_qr(layout *l, const tpl_block *b, buf *text)
{
    const tpl_document *t = &l->r->tpl;
    qr_code q;
    if (qr_encode(l->doc->verify_url, &q, l->e) != 0)
        return -1;
    double top = l->y, caption_x = t->left + b->qr_size + b->qr_gap;
    double caption_width = t->width - t->right - caption_x;
    draw_qr_modules(l, &q, t->left, top, b->qr_size);
    qr_free(&q);
    l->y = top - b->qr_size / (double)8; /* the caption starts level with the symbol, inside its quiet zone */
    if (expand(l, b->text, text) != 0 || draw_paragraph(l, &b->style, buf_cstr(text), caption_x, caption_width, 0) != 0)
        return -1;
    l->y -= 6;
    if (expand(l, b->code_text, text) != 0 ||
        draw_paragraph(l, &b->code_style, buf_cstr(text), caption_x, caption_width, 0) != 0)
        return -1;
    if (l->y > top - b->qr_size)
        l->y = top - b->qr_size;
    return 0;
}

static int draw_block(layout *l, const tpl_block *b, buf *text)
{
    const tpl_document *t = &l->r->tpl;
    l->y -= b->before;
    int rc = 0;
    switch (b->kind) {
    case TPL_TEXT:
        rc = expand(l, b->text, text) != 0 ||
                     draw_paragraph(l, &b->style, buf_cstr(text), t->left, t->width - t->left - t->right, b->center) != 0
                 ? -1
                 : 0;
        break;
    case TPL_FIELD:
        rc = draw_field(l, b, text);
        break;
    case TPL_RULE:
        draw_rule(l, b);
        break;
    case TPL_QR:
        rc = draw_qr(l, b, text);
        break;
    }
    l->y -= b->after;
    return rc;
}

/* Draws the footer at the bottom margin; returns the box the signature widget covers. */
static int draw_footer(layout *l, buf *text, HPDF_Rect *box)
{
    const tpl_document *t = &l->r->tpl;
    double flow_end = l->y;
    l->y = t->bottom + t->footer.style.size * t->line_height;
    double top = l->y;
    if (expand(l, t->footer.text, text) != 0 ||
        draw_paragraph(l, &t->footer.style, buf_cstr(text), t->left, t->width - t->left - t->right, 1) != 0)
        return -1;
    if (flow_end < top + 12)
        return err_set(l->e, 3, "the certificate's content does not fit on the page");
    *box = (HPDF_Rect){(HPDF_REAL)t->left, (HPDF_REAL)l->y, (HPDF_REAL)(t->width - t->right), (HPDF_REAL)top};
    return 0;
}

static int load_fonts(layout *l)
{
    for (int i = 0; i < TPL_FONTS; i++) {
        const char *name = HPDF_LoadTTFontFromFile(l->pdf, l->r->font_paths[i], HPDF_TRUE);
        l->fonts[i] = name ? HPDF_GetFont(l->pdf, name, "UTF-8") : NULL;
        if (l->fonts[i] == NULL || tounicode_fix(l->fonts[i]) != 0)
            return err_set(l->e, 1, "cannot load font %s", l->r->font_paths[i]);
    }
    return 0;
}

static void error_handler(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    (void)error_no, (void)detail_no, (void)user_data; /* errors are read back with HPDF_GetError */
}

/* Formats the values the template's placeholders name. Returns a NULL-terminated name/value list in store. */
static const char *const *document_vars(const pdf_renderer *r, const cert_doc *doc, char (*store)[TIME_TEXT_MAX], buf *verify_base,
                                        const char **vars)
{
    time_format_az_date(doc->issued_at, store[0]);
    time_format_az_date(doc->valid_until, store[1]);
    time_format_az_date(doc->debt_as_of, store[2]);
    money_format_az(doc->debt_qepik, store[3]);
    vcode_group(doc->verification_code, store[4]);
    buf_printf(verify_base, "%s/v", doc->public_base_url);
    const char *list[] = {"number", doc->number, "issued_date", store[0], "valid_until_date", store[1],
                          "as_of_date", store[2], "amount", store[3], "code_grouped", store[4],
                          "verify_base", buf_cstr(verify_base), "subscriber_code", doc->subscriber_code,
                          "subscriber_type", doc->non_residential ? r->tpl.word_non_residential : r->tpl.word_residential,
                          "holder", doc->non_residential && doc->organization_name ? doc->organization_name : doc->holder_name,
                          "voen", doc->voen ? doc->voen : "", "address", doc->address ? doc->address : "", NULL};
    memcpy(vars, list, sizeof list);
    return vars;
}

int pdf_render_certificate(const pdf_renderer *r, const signer *s, const cert_doc *doc, buf *out, err *e)
{
    char store[5][TIME_TEXT_MAX];
    const char *vars[32];
    buf verify_base = BUF_INIT, text = BUF_INIT, pdf_bytes = BUF_INIT;
    err_clear(e);
    layout l = {.r = r, .doc = doc, .e = e, .pdf = HPDF_New(error_handler, NULL)};
    l.vars = document_vars(r, doc, store, &verify_base, vars);
    int rc = -1;
    if (l.pdf == NULL || HPDF_SetCompressionMode(l.pdf, HPDF_COMP_ALL) != HPDF_OK || HPDF_UseUTFEncodings(l.pdf) != HPDF_OK ||
        HPDF_SetCurrentEncoder(l.pdf, "UTF-8") != HPDF_OK || load_fonts(&l) != 0)
        goto fail;
    l.page = HPDF_AddPage(l.pdf);
    HPDF_Page_SetWidth(l.page, (HPDF_REAL)r->tpl.width);
    HPDF_Page_SetHeight(l.page, (HPDF_REAL)r->tpl.height);
    l.y = r->tpl.height - r->tpl.top;
    for (size_t i = 0; i < r->tpl.nblocks; i++)
        if (shown(&l, r->tpl.blocks[i].when) && draw_block(&l, &r->tpl.blocks[i], &text) != 0)
            goto fail;
    HPDF_Rect box;
    if (draw_footer(&l, &text, &box) != 0 || pdf_metadata(l.pdf, &r->tpl, l.vars, doc->issued_at, e) != 0 ||
        pades_prepare(l.pdf, l.page, box, doc->issued_at, signer_max_signature_size(s), e) != 0)
        goto fail;
    if (HPDF_GetError(l.pdf) != HPDF_OK || pdf_save(l.pdf, &pdf_bytes, e) != 0 || pades_sign(&pdf_bytes, s, e) != 0)
        goto fail;
    rc = buf_append(out, pdf_bytes.data, pdf_bytes.len) == 0 ? 0 : err_set(e, 1, "out of memory");
fail:
    if (rc != 0 && e->msg[0] == '\0')
        err_set(e, 1, "PDF library error 0x%04lX", l.pdf ? (unsigned long)HPDF_GetError(l.pdf) : 0UL);
    if (l.pdf)
        HPDF_Free(l.pdf);
    buf_free(&verify_base);
    buf_free(&text);
    buf_free(&pdf_bytes);
    return rc;
}
