/* Checks of a request's framing (RFC 9112) that libmicrohttpd 0.9.75 leaves to the application: every
   ambiguous request is refused with an answer, and the connection is closed after it. */
#ifndef ARAYIS_HTTP_FRAMING_H
#define ARAYIS_HTTP_FRAMING_H

#include <microhttpd.h>

#define FRAMING_MAX_TARGET 8192        /* bytes of path and query */
#define FRAMING_MAX_QUERY_PARAMS 100   /* query arguments */

/* libmicrohttpd's URI callback (MHD_OPTION_URI_LOG_CALLBACK), called before the library splits the
   query. A target over FRAMING_MAX_TARGET bytes or with more than FRAMING_MAX_QUERY_PARAMS arguments has
   its query cut in place (libmicrohttpd 0.9.75 stops answering a request whose arguments overflow the
   connection's memory) and is marked: the return value becomes the request's first context. Returns that
   mark, or NULL for a target within the limits. */
void *framing_check_target(void *cls, const char *uri, struct MHD_Connection *conn);

/* The status for a request whose first context is context: 414 when framing_check_target marked it,
   0 for anything else (NULL or a request's own state). */
int framing_target_status(const void *context);

/* Checks the request's headers once they are all known (the first call of the access handler):
   header names are tokens; HTTP/1.1 has exactly one Host, HTTP/1.0 at most one; at most one
   Content-Length, digits only; never both Content-Length and Transfer-Encoding; Transfer-Encoding is
   exactly "chunked". version is the request's ("HTTP/1.1"). Returns 0 when the request may go on, 400
   for an ambiguous or malformed request, 501 for a transfer coding other than chunked that ends in chunked. */
int framing_check_headers(struct MHD_Connection *conn, const char *version);

#endif
