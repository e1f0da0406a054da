/* The routing table: method + path pattern with {placeholders} → handler. */
#ifndef ARAYIS_HTTP_ROUTER_H
#define ARAYIS_HTTP_ROUTER_H

#include "http/http.h"

typedef void (*http_handler)(void *ctx, http_request *req, http_response *res);

typedef struct http_route {
    http_method method;
    const char *pattern;   /* "/api/v1/applications/{id}", "/c/{number}.pdf"; a placeholder stops at '/' */
    http_handler handler;
    int large_body;        /* 1: the upload limit (PDF files) instead of the JSON body limit */
    int limit;             /* which rate limit applies: HTTP_LIMIT_NONE, _PUBLIC (per address, taken by the server),
                              _API (per key, taken by the handler once the key is authenticated); NONE marks the
                              operational routes (health, metrics), which are also served on the reserve of
                              connections when new requests are being shed */
    int blocking;          /* 1: the handler waits on durable writes, so it runs on the worker pool, in arrival
                              order, while the event loop goes on; it must not use req->conn */
} http_route;

enum { HTTP_LIMIT_NONE, HTTP_LIMIT_PUBLIC, HTTP_LIMIT_API };

typedef enum router_result { ROUTER_FOUND, ROUTER_NO_PATH, ROUTER_WRONG_METHOD } router_result;

/* Finds the route for method and path among n routes. On ROUTER_FOUND sets *found and copies the
   placeholder values into req->params; on ROUTER_WRONG_METHOD sets *found to a route with that path.
   HEAD matches GET routes. A path that is not http_path_routable (a control character, an escape left
   undecoded) matches nothing: ROUTER_NO_PATH. */
router_result router_match(const http_route *routes, size_t n, http_method method, const char *path,
                           http_request *req, const http_route **found);

#endif
