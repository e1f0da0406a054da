/* The connection watch: the open connections in one list under one lock, and a sweeper thread that shuts down
   the socket of each request past its deadline or below the body rate, so that libmicrohttpd reads end-of-file
   and closes the connection itself. */
#include "http/connwatch.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "core/bgthread.h"
#include "core/log.h"

#define CONNWATCH_SWEEP_MS 250

/* Where a connection's current request is. Only WAITING and BODY run against the deadline. */
typedef enum conn_phase {
    CONN_WAITING,   /* no request yet, or its headers are still arriving */
    CONN_BODY,      /* headers in, body arriving */
    CONN_SERVING,   /* the whole request is in: handled, queued for a worker, or being answered */
} conn_phase;

typedef enum cut_reason { CUT_DEADLINE, CUT_SLOW_BODY, CUT_EVICTED, CUT_REASONS } cut_reason;

typedef struct watched {
    struct watched *prev, *next;
    int fd;
    conn_phase phase;
    int cut;                   /* 1: its socket has been shut down; libmicrohttpd will close it */
    double since;              /* when the current request's clock started (monotonic seconds) */
    double body_since;         /* when its headers were in */
    size_t body_bytes;
} watched;

struct connwatch {
    connwatch_limits limits;
    pthread_mutex_t lock;      /* guards everything below, and every watched entry */
    bgthread *sweeper;
    watched *head;
    int live;                  /* connections registered and not cut */
    unsigned long cuts[CUT_REASONS];   /* since the last log line */
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Shuts the connection's socket down in both directions. Called with the lock held: the connection has not
   been reported closed, so its descriptor is still its own. */
static void cut(connwatch *w, watched *c, cut_reason reason)
{
    shutdown(c->fd, SHUT_RDWR);
    c->cut = 1;
    w->live--;
    w->cuts[reason]++;
}

/* Closes the connection that has waited longest for a request, other than the new one. */
static void evict_oldest_idle(connwatch *w, const watched *fresh)
{
    watched *oldest = NULL;
    for (watched *c = w->head; c; c = c->next)
        if (c != fresh && !c->cut && c->phase == CONN_WAITING && (oldest == NULL || c->since < oldest->since))
            oldest = c;
    if (oldest)
        cut(w, oldest, CUT_EVICTED);
}

static void sweep(connwatch *w, double now)
{
    const connwatch_limits *l = &w->limits;
    for (watched *c = w->head; c; c = c->next) {
        if (c->cut || c->phase == CONN_SERVING)
            continue;
        double body_s = now - c->body_since;
        if (now - c->since > (double)l->deadline_s)
            cut(w, c, CUT_DEADLINE);
        else if (c->phase == CONN_BODY && l->min_body_rate > 0 && body_s >= CONNWATCH_BODY_GRACE_S &&
                 (double)c->body_bytes < (double)l->min_body_rate * body_s)
            cut(w, c, CUT_SLOW_BODY);
    }
}

/* One warning per sweep that cut anything, with the counts (never who the clients were). */
static void report_cuts(connwatch *w)
{
    unsigned long n[CUT_REASONS];
    unsigned long total = 0;
    for (int i = 0; i < CUT_REASONS; i++) {
        n[i] = w->cuts[i];
        total += n[i];
        w->cuts[i] = 0;
    }
    if (total == 0)
        return;
    pthread_mutex_unlock(&w->lock);
    log_write(LOG_WARN, "connections_cut", json_pack("{s:I, s:I, s:I}", "deadline", (json_int_t)n[CUT_DEADLINE],
                                                     "slow_body", (json_int_t)n[CUT_SLOW_BODY], "evicted",
                                                     (json_int_t)n[CUT_EVICTED]));
    pthread_mutex_lock(&w->lock);
}

/* One sweep CONNWATCH_SWEEP_MS after the last; none at the stop. */
static long long sweeper_step(bgthread *t, void *ctx)
{
    connwatch *w = ctx;
    if (bgthread_stopping(t))
        return BGTHREAD_EXIT;
    pthread_mutex_lock(&w->lock);
    sweep(w, now_s());
    report_cuts(w);
    pthread_mutex_unlock(&w->lock);
    return CONNWATCH_SWEEP_MS;
}

connwatch *connwatch_start(const connwatch_limits *limits, err *e)
{
    connwatch *w = calloc(1, sizeof *w);
    if (w == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    w->limits = *limits;
    pthread_mutex_init(&w->lock, NULL);
    if ((w->sweeper = bgthread_start("connection sweeper", 1, sweeper_step, w, e)) == NULL) {
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
    }
    return w;
}

void connwatch_stop(connwatch *w)
{
    if (w == NULL)
        return;
    bgthread_stop(w->sweeper);
    while (w->head) {
        watched *c = w->head;
        w->head = c->next;
        free(c);
    }
    pthread_mutex_destroy(&w->lock);
    free(w);
}

static void watch_opened(connwatch *w, struct MHD_Connection *conn, void **socket_context)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    watched *c = info ? calloc(1, sizeof *c) : NULL;
    *socket_context = c;
    if (c == NULL)
        return; /* out of memory: the connection goes unwatched, under libmicrohttpd's idle time-out only */
    c->fd = info->connect_fd;
    c->phase = CONN_WAITING;
    c->since = now_s();
    pthread_mutex_lock(&w->lock);
    c->next = w->head;
    if (w->head)
        w->head->prev = c;
    w->head = c;
    if (++w->live > w->limits.soft_limit)
        evict_oldest_idle(w, c);
    pthread_mutex_unlock(&w->lock);
}

static void watch_closed(connwatch *w, void **socket_context)
{
    watched *c = *socket_context;
    if (c == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        w->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (!c->cut)
        w->live--;
    pthread_mutex_unlock(&w->lock);
    free(c);
    *socket_context = NULL;
}

void connwatch_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        watch_opened(cls, conn, socket_context);
    else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
        watch_closed(cls, socket_context);
}

static watched *watched_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* Moves the connection's request into phase: BODY starts the body's clock, WAITING the next request's. Returns
   1 when more connections are open than the soft limit. */
static int enter_phase(connwatch *w, struct MHD_Connection *conn, conn_phase phase)
{
    watched *c = watched_of(conn);
    double now = now_s();
    pthread_mutex_lock(&w->lock);
    if (c) {
        c->phase = phase;
        if (phase == CONN_BODY)
            c->body_since = now;
        if (phase == CONN_WAITING) {
            c->since = now;
            c->body_bytes = 0;
        }
    }
    int over = w->live > w->limits.soft_limit;
    pthread_mutex_unlock(&w->lock);
    return over;
}

int connwatch_headers_received(connwatch *w, struct MHD_Connection *conn)
{
    return enter_phase(w, conn, CONN_BODY);
}

void connwatch_body_received(connwatch *w, struct MHD_Connection *conn, size_t n)
{
    watched *c = watched_of(conn);
    if (c == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    c->body_bytes += n;
    pthread_mutex_unlock(&w->lock);
}

void connwatch_request_received(connwatch *w, struct MHD_Connection *conn)
{
    enter_phase(w, conn, CONN_SERVING);
}

void connwatch_request_done(connwatch *w, struct MHD_Connection *conn)
{
    enter_phase(w, conn, CONN_WAITING);
}
