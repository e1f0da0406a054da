/* libmicrohttpd wiring: collects each request body within its limit, dispatches through the router,
   queues the response, and logs and counts every answered request. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "http/unescape.h"
#include "http/workers.h"

#define HTTP_CONNECTION_MEMORY_LIMIT (64 * 1024)
/* Blocking handlers are mostly waiting for a group commit, so a few per core keep the cores busy. */
#define HTTP_WORKERS_PER_CORE 4

struct http_server {
    struct MHD_Daemon *daemon;
    http_server_spec spec;
    size_t body_limit, upload_limit;
    char trusted_proxy[48];
    atomic_int in_flight;
    unsigned short port;
    work_pool *workers;               /* runs the handlers of blocking routes */
};

/* Per-request state from the first callback to the completion notice. */
typedef struct request_state {
    http_request req;
    const http_route *route;
    router_result routing;
    size_t body_limit;
    buf body;
    int too_large;
    int retry_after;                  /* > 0: refused by the rate limit */
    int status;                       /* 0 until a response is queued */
    struct timespec started;
    http_field *fields;               /* owned; the strings are the connection's */
    http_server *srv;
    int deferred;                     /* 1: the handler runs (or ran) on the worker pool */
    http_response deferred_answer;    /* its answer, queued when the connection resumes */
    work_item work;
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

static void client_address(struct MHD_Connection *conn, char *out, size_t size)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (info == NULL || info->client_addr == NULL)
        return;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)size);
}

/* Behind the configured reverse proxy, the client is the last address the proxy appended to X-Forwarded-For. */
static void forwarded_address(const http_server *srv, struct MHD_Connection *conn, char *ip, size_t size)
{
    if (srv->trusted_proxy[0] == '\0' || strcmp(ip, srv->trusted_proxy) != 0)
        return;
    const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
    if (xff == NULL)
        return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ')
        last++;
    size_t n = strcspn(last, " ");
    if (n > 0 && n < size && n < 46) {
        memcpy(ip, last, n);
        ip[n] = '\0';
    }
}

static long long wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Seconds the client must wait under the route's rate limit, 0 when it may go on. */
static int rate_limited(http_server *srv, request_state *rs)
{
    if (rs->routing != ROUTER_FOUND || rs->route->limit == HTTP_LIMIT_NONE)
        return 0;
    if (rs->route->limit == HTTP_LIMIT_PUBLIC)
        return srv->spec.public_limit ? ratelimit_take(srv->spec.public_limit, rs->req.client_ip, wall_ms()) : 0;
    const char *auth = MHD_lookup_connection_value(rs->req.conn, MHD_HEADER_KIND, "Authorization");
    return srv->spec.api_limit ? ratelimit_take(srv->spec.api_limit, auth ? auth : rs->req.client_ip, wall_ms()) : 0;
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
    unsigned char id[8];
    random_bytes(id, sizeof id);
    hash_hex(id, sizeof id, rs->req.request_id);
    client_address(conn, rs->req.client_ip, sizeof rs->req.client_ip);
    forwarded_address(srv, conn, rs->req.client_ip, sizeof rs->req.client_ip);
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
    if (res->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    MHD_add_response_header(r, "X-Request-Id", rs->req.request_id);
    for (size_t i = 0; i < res->nheaders; i++)
        MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
    rs->status = res->status;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned int)res->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* Fills res: an answer the server gives itself (429, 413, 404, 405), or the route handler's. */
static void answer(request_state *rs, http_response *res)
{
    const http_server *srv = rs->srv;
    rs->req.body = rs->body.data ? rs->body.data : (const unsigned char *)"";
    rs->req.body_len = rs->body.len;
    if (rs->retry_after > 0) {
        char seconds[16];
        snprintf(seconds, sizeof seconds, "%d", rs->retry_after);
        srv->spec.on_error(srv->spec.ctx, &rs->req, res, 429);
        http_response_header(res, "Retry-After", seconds);
    } else if (rs->too_large)
        srv->spec.on_error(srv->spec.ctx, &rs->req, res, 413);
    else if (rs->routing == ROUTER_NO_PATH)
        srv->spec.on_error(srv->spec.ctx, &rs->req, res, 404);
    else if (rs->routing == ROUTER_WRONG_METHOD)
        srv->spec.on_error(srv->spec.ctx, &rs->req, res, 405);
    else
        rs->route->handler(srv->spec.ctx, &rs->req, res);
}

static enum MHD_Result respond(struct MHD_Connection *conn, request_state *rs)
{
    http_response res = {.status = 500};
    answer(rs, &res);
    enum MHD_Result ok = queue(conn, rs, &res);
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
    (void)version;
    http_server *srv = cls;
    request_state *rs = *con_cls;
    if (rs == NULL) {
        rs = request_begin(srv, conn, url, method);
        if (rs == NULL)
            return MHD_NO;
        *con_cls = rs;
        if ((rs->retry_after = rate_limited(srv, rs)) > 0)
            return respond(conn, rs);
        if (declared_too_large(conn, rs->body_limit)) {
            rs->too_large = 1;
            return respond(conn, rs);
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!rs->too_large && rs->body.len + *upload_data_size > rs->body_limit) {
            rs->too_large = 1;
            buf_free(&rs->body);
        }
        if (!rs->too_large && buf_append(&rs->body, upload_data, *upload_data_size) != 0)
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rs->status != 0)
        return MHD_YES;
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
    (void)conn;
    http_server *srv = cls;
    request_state *rs = *con_cls;
    if (rs == NULL)
        return;
    double elapsed = seconds_since(&rs->started);
    if (srv->spec.metrics)
        metrics_observe_request(srv->spec.metrics, route_index(srv, rs), rs->status, elapsed);
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OTHER"};
    log_write(rs->status >= 500 || toe != MHD_REQUEST_TERMINATED_COMPLETED_OK ? LOG_WARN : LOG_INFO, "request",
              json_pack("{s:s, s:s, s:s, s:i, s:f, s:b}", "request_id", rs->req.request_id, "method",
                        methods[rs->req.method], "route", rs->req.route, "status", rs->status, "duration_ms",
                        elapsed * 1000.0, "completed", toe == MHD_REQUEST_TERMINATED_COMPLETED_OK));
    buf_free(&rs->body);
    buf_free(&rs->deferred_answer.body);
    free(rs->fields);
    free(rs);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
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
        return err_set(e, 1, "cannot resolve listen address %s", cfg->listen_host);
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    *ipv6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    return 0;
}

http_server *http_server_start(const config *cfg, const http_server_spec *spec, err *e)
{
    struct sockaddr_storage addr;
    socklen_t addr_len = 0;
    int ipv6 = 0;
    if (resolve_listen(cfg, &addr, &addr_len, &ipv6, e) != 0)
        return NULL;
    http_server *srv = calloc(1, sizeof *srv);
    if (srv == NULL) {
        err_set(e, 1, "out of memory");
        return NULL;
    }
    srv->spec = *spec;
    srv->body_limit = cfg->body_limit;
    srv->upload_limit = cfg->pdf_body_limit;
    snprintf(srv->trusted_proxy, sizeof srv->trusted_proxy, "%s", cfg->trusted_proxy);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned int cores = online > 0 ? (unsigned int)online : 1;
    unsigned int threads = cfg->threads > 0 ? (unsigned int)cfg->threads : cores;
    unsigned int workers = cfg->workers > 0 ? (unsigned int)cfg->workers : HTTP_WORKERS_PER_CORE * cores;
    if ((srv->workers = work_pool_start(workers, e)) == NULL) {
        free(srv);
        return NULL;
    }
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
                         (ipv6 ? MHD_USE_IPv6 : 0);
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)cfg->max_connections_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)cfg->connection_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONNECTION_MEMORY_LIMIT,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_UNESCAPE_CALLBACK, http_unescape, NULL, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        err_set(e, 1, "cannot listen on %s:%u", cfg->listen_host, cfg->listen_port);
        work_pool_stop(srv->workers);
        free(srv);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : cfg->listen_port;
    return srv;
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
    work_pool_stop(srv->workers); /* finishes parked requests, which resume their connections */
    MHD_stop_daemon(srv->daemon);
    free(srv);
}
