/* Lock-free metric cells (relaxed atomics) and their Prometheus text rendering. */
#include "core/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

#define METRICS_MAX_COUNTERS 24
#define METRICS_MAX_GAUGES 12

static const int tracked_statuses[] = {200, 201, 204, 301, 302, 303, 304, 400, 401, 403, 404, 405,
                                       409, 413, 415, 422, 429, 500, 503};
#define NSTATUS (sizeof tracked_statuses / sizeof tracked_statuses[0] + 1) /* + "other" */
static const double latency_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NBUCKETS (sizeof latency_buckets / sizeof latency_buckets[0])

typedef struct route_cells {
    atomic_ulong by_status[NSTATUS];
    atomic_ulong buckets[NBUCKETS];     /* non-cumulative; summed at render time */
    atomic_ulong count;
    atomic_ulong sum_microseconds;
} route_cells;

typedef struct named_counter {
    const char *name, *help;
    atomic_ulong value;
} named_counter;

typedef struct named_gauge {
    const char *name, *help;
    metrics_gauge_fn fn;
    void *ctx;
} named_gauge;

struct metrics {
    const char *const *route_names;
    size_t nroutes;
    route_cells *routes;                /* nroutes + 1 */
    named_counter counters[METRICS_MAX_COUNTERS];
    size_t ncounters;
    named_gauge gauges[METRICS_MAX_GAUGES];
    size_t ngauges;
};

metrics *metrics_new(const char *const *route_names, size_t nroutes)
{
    metrics *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->routes = calloc(nroutes + 1, sizeof *m->routes);
    if (m->routes == NULL) {
        free(m);
        return NULL;
    }
    m->route_names = route_names;
    m->nroutes = nroutes;
    return m;
}

void metrics_free(metrics *m)
{
    if (m == NULL)
        return;
    free(m->routes);
    free(m);
}

static size_t status_slot(int status)
{
    for (size_t i = 0; i < NSTATUS - 1; i++)
        if (tracked_statuses[i] == status)
            return i;
    return NSTATUS - 1;
}

void metrics_observe_request(metrics *m, size_t route_index, int status, double seconds)
{
    route_cells *c = &m->routes[route_index < m->nroutes ? route_index : m->nroutes];
    atomic_fetch_add_explicit(&c->by_status[status_slot(status)], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBUCKETS && seconds > latency_buckets[b])
        b++;
    if (b < NBUCKETS)
        atomic_fetch_add_explicit(&c->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->sum_microseconds, (unsigned long)(seconds * 1e6), memory_order_relaxed);
}

int metrics_counter(metrics *m, const char *name, const char *help)
{
    if (m->ncounters == METRICS_MAX_COUNTERS)
        return -1;
    m->counters[m->ncounters].name = name;
    m->counters[m->ncounters].help = help;
    return (int)m->ncounters++;
}

void metrics_add(metrics *m, int counter_id, unsigned long n)
{
    if (counter_id >= 0 && (size_t)counter_id < m->ncounters)
        atomic_fetch_add_explicit(&m->counters[counter_id].value, n, memory_order_relaxed);
}

int metrics_gauge(metrics *m, const char *name, const char *help, metrics_gauge_fn fn, void *ctx)
{
    if (m->ngauges == METRICS_MAX_GAUGES)
        return -1;
    m->gauges[m->ngauges++] = (named_gauge){name, help, fn, ctx};
    return 0;
}

static const char *route_label(const metrics *m, size_t i)
{
    return i < m->nroutes ? m->route_names[i] : "unmatched";
}

static void render_request_counts(const metrics *m, buf *out)
{
    buf_puts(out, "# HELP arayis_http_requests_total HTTP requests answered, by route and status.\n"
                  "# TYPE arayis_http_requests_total counter\n");
    for (size_t i = 0; i <= m->nroutes; i++) {
        for (size_t s = 0; s < NSTATUS; s++) {
            unsigned long v = atomic_load_explicit(&m->routes[i].by_status[s], memory_order_relaxed);
            if (v == 0)
                continue;
            if (s < NSTATUS - 1)
                buf_printf(out, "arayis_http_requests_total{route=\"%s\",status=\"%d\"} %lu\n", route_label(m, i),
                           tracked_statuses[s], v);
            else
                buf_printf(out, "arayis_http_requests_total{route=\"%s\",status=\"other\"} %lu\n", route_label(m, i), v);
        }
    }
}

static void render_latency(const metrics *m, buf *out)
{
    buf_puts(out, "# HELP arayis_http_request_duration_seconds Time from request start to the last byte queued.\n"
                  "# TYPE arayis_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= m->nroutes; i++) {
        const route_cells *c = &m->routes[i];
        unsigned long count = atomic_load_explicit(&c->count, memory_order_relaxed);
        if (count == 0)
            continue;
        unsigned long cumulative = 0;
        for (size_t b = 0; b < NBUCKETS; b++) {
            cumulative += atomic_load_explicit(&c->buckets[b], memory_order_relaxed);
            buf_printf(out, "arayis_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                       route_label(m, i), latency_buckets[b], cumulative);
        }
        buf_printf(out, "arayis_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n", route_label(m, i), count);
        buf_printf(out, "arayis_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", route_label(m, i),
                   (double)atomic_load_explicit(&c->sum_microseconds, memory_order_relaxed) / 1e6);
        buf_printf(out, "arayis_http_request_duration_seconds_count{route=\"%s\"} %lu\n", route_label(m, i), count);
    }
}

int metrics_render(metrics *m, buf *out)
{
    render_request_counts(m, out);
    render_latency(m, out);
    for (size_t i = 0; i < m->ncounters; i++)
        buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n%s %lu\n", m->counters[i].name, m->counters[i].help,
                   m->counters[i].name, m->counters[i].name,
                   atomic_load_explicit(&m->counters[i].value, memory_order_relaxed));
    for (size_t i = 0; i < m->ngauges; i++)
        buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", m->gauges[i].name, m->gauges[i].help,
                   m->gauges[i].name, m->gauges[i].name, m->gauges[i].fn(m->gauges[i].ctx));
    return 0;
}
