/* Loading and filling the public pages' templates. */
#include "api/web.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/placeholders.h"
#include "core/share.h"
#include "http/http.h"

#define WEB_TEMPLATE_MAX (64 * 1024)
#define WEB_TEXTS_MAX 64
#define WEB_VARS_MAX (2 * (WEB_TEXTS_MAX + 40) + 1)

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

void web_escape(buf *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&': buf_puts(out, "&amp;"); break;
        case '<': buf_puts(out, "&lt;"); break;
        case '>': buf_puts(out, "&gt;"); break;
        case '"': buf_puts(out, "&quot;"); break;
        case '\'': buf_puts(out, "&#39;"); break;
        default: buf_append(out, p, 1);
        }
    }
}

static int load_texts(web_pages *w, err *e)
{
    buf raw = BUF_INIT;
    json_error_t jerr;
    json_t *root = NULL;
    if (share_read_file("templates/web/texts.json", WEB_TEMPLATE_MAX, &raw, e) != 0 ||
        (root = json_loadb(buf_cstr(&raw), raw.len, 0, &jerr)) == NULL) {
        buf_free(&raw);
        return e->msg[0] ? -1 : err_set(e, 1, "templates/web/texts.json: %s", jerr.text);
    }
    for (int lang = 0; lang < LANG_COUNT; lang++) {
        const char *key;
        json_t *value;
        json_object_foreach(json_object_get(root, lang_names[lang]), key, value) {
            web_texts *t = &w->texts[lang];
            if (t->count == WEB_TEXTS_MAX || !json_is_string(value))
                break;
            buf escaped = BUF_INIT;
            web_escape(&escaped, json_string_value(value));
            t->names[t->count] = strdup(key);
            t->values[t->count++] = (char *)buf_detach(&escaped, NULL);
        }
    }
    json_decref(root);
    buf_free(&raw);
    return w->texts[LANG_AZ].count && w->texts[LANG_EN].count ? 0 : err_set(e, 1, "templates/web/texts.json is incomplete");
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
    return param && strcmp(param, "en") == 0 ? LANG_EN : LANG_AZ;
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
    const char *all[WEB_VARS_MAX];
    size_t n = 0;
    for (; vars[0] != NULL && n + 3 < WEB_VARS_MAX; vars += 2) {
        all[n++] = vars[0];
        all[n++] = vars[1];
    }
    const web_texts *t = &w->texts[lang];
    for (size_t i = 0; i < t->count && n + 3 < WEB_VARS_MAX; i++) {
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
