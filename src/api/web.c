/* Loading and filling the public pages' templates. */
#include "api/web.h"

#include <assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/placeholders.h"
#include "core/share.h"
#include "http/http.h"

#define WEB_TEMPLATE_MAX (64 * 1024)
#define WEB_TEXTS_MAX 64
#define WEB_VARS_MAX (2 * (WEB_TEXTS_MAX + WEB_CALLER_VARS_MAX + 1) + 1) /* texts, caller's, lang, NULL */

typedef struct web_texts {
    size_t count;
    char *names[WEB_TEXTS_MAX];
    char *values[WEB_TEXTS_MAX];      /* HTML-escaped */
} web_texts;

struct web_pages {
    buf fragments[WEB_FRAGMENTS];
    web_texts texts[LANG_COUNT];
};

static const char *const fragment_files[WEB_FRAGMENTS] = {
    "templates/web/page.html",    "templates/web/found.html", "templates/web/revoked.html",
    "templates/web/missing.html", "templates/web/form.html",  "templates/web/pdfresult.html",
    "templates/web/notgenuine.html",
};
static const char *const lang_names[LANG_COUNT] = {"az", "en"};

/* The entity for a character HTML gives a meaning to, or NULL for one that stands for itself. */
static const char *html_entity(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

int web_escape(buf *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        const char *entity = html_entity(*p);
        if ((entity ? buf_puts(out, entity) : buf_append(out, p, 1)) != 0)
            return -1;
    }
    return 0;
}

/* Adds the text key of one language, HTML-escaped. Returns 0 or -1 with e set. */
static int add_text(web_texts *t, const char *lang, const char *key, const json_t *value, err *e)
{
    if (!json_is_string(value))
        return err_set(e, ERR_INVALID, "templates/web/texts.json: %s.%s is not a string", lang, key);
    if (t->count == WEB_TEXTS_MAX)
        return err_set(e, ERR_TOO_LONG, "templates/web/texts.json: more than %d texts in %s", WEB_TEXTS_MAX, lang);
    buf escaped = BUF_INIT;
    char *name = strdup(key);
    if (name == NULL || web_escape(&escaped, json_string_value(value)) != 0) {
        free(name);
        buf_free(&escaped);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    t->names[t->count] = name;
    t->values[t->count++] = (char *)buf_detach(&escaped, NULL);
    return 0;
}

/* Adds every text of root's object for each language. Returns 0 or -1 with e set. */
static int add_texts(web_pages *w, json_t *root, err *e)
{
    for (int lang = 0; lang < LANG_COUNT; lang++) {
        const char *key;
        json_t *value;
        json_object_foreach(json_object_get(root, lang_names[lang]), key, value)
            if (add_text(&w->texts[lang], lang_names[lang], key, value, e) != 0)
                return -1;
    }
    return w->texts[LANG_AZ].count && w->texts[LANG_EN].count
               ? 0
               : err_set(e, ERR_INVALID, "templates/web/texts.json is incomplete");
}

static int load_texts(web_pages *w, err *e)
{
    buf raw = BUF_INIT;
    json_error_t jerr;
    json_t *root = NULL;
    int rc = -1;
    if (share_read_file("templates/web/texts.json", WEB_TEMPLATE_MAX, &raw, e) != 0)
        goto out;
    if ((root = json_loadb(buf_cstr(&raw), raw.len, 0, &jerr)) == NULL) {
        err_set(e, ERR_INVALID, "templates/web/texts.json: %s", jerr.text);
        goto out;
    }
    rc = add_texts(w, root, e);
out:
    json_decref(root);
    buf_free(&raw);
    return rc;
}

void web_pages_free(web_pages *w)
{
    if (w == NULL)
        return;
    for (int i = 0; i < WEB_FRAGMENTS; i++)
        buf_free(&w->fragments[i]);
    for (int lang = 0; lang < LANG_COUNT; lang++)
        for (size_t i = 0; i < w->texts[lang].count; i++) {
            free(w->texts[lang].names[i]);
            free(w->texts[lang].values[i]);
        }
    free(w);
}

web_pages *web_pages_load(err *e)
{
    web_pages *w = calloc(1, sizeof *w);
    if (w == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    int rc = 0;
    for (int i = 0; i < WEB_FRAGMENTS && rc == 0; i++)
        rc = share_read_file(fragment_files[i], WEB_TEMPLATE_MAX, &w->fragments[i], e);
    if (rc != 0 || load_texts(w, e) != 0) {
        web_pages_free(w);
        return NULL;
    }
    return w;
}

web_lang web_lang_from(const char *param)
{
    for (int lang = 0; param != NULL && lang < LANG_COUNT; lang++)
        if (strcmp(param, lang_names[lang]) == 0)
            return (web_lang)lang;
    return LANG_AZ;
}

const char *web_text(const web_pages *w, web_lang lang, const char *key)
{
    const web_texts *t = &w->texts[lang];
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->names[i], key) == 0)
            return t->values[i];
    return "";
}

int web_render(const web_pages *w, web_lang lang, web_fragment fragment, const char *const *vars, buf *out, err *e)
{
    assert(w != NULL && vars != NULL && out != NULL && (unsigned)fragment < WEB_FRAGMENTS);
    const char *all[WEB_VARS_MAX];
    size_t n = 0;
    for (; vars[0] != NULL; vars += 2) {
        assert(n < 2 * WEB_CALLER_VARS_MAX); /* the caller's list is within its documented bound */
        all[n++] = vars[0];
        all[n++] = vars[1];
    }
    const web_texts *t = &w->texts[lang];
    for (size_t i = 0; i < t->count; i++) {
        all[n++] = t->names[i];
        all[n++] = t->values[i];
    }
    all[n++] = "lang";
    all[n++] = lang_names[lang];
    all[n] = NULL;
    return placeholders_expand(buf_cstr(&w->fragments[fragment]), all, out, e);
}

void web_security_headers(struct http_response *res)
{
    http_response_header(res, "Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
                         "base-uri 'none'");
    http_response_header(res, "X-Content-Type-Options", "nosniff");
    http_response_header(res, "Referrer-Policy", "no-referrer");
    http_response_header(res, "Cache-Control", "no-store");
    http_response_header(res, "X-Frame-Options", "DENY");
}
