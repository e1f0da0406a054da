/* libmicrohttpd wiring: collects each request body within its limit and the shared body budget, sheds requests
   past the connection soft limit, dispatches through the router, parks the requests that wait (blocking handlers on
   the worker pool, others until their wait is over), queues the response, and logs and counts every answered
   request. */
#include "http/server.h"

#include <assert.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "http/body_budget.h"
#include "http/client_addr.h"
#include "http/connwatch.h"
#include "http/framing.h"
#include "http/unescape.h"
#include "http/workers.h"

#define HTTP_CONNECTION_MEMORY_LIMIT (64 * 1024)
/* Blocking handlers are mostly waiting for a group commit, so a few per core keep the cores busy. */
#define HTTP_WORKERS_PER_CORE 4
/* What a request refused for want of memory or connection slots is told to wait. */
#define HTTP_BUSY_RETRY_AFTER_S 1

struct http_server {
    struct MHD_Daemon *daemon;
    http_server_spec spec;
    size_t body_limit, upload_limit;
    client_caps *caps;                /* per-address caps; knows the trusted proxy */
    atomic_int in_flight;
    atomic_int parked;                /* requests waiting on an http_wait */
    unsigned short port;
    atomic_ulong requests;            /* requests begun: what request ids fall back on */
    work_pool *workers;               /* runs the handlers of blocking routes */
    body_budget bodies;
    connwatch *watch;
};

/* Per-request state from the first callback to the completion notice. */
typedef struct request_state {
    http_request req;
    const http_route *route;
    router_result routing;
    size_t body_limit;
    buf body;
    int too_large;
    size_t claimed;                   /* bytes taken from the body budget, given back when the request ends */
    int busy;                         /* 1: refused for want of body memory or connection slots (503) */
    int refusal;                      /* 400, 414, 501: refused by the framing checks */
    int retry_after;                  /* > 0: refused by the rate limit or the per-address cap */
    int forwarded;                    /* 1: client_ip came from the trusted proxy's X-Forwarded-For */
    int counted;                      /* 1: counted in flight for its forwarded address */
    int status;                       /* 0 until a response is queued */
    struct timespec started;
    http_field *fields;               /* owned; the strings are the connection's */
    http_server *srv;
    int deferred;                     /* 1: the handler runs (or ran) on the worker pool */
    http_response deferred_answer;    /* its answer, queued when the connection resumes */
    work_item work;
    http_wait *wait;                  /* the handler's wait, until it has been finished */
} request_state;

static http_method method_from_string(const char *m)
{
    static const struct { const char *name; http_method method; } methods[] = {
        {"GET", HTTP_GET}, {"HEAD", HTTP_HEAD}, {"POST", HTTP_POST}, {"PUT", HTTP_PUT}, {"DELETE", HTTP_DELETE},
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(m, methods[i].name) == 0)
            return methods[i].method;
    return HTTP_OTHER;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Seconds the client must wait under the route's public rate limit, 0 when it may go on. The API limit
   is per key, so the handler takes it once the key is known. */
static int rate_limited(http_server *srv, request_state *rs)
{
    if (rs->routing != ROUTER_FOUND || rs->route->limit != HTTP_LIMIT_PUBLIC || srv->spec.public_limit == NULL)
        return 0;
    return ratelimit_take_now(srv->spec.public_limit, rs->req.client_ip);
}

/* Counts a forwarded request in flight for its client address: 1 (second to wait) when the address is at
   its cap (or the count cannot be kept: out of memory), 0 when it may go on. */
static int client_limited(http_server *srv, request_state *rs)
{
    if (!rs->forwarded)
        return 0;
    rs->counted = client_caps_request_begin(srv->caps, rs->req.client_ip) == 1;
    return rs->counted ? 0 : 1;
}

static enum MHD_Result collect_field(void *cls, enum MHD_ValueKind kind, const char *name, const char *value)
{
    request_state *rs = cls;
    rs->fields[rs->req.nfields++] = (http_field){kind == MHD_GET_ARGUMENT_KIND, name, value};
    return MHD_YES;
}

/* Copies the pointers to every header and query argument, so handlers on any thread can read them. */
static int collect_fields(request_state *rs)
{
    const enum MHD_ValueKind kinds = MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND;
    int n = MHD_get_connection_values(rs->req.conn, kinds, NULL, NULL);
    if (n <= 0)
        return 0;
    if ((rs->fields = calloc((size_t)n, sizeof *rs->fields)) == NULL)
        return -1;
    rs->req.fields = rs->fields;
    MHD_get_connection_values(rs->req.conn, kinds, collect_field, rs);
    return 0;
}

/* Writes the request's id for logs and the X-Request-Id header. The id must be unique, not secret: when the CSPRNG
   gives nothing, it is made from the clock and a count of requests rather than refusing the request. */
static void new_request_id(http_server *srv, char out[HTTP_REQUEST_ID_LEN + 1])
{
    unsigned char id[HTTP_REQUEST_ID_LEN / 2];
    if (random_bytes(id, sizeof id) != 0) {
        uint64_t fallback = (uint64_t)time(NULL) << 32 ^ (uint64_t)atomic_fetch_add(&srv->requests, 1);
        for (size_t i = 0; i < sizeof id; i++)
            id[i] = (unsigned char)(fallback >> (8 * (sizeof id - 1 - i)));
    }
    hash_hex(id, sizeof id, out);
}

static request_state *request_begin(http_server *srv, struct MHD_Connection *conn, const char *url, const char *method)
{
    request_state *rs = calloc(1, sizeof *rs);
    if (rs == NULL)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &rs->started);
    rs->srv = srv;
    rs->req.conn = conn;
    if (collect_fields(rs) != 0) {
        free(rs);
        return NULL;
    }
    rs->req.method = method_from_string(method);
    rs->req.path = url;
    new_request_id(srv, rs->req.request_id);
    rs->forwarded = client_caps_address(srv->caps, conn, rs->req.client_ip, sizeof rs->req.client_ip);
    rs->routing = router_match(srv->spec.routes, srv->spec.nroutes, rs->req.method, url, &rs->req, &rs->route);
    rs->req.route = rs->routing == ROUTER_FOUND ? rs->route->pattern : "unmatched";
    rs->body_limit = rs->route && rs->route->large_body ? srv->upload_limit : srv->body_limit;
    atomic_fetch_add(&srv->in_flight, 1);
    return rs;
}

/* True when the declared Content-Length is over the limit (checked before reading any of the body). */
static int declared_too_large(struct MHD_Connection *conn, size_t limit)
{
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl == NULL)
        return 0;
    char *end;
    unsigned long long n = strtoull(cl, &end, 10);
    return *end != '\0' || n > limit;
}

/* 1 when the request must wait for a connection slot: more connections are open than the soft limit, and the
   route is not an operational one (health, metrics), which the reserve of connections is kept for. */
static int over_slots(http_server *srv, request_state *rs)
{
    int over = connwatch_headers_received(srv->watch, rs->req.conn);
    return over && !(rs->routing == ROUTER_FOUND && rs->route->limit == HTTP_LIMIT_NONE);
}

/* Takes the request's body from the shared budget before any of it is read; 1 when it does not fit. */
static int over_budget(http_server *srv, request_state *rs)
{
    struct MHD_Connection *conn = rs->req.conn;
    size_t n = body_budget_claim(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH),
                                 MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING),
                                 rs->body_limit);
    if (body_budget_take(&srv->bodies, n) != 0)
        return 1;
    rs->claimed = n;
    return 0;
}

static enum MHD_Result queue(struct MHD_Connection *conn, request_state *rs, http_response *res)
{
    size_t len;
    unsigned char *body = buf_detach(&res->body, &len);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body ? body : (void *)"",
                                                             body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    int headed = (res->content_type == NULL ||
                  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type) == MHD_YES) &&
                 MHD_add_response_header(r, "X-Request-Id", rs->req.request_id) == MHD_YES;
    for (size_t i = 0; headed && i < res->nheaders; i++)
        headed = MHD_add_response_header(r, res->headers[i].name, res->headers[i].value) == MHD_YES;
    if (!headed) { /* out of memory: an answer without its headers would break the contract; drop the connection */
        MHD_destroy_response(r);
        return MHD_NO;
    }
    rs->status = res->status;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned int)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* Fills res with the server's own answer of the given status, asking the client to come back in seconds. */
static void retry_later(request_state *rs, http_response *res, int status, int seconds)
{
    char text[16];
    snprintf(text, sizeof text, "%d", seconds);
    rs->srv->spec.on_error(rs->srv->spec.ctx, &rs->req, res, status);
    http_response_header(res, "Retry-After", text);
}

/* Fills res: an answer the server gives itself (503, 429, 413, 404, 405), or the route handler's. */
static void answer(request_state *rs, http_response *res)
{
    const http_server *srv = rs->srv;
    rs->req.body = rs->body.data ? rs->body.data : (const unsigned char *)"";
    rs->req.body_len = rs->body.len;
    if (rs->refusal) {
        srv->spec.on_error(srv->spec.ctx, &rs->req, res, rs->refusal);
        http_response_header(res, "Connection", "close");
    } else if (rs->busy) {
        retry_later(rs, res, 503, HTTP_BUSY_RETRY_AFTER_S);
        http_response_header(res, "Connection", "close"); /* the body it announced is never read */
    } else if (rs->retry_after > 0)
        retry_later(rs, res, 429, rs->retry_after);
    else if (rs->too_large)
        srv->spec.on_error(srv->spec.ctx, &rs->req, res, 413);
    else if (rs->routing == ROUTER_NO_PATH)
        srv->spec.on_error(srv->spec.ctx, &rs->req, res, 404);
    else if (rs->routing == ROUTER_WRONG_METHOD)
        srv->spec.on_error(srv->spec.ctx, &rs->req, res, 405);
    else
        rs->route->handler(srv->spec.ctx, &rs->req, res);
}

/* Parks the connection until the handler's wait is over; its answer is queued when the connection resumes. */
static enum MHD_Result park(struct MHD_Connection *conn, request_state *rs, http_wait *w)
{
    rs->wait = w;
    w->conn = conn;
    atomic_fetch_add(&rs->srv->parked, 1);
    MHD_suspend_connection(conn);
    w->start(w);
    return MHD_YES;
}

void http_wait_over(http_wait *w)
{
    MHD_resume_connection(w->conn);
}

/* Fills res with the parked request's answer, once. */
static void finish_wait(request_state *rs, http_response *res)
{
    http_wait *w = rs->wait;
    rs->wait = NULL;
    w->finish(w, &rs->req, res);
    atomic_fetch_sub(&rs->srv->parked, 1);
}

static enum MHD_Result respond(struct MHD_Connection *conn, request_state *rs)
{
    http_response res = {.status = 500};
    connwatch_request_received(rs->srv->watch, conn);
    answer(rs, &res);
    enum MHD_Result ok = res.wait ? park(conn, rs, res.wait) : queue(conn, rs, &res);
    buf_free(&res.body);
    return ok;
}

/* On a pool thread: runs the handler, then hands the connection back to its event loop. */
static void answer_deferred(void *job)
{
    request_state *rs = job;
    answer(rs, &rs->deferred_answer);
    MHD_resume_connection(rs->req.conn);
}

/* Parks the connection and queues its handler on the worker pool; the answer is sent when it resumes. */
static enum MHD_Result defer(http_server *srv, struct MHD_Connection *conn, request_state *rs)
{
    connwatch_request_received(srv->watch, conn);
    rs->deferred = 1;
    rs->deferred_answer.status = 500;
    rs->work = (work_item){answer_deferred, rs, NULL};
    MHD_suspend_connection(conn);
    work_pool_submit(srv->workers, &rs->work);
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    http_server *srv = cls;
    request_state *rs = *con_cls;
    if (rs == NULL || framing_target_status(rs) != 0) { /* the first call: every header is known */
        int refusal = rs ? framing_target_status(rs) : framing_check_headers(conn, version);
        rs = request_begin(srv, conn, url, method);
        if (rs == NULL)
            return MHD_NO;
        *con_cls = rs;
        if ((rs->refusal = refusal) != 0 || (rs->busy = over_slots(srv, rs)) != 0 ||
            (rs->retry_after = client_limited(srv, rs)) > 0 || (rs->retry_after = rate_limited(srv, rs)) > 0)
            return respond(conn, rs);
        if (declared_too_large(conn, rs->body_limit)) {
            rs->too_large = 1;
            return respond(conn, rs);
        }
        if ((rs->busy = over_budget(srv, rs)) != 0)
            return respond(conn, rs);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        connwatch_body_received(srv->watch, conn, *upload_data_size);
        /* claimed <= body_limit: a body is never held beyond what it took from the budget */
        if (!rs->too_large && rs->body.len + *upload_data_size > rs->claimed) {
            rs->too_large = 1;
            buf_free(&rs->body);
        }
        if (!rs->too_large && buf_reserve_exact(&rs->body, rs->claimed - rs->body.len) != 0)
            return MHD_NO;
        if (!rs->too_large && buf_append(&rs->body, upload_data, *upload_data_size) != 0)
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rs->status != 0)
        return MHD_YES;
    if (rs->wait != NULL) {
        http_response res = {.status = 500};
        finish_wait(rs, &res);
        enum MHD_Result ok = queue(conn, rs, &res);
        buf_free(&res.body);
        return ok;
    }
    if (rs->deferred) {
        enum MHD_Result ok = queue(conn, rs, &rs->deferred_answer);
        buf_free(&rs->deferred_answer.body);
        return ok;
    }
    if (rs->routing == ROUTER_FOUND && rs->route->blocking && !rs->too_large)
        return defer(srv, conn, rs);
    return respond(conn, rs);
}

static size_t route_index(const http_server *srv, const request_state *rs)
{
    return rs->routing == ROUTER_FOUND ? (size_t)(rs->route - srv->spec.routes) : srv->spec.nroutes;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    http_server *srv = cls;
    request_state *rs = *con_cls;
    connwatch_request_done(srv->watch, conn);
    if (rs == NULL || framing_target_status(rs) != 0) /* ended before the first call */
        return;
    if (rs->wait != NULL) { /* the connection ended with the answer unsent */
        http_response unsent = {.status = 500};
        finish_wait(rs, &unsent);
        buf_free(&unsent.body);
    }
    if (rs->counted)
        client_caps_request_end(srv->caps, rs->req.client_ip);
    double elapsed = seconds_since(&rs->started);
    if (srv->spec.metrics)
        metrics_observe_request(srv->spec.metrics, route_index(srv, rs), rs->status, elapsed);
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OTHER"};
    log_write(rs->status >= 500 || toe != MHD_REQUEST_TERMINATED_COMPLETED_OK ? LOG_WARN : LOG_INFO, "request",
              json_pack("{s:s, s:s, s:s, s:i, s:f, s:b}", "request_id", rs->req.request_id, "method",
                        methods[rs->req.method], "route", rs->req.route, "status", rs->status, "duration_ms",
                        elapsed * 1000.0, "completed", toe == MHD_REQUEST_TERMINATED_COMPLETED_OK));
    buf_free(&rs->body);
    body_budget_give(&srv->bodies, rs->claimed);
    buf_free(&rs->deferred_answer.body);
    free(rs->fields);
    free(rs);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* Each connection from open to close: counted per address, and watched for its deadlines. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_server *srv = cls;
    client_caps_connection(srv->caps, conn, code);
    connwatch_notify(srv->watch, conn, socket_context, code);
}

static int resolve_listen(const config *cfg, struct sockaddr_storage *addr, socklen_t *len, int *ipv6, err *e)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    char port[8];
    snprintf(port, sizeof port, "%u", cfg->listen_port);
    const char *host = cfg->listen_host;
    char bare[64];
    if (host[0] == '[') { /* "[::1]" */
        snprintf(bare, sizeof bare, "%.*s", (int)strcspn(host + 1, "]"), host + 1);
        host = bare;
    }
    if (getaddrinfo(host, port, &hints, &res) != 0 || res == NULL)
        return err_set(e, ERR_INVALID, "cannot resolve listen address %s", cfg->listen_host);
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    *ipv6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    return 0;
}

/* Starts libmicrohttpd on addr with the server's callbacks. Returns NULL when it cannot. */
static struct MHD_Daemon *start_daemon(http_server *srv, const config *cfg, struct sockaddr_storage *addr, int ipv6,
                                       unsigned int threads)
{
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
                         (ipv6 ? MHD_USE_IPv6 : 0);
    /* Connections per address are capped by client_caps (libmicrohttpd's per-IP limit would cap the proxy). */
    return MHD_start_daemon(
        flags, 0, client_caps_accept, srv->caps, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)(cfg->max_connections + cfg->connection_reserve), MHD_OPTION_URI_LOG_CALLBACK,
        framing_check_target, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)cfg->connection_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY_LIMIT,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_UNESCAPE_CALLBACK, http_unescape, NULL,
        MHD_OPTION_END);
}

http_server *http_server_start(const config *cfg, const http_server_spec *spec, err *e)
{
    assert(cfg != NULL && spec != NULL && spec->on_error != NULL);
    struct sockaddr_storage addr;
    socklen_t addr_len = 0;
    int ipv6 = 0;
    if (resolve_listen(cfg, &addr, &addr_len, &ipv6, e) != 0)
        return NULL;
    http_server *srv = calloc(1, sizeof *srv);
    if (srv == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    srv->spec = *spec;
    srv->body_limit = cfg->body_limit;
    srv->upload_limit = cfg->pdf_body_limit;
    if ((srv->caps = client_caps_new((unsigned int)cfg->max_connections_per_ip, cfg->trusted_proxy)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned int cores = online > 0 ? (unsigned int)online : 1;
    unsigned int threads = cfg->threads > 0 ? (unsigned int)cfg->threads : cores;
    unsigned int workers = cfg->workers > 0 ? (unsigned int)cfg->workers : HTTP_WORKERS_PER_CORE * cores;
    body_budget_init(&srv->bodies, cfg->body_budget);
    const connwatch_limits watch = {cfg->max_connections, cfg->request_deadline_s, cfg->min_body_rate};
    if ((srv->watch = connwatch_start(&watch, e)) == NULL || (srv->workers = work_pool_start(workers, e)) == NULL)
        goto fail;
    if ((srv->daemon = start_daemon(srv, cfg, &addr, ipv6, threads)) == NULL) {
        err_set(e, ERR_IO, "cannot listen on %s:%u", cfg->listen_host, cfg->listen_port);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : cfg->listen_port;
    return srv;
fail:
    work_pool_stop(srv->workers);
    connwatch_stop(srv->watch);
    client_caps_free(srv->caps);
    free(srv);
    return NULL;
}

unsigned short http_server_port(const http_server *srv)
{
    return srv->port;
}

void http_server_stop(http_server *srv, int grace_s)
{
    if (srv == NULL)
        return;
    MHD_quiesce_daemon(srv->daemon);
    for (int waited_ms = 0; atomic_load(&srv->in_flight) > 0 && waited_ms < grace_s * 1000; waited_ms += 10)
        usleep(10 * 1000);
    work_pool_stop(srv->workers); /* finishes deferred requests, which resume their connections */
    while (atomic_load(&srv->parked) > 0) /* waits end by themselves: their reads have time limits */
        usleep(10 * 1000);
    MHD_stop_daemon(srv->daemon);
    connwatch_stop(srv->watch);
    client_caps_free(srv->caps);
    free(srv);
}
