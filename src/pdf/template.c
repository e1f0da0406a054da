/* Reading the certificate template with jansson into plain structs. */
#include "pdf/template.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int name_index(const char *name, const char *const *names, size_t n)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return (int)i;
    return -1;
}

static char *dup_string(json_t *obj, const char *key, int *bad)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return NULL;
    if (!json_is_string(v)) {
        *bad = 1;
        return NULL;
    }
    return strdup(json_string_value(v));
}

static double number(json_t *obj, const char *key, double fallback)
{
    json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : fallback;
}

static int read_style(json_t *obj, const char *font_key, const char *size_key, tpl_style *style)
{
    static const char *const fonts[] = {"regular", "bold"};
    json_t *font = json_object_get(obj, font_key);
    style->font = font ? name_index(json_string_value(font), fonts, 2) : TPL_REGULAR;
    style->size = number(obj, size_key, 10);
    style->gray = number(obj, "gray", 0);
    return style->font < 0 || style->size <= 0 || style->size > 72 ? -1 : 0;
}

static int read_block(json_t *obj, tpl_block *b)
{
    static const char *const kinds[] = {"text", "field", "rule", "qr"};
    static const char *const whens[] = {"always", "residential", "non_residential", "debt", "no_debt", "has_address"};
    json_t *when = json_object_get(obj, "when");
    int kind = name_index(json_string_value(json_object_get(obj, "kind")), kinds, 4);
    int cond = when ? name_index(json_string_value(when), whens, 6) : WHEN_ALWAYS;
    int bad = kind < 0 || cond < 0 || !json_is_object(obj);
    b->kind = (tpl_kind)kind;
    b->when = (tpl_when)cond;
    b->before = number(obj, "before", 0);
    b->after = number(obj, "after", 0);
    b->center = json_is_string(json_object_get(obj, "align")) &&
                strcmp(json_string_value(json_object_get(obj, "align")), "center") == 0;
    bad |= read_style(obj, "font", b->kind == TPL_QR ? "size_text" : b->kind == TPL_RULE ? "width" : "size", &b->style);
    bad |= read_style(obj, "code_font", "code_size", &b->code_style);
    b->text = dup_string(obj, "text", &bad);
    b->label = dup_string(obj, "label", &bad);
    b->value = dup_string(obj, "value", &bad);
    b->code_text = dup_string(obj, "code_text", &bad);
    b->qr_size = number(obj, "size", 0);
    b->qr_gap = number(obj, "gap", 12);
    bad |= (b->kind == TPL_TEXT && !b->text) || (b->kind == TPL_FIELD && (!b->label || !b->value)) ||
           (b->kind == TPL_QR && (!b->text || !b->code_text || b->qr_size < 71)); /* 71 pt = 25 mm */
    return bad ? -1 : 0;
}

static void free_block(tpl_block *b)
{
    free(b->text);
    free(b->label);
    free(b->value);
    free(b->code_text);
}

static int read_head(json_t *root, tpl_document *t)
{
    int bad = 0;
    json_t *page = json_object_get(root, "page"), *fonts = json_object_get(root, "fonts");
    json_t *meta = json_object_get(root, "metadata"), *words = json_object_get(root, "words");
    json_t *field = json_object_get(root, "field");
    t->width = number(page, "width", 595.28);
    t->height = number(page, "height", 841.89);
    t->left = number(page, "left", 56);
    t->right = number(page, "right", 56);
    t->top = number(page, "top", 56);
    t->bottom = number(page, "bottom", 56);
    t->font_files[TPL_REGULAR] = dup_string(fonts, "regular", &bad);
    t->font_files[TPL_BOLD] = dup_string(fonts, "bold", &bad);
    t->title = dup_string(meta, "title", &bad);
    t->author = dup_string(meta, "author", &bad);
    t->subject = dup_string(meta, "subject", &bad);
    t->language = dup_string(meta, "language", &bad);
    t->word_residential = dup_string(words, "residential", &bad);
    t->word_non_residential = dup_string(words, "non_residential", &bad);
    t->label_width = number(field, "label_width", 150);
    t->field_after = number(field, "after", 6);
    t->line_height = number(root, "line_height", 1.3);
    bad |= read_style(field, "label_font", "label_size", &t->label_style);
    bad |= read_style(field, "value_font", "value_size", &t->value_style);
    bad |= !t->font_files[0] || !t->font_files[1] || !t->title || !t->author || !t->subject || !t->language ||
           !t->word_residential || !t->word_non_residential;
    return bad ? -1 : 0;
}

int tpl_load(const char *path, tpl_document *out, err *e)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return err_set(e, 1, "template %s: line %d: %s", path, jerr.line, jerr.text);
    json_t *blocks = json_object_get(root, "blocks");
    int rc = read_head(root, out) == 0 && json_is_array(blocks) ? 0 : -1;
    size_t n = json_array_size(blocks);
    out->blocks = rc == 0 ? calloc(n ? n : 1, sizeof *out->blocks) : NULL;
    for (size_t i = 0; out->blocks && i < n && rc == 0; i++) {
        out->nblocks++; /* counted before reading, so a half-read block is freed too */
        rc = read_block(json_array_get(blocks, i), &out->blocks[i]);
    }
    json_t *footer = json_object_get(root, "footer");
    if (rc == 0 && footer)
        json_object_set_new(footer, "kind", json_string("text"));
    if (rc != 0 || out->blocks == NULL || !footer || read_block(footer, &out->footer) != 0) {
        tpl_free(out);
        json_decref(root);
        return err_set(e, 1, "template %s: a block or setting is missing or malformed", path);
    }
    json_decref(root);
    return 0;
}

void tpl_free(tpl_document *t)
{
    for (size_t i = 0; i < t->nblocks; i++)
        free_block(&t->blocks[i]);
    free(t->blocks);
    free_block(&t->footer);
    for (int i = 0; i < TPL_FONTS; i++)
        free(t->font_files[i]);
    free(t->title);
    free(t->author);
    free(t->subject);
    free(t->language);
    free(t->word_residential);
    free(t->word_non_residential);
    memset(t, 0, sizeof *t);
}
