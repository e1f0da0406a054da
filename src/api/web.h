/* The public web pages: HTML fragments from templates/web/ and their texts in Azerbaijani and English. */
#ifndef ARAYIS_API_WEB_H
#define ARAYIS_API_WEB_H

#include "core/buf.h"
#include "core/err.h"

typedef struct web_pages web_pages;

typedef enum web_lang { LANG_AZ, LANG_EN, LANG_COUNT } web_lang;

typedef enum web_fragment {
    WEB_PAGE, WEB_FOUND, WEB_REVOKED, WEB_MISSING, WEB_FORM, WEB_PDFRESULT, WEB_NOT_GENUINE, WEB_FRAGMENTS
} web_fragment;

/* Loads the fragments and texts once (texts are HTML-escaped at load). Returns NULL with e set. */
web_pages *web_pages_load(err *e);
void web_pages_free(web_pages *w);

/* The language asked for by ?lang= ("en" → English, anything else Azerbaijani). */
web_lang web_lang_from(const char *param);

/* A text of the language (already HTML-escaped), or "" when the key is unknown. */
const char *web_text(const web_pages *w, web_lang lang, const char *key);

/* Appends fragment with {t_*} texts of lang and the caller's vars (name, value, …, NULL) filled in.
   The caller escapes its values with web_escape unless they are fragments. Returns 0 or -1 (e set). */
int web_render(const web_pages *w, web_lang lang, web_fragment fragment, const char *const *vars, buf *out, err *e);

/* Appends text with & < > " ' escaped. */
void web_escape(buf *out, const char *text);

/* Security headers every public HTML page carries (CSP without scripts, no framing, no referrer, no caching). */
struct http_response;
void web_security_headers(struct http_response *res);

#endif
