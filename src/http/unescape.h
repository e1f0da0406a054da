/* Percent-decoding of request paths and query arguments that never decodes a control character. */
#ifndef ARAYIS_HTTP_UNESCAPE_H
#define ARAYIS_HTTP_UNESCAPE_H

#include <stddef.h>

struct MHD_Connection;

/* Decodes the %XX escapes of the NUL-terminated s in place and returns its new length. An escape of a control
   character (%00-%1F, %7F) is left as written, so a decoded NUL can never cut a path or a value short and a
   path never carries a control character; an escape that is not two hex digits is left as written too. The
   signature is libmicrohttpd's MHD_OPTION_UNESCAPE_CALLBACK (cls and conn are not used). */
size_t http_unescape(void *cls, struct MHD_Connection *conn, char *s);

/* 1 when path may be routed: it has no control character and no '%' (after http_unescape, a '%' is an escape
   left undecoded or an escaped '%', neither of which any route takes). */
int http_path_routable(const char *path);

#endif
