/* The request and response types every handler sees; nothing here knows about JSON or the domain. */
#ifndef ARAYIS_HTTP_HTTP_H
#define ARAYIS_HTTP_HTTP_H

#include <stddef.h>

#include "core/buf.h"

struct MHD_Connection;

typedef enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_DELETE, HTTP_OTHER } http_method;

#define HTTP_MAX_PARAMS 2
#define HTTP_MAX_HEADERS 10
#define HTTP_REQUEST_ID_LEN 16              /* hex digits */

/* A request header or query argument; the strings belong to the connection and live as long as the request. */
typedef struct http_field {
    int query;                              /* 0: header (name case-insensitive), 1: query argument */
    const char *name;
    const char *value;                      /* NULL for an argument without '=' */
} http_field;

typedef struct http_request {
    struct MHD_Connection *conn;            /* only for the event-loop thread (see http_route.blocking) */
    http_method method;
    const char *path;
    const char *route;                      /* the matched route's pattern, or "unmatched" */
    char params[HTTP_MAX_PARAMS][128];      /* values of the route's {placeholders}, in order */
    const http_field *fields;               /* every header and query argument, read when the request began */
    size_t nfields;
    const unsigned char *body;              /* NUL-terminated; body_len excludes the NUL */
    size_t body_len;
    char request_id[HTTP_REQUEST_ID_LEN + 1];
    char client_ip[48];
} http_request;

typedef struct http_header {
    const char *name;                       /* static strings */
    char value[256];
} http_header;

typedef struct http_response http_response;

/* An answer that waits on something slow (a read shared with other requests) without holding the event loop: the
   handler fills one in its own state and gives it to http_response_wait. */
typedef struct http_wait http_wait;
struct http_wait {
    void (*start)(http_wait *w);    /* once the request is parked, on the event loop: starts what leads to
                                       http_wait_over(w), called once from any thread */
    void (*finish)(http_wait *w, http_request *req, http_response *res);
                                    /* after it, on the event loop: fills res and frees w's owner; called exactly
                                       once, also (with its answer unsent) when the connection ends before */
    void *owner;                    /* the handler's */
    struct MHD_Connection *conn;    /* the server's */
};

struct http_response {
    int status;
    const char *content_type;               /* static string */
    buf body;
    size_t nheaders;
    http_header headers[HTTP_MAX_HEADERS];
    http_wait *wait;                        /* set by http_response_wait: the rest is ignored */
};

/* A request header's value, or NULL. Valid for the request's lifetime; safe on any thread. */
const char *http_request_header(const http_request *req, const char *name);

/* A query-string argument's (URL-decoded) value, or NULL. Valid for the request's lifetime; safe on any thread. */
const char *http_request_query(const http_request *req, const char *name);

/* Adds a response header. Every header the service sends has a value of a known, short form; a value of 256 bytes or
   more, or a header past HTTP_MAX_HEADERS, is never cut: it is left out, logged as an error (a bug to fix), and
   the call returns -1. Returns 0. */
int http_response_header(http_response *res, const char *name, const char *value);

/* Parks the request until w is over: the answer is then what w->finish fills in. A handler that calls it leaves res
   otherwise as it was; handlers of blocking routes never call it (they may wait where they run). */
void http_response_wait(http_response *res, http_wait *w);

/* Ends w's wait: its request is answered on its event loop. Safe on any thread. */
void http_wait_over(http_wait *w);

#endif
