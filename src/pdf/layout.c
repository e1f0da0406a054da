/* Flowing the template's blocks down the page. y is the top of the next line; every line moves it down by its
   leading, and a block by its spacing. */
#include "pdf/layout.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "core/placeholders.h"
#include "pdf/content.h"
#include "pdf/qr.h"
#include "pdf/text.h"

#define LAYOUT_FOOTER_GAP 12.0 /* points kept free above the footer */

static const double field_scales[] = {1.0, 0.85, 0.7};

/* One layout pass. */
typedef struct flow {
    const tpl_document *t;
    const font_set *f;
    const layout_input *in;
    page_layout *out;
    buf text;                  /* the current text, placeholders filled */
    text_glyphs glyphs;        /* the current text, shaped */
    double y, field_scale;
    int overflow;              /* 1: the pass failed only because the content reached into the footer */
    err *e;
} flow;

static int shown(const layout_input *in, tpl_when when)
{
    switch (when) {
    case WHEN_RESIDENTIAL: return !in->non_residential;
    case WHEN_NON_RESIDENTIAL: return in->non_residential;
    case WHEN_DEBT: return in->has_debt;
    case WHEN_NO_DEBT: return !in->has_debt;
    case WHEN_HAS_ADDRESS: return in->has_address;
    case WHEN_ALWAYS: break;
    }
    return 1;
}

/* Fills the placeholders of tmpl and shapes the result in face. */
static int prepare(flow *l, const char *tmpl, int face)
{
    l->text.len = 0;
    return placeholders_expand(tmpl, l->in->vars, &l->text, l->e) != 0 ||
                   text_shape(l->f, face, buf_cstr(&l->text), &l->glyphs, l->e) != 0
               ? -1
               : 0;
}

static double content_width(const tpl_document *t)
{
    return t->width - t->left - t->right;
}

/* Where the prepared text starts: after any leading spaces. */
static size_t first_glyph(const flow *l)
{
    size_t start = 0;
    while (start < l->glyphs.n && l->glyphs.g[start].cp == ' ')
        start++;
    return start;
}

/* The number of lines the prepared glyphs take in width. */
static int count_lines(const flow *l, double size, double width)
{
    int lines = 0;
    for (size_t start = first_glyph(l), next; start < l->glyphs.n; start += next, lines++)
        text_break(l->glyphs.g + start, l->glyphs.n - start, size, width, &next);
    return lines;
}

/* Sets the prepared glyphs from y down, wrapped into [x, x + width). */
static int set_lines(flow *l, const tpl_style *st, double size, double x, double width, int center)
{
    const font_glyph *g = l->glyphs.g;
    size_t n = l->glyphs.n, next;
    for (size_t start = first_glyph(l); start < n; start += next) {
        size_t len = text_break(g + start, n - start, size, width, &next);
        double offset = center ? (width - text_width(g + start, len, size)) / 2 : 0;
        l->y -= size;
        if (content_text(&l->out->content, g + start, len, size, st->gray, x + offset, l->y, &l->out->fonts) != 0)
            return err_set(l->e, ERR_NOMEM, "out of memory");
        l->y -= size * (l->t->line_height - 1);
    }
    return 0;
}

static int paragraph(flow *l, const char *tmpl, const tpl_style *st, double size, double x, double width, int center)
{
    return prepare(l, tmpl, st->face) != 0 ? -1 : set_lines(l, st, size, x, width, center);
}

/* Label and value side by side, first baselines level; the block ends below the longer of the two. */
static int field(flow *l, const tpl_block *b)
{
    const tpl_document *t = l->t;
    double label_size = t->label_style.size * l->field_scale, value_size = t->value_style.size * l->field_scale;
    double top = l->y, tallest = label_size > value_size ? label_size : value_size;
    l->y = top - (tallest - label_size);
    if (paragraph(l, b->label, &t->label_style, label_size, t->left, t->label_width - 8, 0) != 0)
        return -1;
    double label_end = l->y;
    l->y = top - (tallest - value_size);
    if (paragraph(l, b->value, &t->value_style, value_size, t->left + t->label_width, content_width(t) - t->label_width, 0) != 0)
        return -1;
    if (label_end < l->y)
        l->y = label_end;
    l->y -= t->field_after;
    return 0;
}

static int rule(flow *l, const tpl_block *b)
{
    if (content_rule(&l->out->content, l->t->left, l->t->width - l->t->right, l->y, b->style.size, b->style.gray) != 0)
        return err_set(l->e, ERR_NOMEM, "out of memory");
    return 0;
}

/* The symbol on the left margin; the caption and the code line to its right, level with the symbol's dark part. */
static int qr_block(flow *l, const tpl_block *b)
{
    const tpl_document *t = l->t;
    qr_code q;
    if (qr_encode(l->in->qr_text, &q, l->e) != 0)
        return -1;
    double top = l->y, caption_x = t->left + b->side + b->gap, caption_width = t->width - t->right - caption_x;
    int rc = content_qr(&l->out->content, &q, t->left, top, b->side) == 0 ? 0 : err_set(l->e, ERR_NOMEM, "out of memory");
    l->y = top - b->side * QR_QUIET_ZONE / (q.modules + 2 * QR_QUIET_ZONE);
    qr_free(&q);
    if (rc != 0 || paragraph(l, b->text, &b->style, b->style.size, caption_x, caption_width, 0) != 0)
        return -1;
    l->y -= b->code_style.size * 0.5;
    if (paragraph(l, b->code_text, &b->code_style, b->code_style.size, caption_x, caption_width, 0) != 0)
        return -1;
    if (l->y > top - b->side)
        l->y = top - b->side;
    return 0;
}

static int block(flow *l, const tpl_block *b)
{
    int rc = 0;
    l->y -= b->before;
    switch (b->kind) {
    case TPL_TEXT:
        rc = paragraph(l, b->text, &b->style, b->style.size, l->t->left, content_width(l->t), b->center);
        break;
    case TPL_FIELD:
        rc = field(l, b);
        break;
    case TPL_RULE:
        rc = rule(l, b);
        break;
    case TPL_QR:
        rc = qr_block(l, b);
        break;
    }
    l->y -= b->after;
    return rc;
}

/* The footer with its last line on the bottom margin; fails when the flow above reaches into it. */
static int footer(flow *l)
{
    const tpl_document *t = l->t;
    const tpl_style *st = &t->footer.style;
    double flow_end = l->y;
    if (prepare(l, t->footer.text, st->face) != 0)
        return -1;
    double top = t->bottom + count_lines(l, st->size, content_width(t)) * st->size * t->line_height;
    if (flow_end < top + LAYOUT_FOOTER_GAP) {
        l->overflow = 1;
        return err_set(l->e, ERR_RENDER, "the certificate's content does not fit on the page");
    }
    l->y = top;
    if (set_lines(l, st, st->size, t->left, content_width(t), 1) != 0)
        return -1;
    l->out->footer[0] = t->left, l->out->footer[1] = l->y, l->out->footer[2] = t->width - t->right, l->out->footer[3] = top;
    return 0;
}

/* The sample mark along the page's diagonal, centred on the page, first so that everything else is set over it. */
static int sample_mark(flow *l)
{
    const tpl_block *b = &l->t->sample_mark;
    if (prepare(l, b->text, b->style.face) != 0)
        return -1;
    double size = b->style.size, angle = atan2(l->t->height, l->t->width);
    double half = text_width(l->glyphs.g, l->glyphs.n, size) / 2, rise = size * 0.35; /* about half a capital */
    double x = l->t->width / 2 - half * cos(angle) + rise * sin(angle);
    double y = l->t->height / 2 - half * sin(angle) - rise * cos(angle);
    if (content_text_turned(&l->out->content, l->glyphs.g, l->glyphs.n, size, b->style.gray, x, y, angle, &l->out->fonts) != 0)
        return err_set(l->e, ERR_NOMEM, "out of memory");
    return 0;
}

static int pass(flow *l)
{
    l->out->content.len = 0;
    l->overflow = 0;
    memset(&l->out->fonts, 0, sizeof l->out->fonts);
    l->y = l->t->height - l->t->top;
    if (l->in->sample && sample_mark(l) != 0)
        return -1;
    for (size_t i = 0; i < l->t->nblocks; i++)
        if (shown(l->in, l->t->blocks[i].when) && block(l, &l->t->blocks[i]) != 0)
            return -1;
    return footer(l);
}

int layout_page(const tpl_document *t, const font_set *f, const layout_input *in, page_layout *out, err *e)
{
    assert(t != NULL && f != NULL && in != NULL && out != NULL);
    err pass_err = {0};
    flow l = {.t = t, .f = f, .in = in, .out = out, .text = BUF_INIT, .glyphs = TEXT_INIT, .e = &pass_err};
    int rc = -1;
    for (size_t i = 0; i < sizeof field_scales / sizeof field_scales[0] && rc != 0; i++) {
        l.field_scale = field_scales[i];
        err_clear(&pass_err);
        rc = pass(&l);
        if (rc != 0 && !l.overflow)
            break; /* only a page overflow is worth another pass */
    }
    if (rc != 0)
        err_set(e, pass_err.code, "%s", pass_err.msg);
    buf_free(&l.text);
    text_free(&l.glyphs);
    return rc;
}

static int check_text(flow *l, const char *tmpl, int face)
{
    return tmpl == NULL ? 0 : prepare(l, tmpl, face);
}

static int check_block(flow *l, const tpl_block *b)
{
    const tpl_document *t = l->t;
    return check_text(l, b->text, b->style.face) || check_text(l, b->label, t->label_style.face) ||
                   check_text(l, b->value, t->value_style.face) || check_text(l, b->code_text, b->code_style.face)
               ? -1
               : 0;
}

int layout_check_template(const tpl_document *t, const font_set *f, const char *const *vars, err *e)
{
    layout_input in = {.vars = vars};
    flow l = {.t = t, .f = f, .in = &in, .text = BUF_INIT, .glyphs = TEXT_INIT, .e = e};
    int rc = check_block(&l, &t->footer) || check_block(&l, &t->sample_mark) ? -1 : 0;
    for (size_t i = 0; i < t->nblocks && rc == 0; i++)
        rc = check_block(&l, &t->blocks[i]);
    buf_free(&l.text);
    text_free(&l.glyphs);
    return rc;
}
