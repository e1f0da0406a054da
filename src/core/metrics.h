/* Prometheus metrics: request counts by route and status, latency histograms, and named counters and gauges. */
#ifndef ARAYIS_CORE_METRICS_H
#define ARAYIS_CORE_METRICS_H

#include <stddef.h>

#include "core/buf.h"

typedef struct metrics metrics;

/* A gauge's current value, computed when /metrics is scraped. */
typedef double (*metrics_gauge_fn)(void *ctx);

/* Creates the registry for nroutes routes named by route_names (patterns; kept, not copied).
   One extra slot counts unmatched requests. Returns NULL when out of memory. */
metrics *metrics_new(const char *const *route_names, size_t nroutes);
void metrics_free(metrics *m);

/* Records one answered request; route_index == nroutes means unmatched. Thread-safe, lock-free. */
void metrics_observe_request(metrics *m, size_t route_index, int status, double seconds);

/* Registers a counter (name and help are static strings). Returns its id (≥ 0) or -1 when full.
   Registration happens at start-up, before any thread observes. */
int metrics_counter(metrics *m, const char *name, const char *help);

/* Adds n to a counter. Thread-safe. */
void metrics_add(metrics *m, int counter_id, unsigned long n);

/* Registers a gauge computed by fn(ctx) at scrape time. Returns 0, or -1 when full. */
int metrics_gauge(metrics *m, const char *name, const char *help, metrics_gauge_fn fn, void *ctx);

/* Appends the Prometheus text exposition to out. Returns 0 or -1 (out of memory). */
int metrics_render(metrics *m, buf *out);

#endif
