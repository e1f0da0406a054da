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

/* Loads the fragments and texts once (texts are HTML-escaped at load). Returns NULL with e set: ERR_NOT_FOUND or
   ERR_IO for a file, ERR_INVALID for texts.json that is not JSON, holds a text that is not a string or lacks a
   language, ERR_TOO_LONG for too many texts, ERR_NOMEM. */
web_pages *web_pages_load(err *e);
void web_pages_free(web_pages *w);

/* The language asked for by ?lang= ("az" or "en"; anything else, or NULL, is Azerbaijani). */
web_lang web_lang_from(const char *param);

/* A text of the language (already HTML-escaped), or "" when the key is unknown. */
const char *web_text(const web_pages *w, web_lang lang, const char *key);

/* The most name, value pairs a caller passes to web_render. */
#define WEB_CALLER_VARS_MAX 40

/* Appends fragment with {t_*} texts of lang and the caller's vars (name, value, …, NULL; at most
   WEB_CALLER_VARS_MAX pairs) filled in. The caller escapes its values with web_escape unless they are fragments.
   Returns 0, or -1 with e set (ERR_INVALID for an unknown placeholder, ERR_NOMEM). */
int web_render(const web_pages *w, web_lang lang, web_fragment fragment, const char *const *vars, buf *out, err *e);

/* Appends text with & < > " ' escaped. Returns 0, or -1 when out of memory (out then holds part of it). */
int web_escape(buf *out, const char *text);

/* Security headers every public HTML page carries (CSP without scripts, no framing, no referrer, no caching). */
struct http_response;
void web_security_headers(struct http_response *res);

#endif
