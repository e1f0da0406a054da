/* Plain HTTP(S) GETs for the command line's auditors (libcurl): the body of one answer, with waits on 429 and 503. */
#ifndef ARAYIS_CLI_HTTP_GET_H
#define ARAYIS_CLI_HTTP_GET_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* The most one answer may hold. */
#define HTTP_GET_MAX_BODY (4u << 20)

/* GETs url (http or https) and appends the body to out. An answer 429 or 503 is asked again after its Retry-After
   (1 s when none, at most 30 s), at most 5 times. Returns the final HTTP status, or -1 with e set (ERR_NETWORK: no
   answer within 30 s; ERR_TOO_LONG: a body over HTTP_GET_MAX_BODY). */
int http_get(const char *url, buf *out, err *e);

#endif
