/* Reading the certificate template with jansson into plain structs, rejecting anything it does not know. */
#include "pdf/template.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define TPL_QR_MIN_SIDE 70.87 /* 25 mm in points */

static int name_index(const char *name, const char *const *names, size_t n)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return (int)i;
    return -1;
}

/* 0 when every key of obj is in the NULL-terminated list allowed (and obj is an object), else -1. */
static int known_keys(json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *value;
    if (!json_is_object(obj))
        return -1;
    json_object_foreach(obj, key, value) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, key) != 0)
            a++;
        if (*a == NULL)
            return -1;
    }
    return 0;
}

/* A copy of the string at key, NULL when absent; sets *bad when present but not a string. */
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

static double number(json_t *obj, const char *key, double fallback, int *bad)
{
    json_t *v = json_object_get(obj, key);
    if (v && !json_is_number(v))
        *bad = 1;
    return v ? json_number_value(v) : fallback;
}

/* Reads the face, size and gray at the given keys of obj into style. */
static void read_style(json_t *obj, const char *face_key, const char *size_key, const char *gray_key, tpl_style *style,
                       int *bad)
{
    static const char *const faces[] = {"regular", "bold"};
    json_t *face = json_object_get(obj, face_key);
    style->face = face ? name_index(json_string_value(face), faces, TPL_FACES) : TPL_REGULAR;
    style->size = number(obj, size_key, 10, bad);
    style->gray = number(obj, gray_key, 0, bad);
    *bad |= style->face < 0 || style->size <= 0 || style->size > 72 || style->gray < 0 || style->gray > 1;
}

static const char *const block_keys[] = {"kind", "when", "before", "after", "align", "font", "size", "gray", "text",
                                         "label", "value", "width", "side", "gap", "code_font", "code_size",
                                         "code_gray", "code_text", NULL};

static int read_block(json_t *obj, tpl_block *b)
{
    static const char *const kinds[] = {"text", "field", "rule", "qr"};
    static const char *const whens[] = {"always", "residential", "non_residential", "debt", "no_debt", "has_address"};
    static const char *const aligns[] = {"left", "center"};
    json_t *when = json_object_get(obj, "when"), *align = json_object_get(obj, "align");
    int kind = name_index(json_string_value(json_object_get(obj, "kind")), kinds, 4);
    int cond = when ? name_index(json_string_value(when), whens, 6) : WHEN_ALWAYS;
    int centre = align ? name_index(json_string_value(align), aligns, 2) : 0;
    int bad = known_keys(obj, block_keys) != 0 || kind < 0 || cond < 0 || centre < 0;
    b->kind = (tpl_kind)kind;
    b->when = (tpl_when)cond;
    b->center = centre == 1;
    b->before = number(obj, "before", 0, &bad);
    b->after = number(obj, "after", 0, &bad);
    read_style(obj, "font", b->kind == TPL_RULE ? "width" : "size", "gray", &b->style, &bad);
    read_style(obj, "code_font", "code_size", "code_gray", &b->code_style, &bad);
    b->text = dup_string(obj, "text", &bad);
    b->label = dup_string(obj, "label", &bad);
    b->value = dup_string(obj, "value", &bad);
    b->code_text = dup_string(obj, "code_text", &bad);
    b->side = number(obj, "side", 0, &bad);
    b->gap = number(obj, "gap", 12, &bad);
    bad |= (b->kind == TPL_TEXT && !b->text) || (b->kind == TPL_FIELD && (!b->label || !b->value)) ||
           (b->kind == TPL_QR && (!b->text || !b->code_text || b->side < TPL_QR_MIN_SIDE));
    return bad ? -1 : 0;
}

static void free_block(tpl_block *b)
{
    free(b->text);
    free(b->label);
    free(b->value);
    free(b->code_text);
}

/* A NULL-terminated copy of an array of strings (NULL when absent or malformed). */
static char **string_list(json_t *array, int *bad)
{
    size_t n = json_array_size(array);
    char **list = n ? calloc(n + 1, sizeof *list) : NULL;
    for (size_t i = 0; list && i < n; i++)
        if (!json_is_string(json_array_get(array, i)) || (list[i] = strdup(json_string_value(json_array_get(array, i)))) == NULL)
            *bad = 1;
    *bad |= list == NULL;
    return list;
}

static void free_list(char **list)
{
    for (size_t i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

static const char *const top_keys[] = {"page",   "fonts",  "metadata", "words",       "field",
                                       "line_height", "blocks", "footer",   "sample_mark", NULL};
static const char *const page_keys[] = {"width", "height", "left", "right", "top", "bottom", NULL};
static const char *const font_keys[] = {"regular", "bold", NULL};
static const char *const meta_keys[] = {"title", "author", "subject", "language", "signature_reason", NULL};
static const char *const word_keys[] = {"residential", "non_residential", NULL};
static const char *const field_keys[] = {"label_width", "label_font", "label_size", "value_font", "value_size", "after",
                                         "label_gray", "value_gray", NULL};

static int read_head(json_t *root, tpl_document *t)
{
    json_t *page = json_object_get(root, "page"), *fonts = json_object_get(root, "fonts");
    json_t *meta = json_object_get(root, "metadata"), *words = json_object_get(root, "words");
    json_t *field = json_object_get(root, "field");
    int bad = known_keys(root, top_keys) || known_keys(page, page_keys) || known_keys(fonts, font_keys) ||
              known_keys(meta, meta_keys) || known_keys(words, word_keys) || known_keys(field, field_keys);
    t->width = number(page, "width", 595.28, &bad);
    t->height = number(page, "height", 841.89, &bad);
    t->left = number(page, "left", 56, &bad);
    t->right = number(page, "right", 56, &bad);
    t->top = number(page, "top", 56, &bad);
    t->bottom = number(page, "bottom", 56, &bad);
    t->fonts[TPL_REGULAR] = string_list(json_object_get(fonts, "regular"), &bad);
    t->fonts[TPL_BOLD] = string_list(json_object_get(fonts, "bold"), &bad);
    t->title = dup_string(meta, "title", &bad);
    t->author = dup_string(meta, "author", &bad);
    t->subject = dup_string(meta, "subject", &bad);
    t->language = dup_string(meta, "language", &bad);
    t->reason = dup_string(meta, "signature_reason", &bad);
    t->word_residential = dup_string(words, "residential", &bad);
    t->word_non_residential = dup_string(words, "non_residential", &bad);
    t->label_width = number(field, "label_width", 150, &bad);
    t->field_after = number(field, "after", 6, &bad);
    t->line_height = number(root, "line_height", 1.3, &bad);
    read_style(field, "label_font", "label_size", "label_gray", &t->label_style, &bad);
    read_style(field, "value_font", "value_size", "value_gray", &t->value_style, &bad);
    bad |= !t->title || !t->author || !t->subject || !t->language || !t->reason || !t->word_residential ||
           !t->word_non_residential || t->line_height < 1;
    return bad ? -1 : 0;
}

/* A text block on its own (footer, sample mark): the kind is implied. */
static int read_text_block(json_t *obj, tpl_block *b)
{
    if (!json_is_object(obj))
        return -1;
    json_object_set_new(obj, "kind", json_string("text"));
    return read_block(obj, b);
}

static int read_blocks(json_t *root, tpl_document *t)
{
    json_t *blocks = json_object_get(root, "blocks");
    size_t n = json_array_size(blocks);
    if (n == 0 || (t->blocks = calloc(n, sizeof *t->blocks)) == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        t->nblocks++; /* counted before reading, so that a half-read block is freed too */
        if (read_block(json_array_get(blocks, i), &t->blocks[i]) != 0)
            return -1;
    }
    return read_text_block(json_object_get(root, "footer"), &t->footer) == 0 &&
                   read_text_block(json_object_get(root, "sample_mark"), &t->sample_mark) == 0
               ? 0
               : -1;
}

int tpl_load(const char *path, tpl_document *out, err *e)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return err_set(e, json_error_code(&jerr) == json_error_cannot_open_file ? ERR_NOT_FOUND : ERR_INVALID,
                       "template %s: line %d: %s", path, jerr.line, jerr.text);
    int rc = read_head(root, out) == 0 && read_blocks(root, out) == 0 ? 0 : -1;
    json_decref(root);
    if (rc != 0) {
        tpl_free(out);
        return err_set(e, ERR_INVALID, "template %s: a block or setting is unknown, missing or malformed", path);
    }
    return 0;
}

void tpl_free(tpl_document *t)
{
    for (size_t i = 0; i < t->nblocks; i++)
        free_block(&t->blocks[i]);
    free(t->blocks);
    free_block(&t->footer);
    free_block(&t->sample_mark);
    for (int i = 0; i < TPL_FACES; i++)
        free_list(t->fonts[i]);
    char *texts[] = {t->title, t->author, t->subject, t->language, t->reason, t->word_residential, t->word_non_residential};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        free(texts[i]);
    memset(t, 0, sizeof *t);
}
