/* The HTTP server: libmicrohttpd with a thread pool and epoll, body limits, routing, logging and metrics per request. */
#ifndef ARAYIS_HTTP_SERVER_H
#define ARAYIS_HTTP_SERVER_H

#include "core/config.h"
#include "core/err.h"
#include "core/metrics.h"
#include "http/ratelimit.h"
#include "http/router.h"

typedef struct http_server http_server;

/* Writes the answer the server gives without a handler: 400, 414 and 501 (framing refused), 404, 405, 413, and 429
   and 503 (the server adds Retry-After to these two). */
typedef void (*http_error_responder)(void *ctx, http_request *req, http_response *res, int status);

typedef struct http_server_spec {
    const http_route *routes;
    size_t nroutes;
    void *ctx;                          /* passed to every handler */
    http_error_responder on_error;
    metrics *metrics;                   /* may be NULL */
    ratelimit *public_limit;            /* per client address; may be NULL */
} http_server_spec;

/* Starts listening with the limits in cfg (port 0 picks a free port): body sizes and their shared budget, the
   request deadline and minimum body rate, connections with their reserve. The spec's routes and ctx must
   outlive the server. Returns NULL with e set. */
http_server *http_server_start(const config *cfg, const http_server_spec *spec, err *e);

/* The port actually bound. */
unsigned short http_server_port(const http_server *srv);

/* Stops accepting connections, waits up to grace_s seconds for requests in flight, then stops and frees. */
void http_server_stop(http_server *srv, int grace_s);

#endif
