/* Watches every open connection: cuts requests that miss their deadline or trickle their body, and keeps a
   reserve of connections beyond the soft limit for health checks and work already accepted. */
#ifndef ARAYIS_HTTP_CONNWATCH_H
#define ARAYIS_HTTP_CONNWATCH_H

#include <microhttpd.h>
#include <stddef.h>

#include "core/err.h"

typedef struct connwatch connwatch;

typedef struct connwatch_limits {
    int soft_limit;          /* open connections past which the oldest idle one is closed and new requests are shed */
    int deadline_s;          /* a request's headers and body must arrive within this many seconds */
    size_t min_body_rate;    /* bytes/s a body must average once CONNWATCH_BODY_GRACE_S have passed; 0 = off */
} connwatch_limits;

/* A body is judged by its rate only after this many seconds, so a short pause at its start is no fault. */
#define CONNWATCH_BODY_GRACE_S 5

/* Starts the watch and its sweeper thread, which checks every connection four times a second. Returns NULL with
   e set. */
connwatch *connwatch_start(const connwatch_limits *limits, err *e);

/* Stops the sweeper and frees w; call after the daemon has stopped (every connection closed). w may be NULL. */
void connwatch_stop(connwatch *w);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback, with the watch as cls: registers a connection when it
   opens (closing the oldest idle one when that brings the count past the soft limit) and forgets it before
   libmicrohttpd closes its socket, so the sweeper never touches a reused descriptor. */
void connwatch_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);

/* The request's headers are in; its body is watched from now on. Returns 1 when more connections are open than
   the soft limit (the caller then sheds the request unless it is a health check), else 0. */
int connwatch_headers_received(connwatch *w, struct MHD_Connection *conn);

/* n more bytes of the request's body arrived. */
void connwatch_body_received(connwatch *w, struct MHD_Connection *conn, size_t n);

/* The whole request is in (or answered early): it is no longer subject to the deadline. */
void connwatch_request_received(connwatch *w, struct MHD_Connection *conn);

/* The answer has been sent; the next request on the connection has the full deadline again. */
void connwatch_request_done(connwatch *w, struct MHD_Connection *conn);

#endif
