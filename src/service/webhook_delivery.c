/* Delivering events to portal webhooks. An event is marked delivered only after the portal's 2xx; a crash in between
   delivers it again with the same Arayis-Event-Id, by which the portal drops the duplicate. */
#include "service/webhook_delivery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/backoff.h"
#include "core/log.h"
#include "crypto/apikey_secret.h"
#include "crypto/random.h"
#include "notify/http_post.h"
#include "service/drainer.h"
#include "store/events.h"

#define DELIVERY_BATCH 16
#define DELIVERY_MAX_BACKOFF_MS (60LL * 60 * 1000)
#define DELIVERY_CONNECT_TIMEOUT_MS 5000L
#define DELIVERY_TOTAL_TIMEOUT_MS 10000L
/* On a shared database a batch is claimed for DELIVERY_CLAIM_MS; no event of it is started after
   DELIVERY_CLAIM_USE_MS, so that the one in flight ends before the claim does. */
#define DELIVERY_CLAIM_MS 30000LL
#define DELIVERY_CLAIM_USE_MS 15000LL

struct webhook_deliverer {
    const config *cfg;
    store *store;
    metrics *metrics;
    drainer loop;
    int delivered_id, failed_id, retry_id;
};

/* The outcome of one delivery attempt, to be recorded. */
typedef struct attempt {
    const event_job *job;
    event_delivery delivery;
    long long next_ms;
    char error[256];
} attempt;

/* Posts one event with its signature headers. */
static post_result post_event(const event_job *job, long *retry_after, char *error, size_t size)
{
    static const post_limits limits = {DELIVERY_CONNECT_TIMEOUT_MS, DELIVERY_TOTAL_TIMEOUT_MS};
    const char *body = job->ev.payload;
    size_t len = strlen(body);
    long long t = (long long)time(NULL);
    char mac[SHA256_HEX_LEN + 1], signature[128], event_id[64];
    if (webhook_signature(job->secret, t, body, len, mac) != 0) {
        snprintf(error, size, "cannot sign the event");
        return POST_RETRY;
    }
    snprintf(signature, sizeof signature, "Arayis-Signature: t=%lld,v1=%s", t, mac);
    snprintf(event_id, sizeof event_id, "Arayis-Event-Id: %s", job->ev.event_id);
    const char *headers[] = {signature, event_id, NULL};
    return http_post_json("webhook", job->url, body, len, headers, &limits, retry_after, error, size);
}

static void deliver_one(webhook_deliverer *w, const event_job *job, attempt *a)
{
    long retry_after = 0;
    post_result result = post_event(job, &retry_after, a->error, sizeof a->error);
    int attempts = job->ev.attempts + 1;
    long long window_ms = (long long)w->cfg->webhook_retry_hours * 3600 * 1000;
    long long next = backoff_now_ms() + backoff_ms(w->cfg->webhook_retry_base_ms, attempts, DELIVERY_MAX_BACKOFF_MS,
                                           retry_after, random_unit());
    a->job = job;
    a->next_ms = next;
    if (result == POST_OK) {
        a->delivery = DELIVERY_DELIVERED;
        a->error[0] = '\0';
    } else
        a->delivery = next - (long long)job->ev.created_at * 1000 > window_ms ? DELIVERY_FAILED : DELIVERY_PENDING;
}

typedef struct attempt_batch {
    const attempt *a;
    int n;
} attempt_batch;

static int write_attempts(db *d, void *ctx, err *e)
{
    const attempt_batch *b = ctx;
    time_t now = time(NULL);
    for (int i = 0; i < b->n; i++) {
        const attempt *a = &b->a[i];
        if (events_record_attempt(d, a->job->ev.seq, a->delivery, a->job->ev.attempts + 1, a->next_ms,
                                  a->error[0] ? a->error : NULL, now, e) != 0)
            return -1;
    }
    return 0;
}

/* Records n attempts in one durable write, then counts and logs them (event ids and errors only). */
static void record(webhook_deliverer *w, const attempt *a, int n)
{
    err e = {0};
    attempt_batch batch = {a, n};
    if (store_write(w->store, write_attempts, &batch, &e) != 0)
        log_printf(LOG_ERROR, "webhook_store_failed", "%s", e.msg);
    for (int i = 0; i < n; i++) {
        event_delivery d = a[i].delivery;
        metrics_add(w->metrics, d == DELIVERY_DELIVERED ? w->delivered_id : d == DELIVERY_FAILED ? w->failed_id : w->retry_id,
                    1);
        if (d != DELIVERY_DELIVERED)
            log_write(d == DELIVERY_FAILED ? LOG_ERROR : LOG_WARN, "webhook_attempt_failed",
                      json_pack("{s:s, s:i, s:s, s:s}", "event_id", a[i].job->ev.event_id, "attempt",
                                a[i].job->ev.attempts + 1, "error", a[i].error, "delivery", event_delivery_name(d)));
    }
}

static long long job_seq(const void *item)
{
    return ((const event_job *)item)->ev.seq;
}

/* Delivers every event that is due, then records the results in one commit; stops early when t is stopping.
   Returns how many were handled. */
static int drain(void *owner, bgthread *t)
{
    webhook_deliverer *w = owner;
    err e = {0};
    db *d = store_db(w->store, &e);
    event_job *jobs = d ? malloc(DELIVERY_BATCH * sizeof *jobs) : NULL;
    attempt *done = jobs ? malloc(DELIVERY_BATCH * sizeof *done) : NULL;
    long long claimed_at = backoff_now_ms();
    int n = done ? events_due(d, claimed_at, jobs, DELIVERY_BATCH, &e) : -1, handled = 0;
    if (n > 0)
        n = drainer_claim(&w->loop, jobs, n, sizeof *jobs, job_seq, events_claim, claimed_at,
                          claimed_at + DELIVERY_CLAIM_MS, &e);
    for (; handled < n && !bgthread_stopping(t) && backoff_now_ms() - claimed_at < DELIVERY_CLAIM_USE_MS; handled++)
        deliver_one(w, &jobs[handled], &done[handled]);
    if (handled > 0)
        record(w, done, handled);
    if (n < 0)
        log_printf(LOG_ERROR, "webhook_store_failed", "%s", e.msg);
    free(done);
    free(jobs);
    return n;
}

static double pending_count(void *ctx)
{
    webhook_deliverer *w = ctx;
    err e = {0};
    long long count = 0;
    db *d = store_db(w->store, &e);
    return d && events_pending_count(d, &count, &e) == 0 ? (double)count : -1;
}

webhook_deliverer *webhook_deliverer_start(const config *cfg, store *s, metrics *m, err *e)
{
    webhook_deliverer *w = calloc(1, sizeof *w);
    if (w == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    w->cfg = cfg;
    w->store = s;
    w->metrics = m;
    w->delivered_id = metrics_counter(m, "arayis_webhooks_delivered_total", "Events the portals' webhooks acknowledged.");
    w->failed_id = metrics_counter(m, "arayis_webhooks_failed_total", "Events given up on after the retry window.");
    w->retry_id = metrics_counter(m, "arayis_webhooks_retries_total", "Webhook deliveries to be retried.");
    metrics_gauge(m, "arayis_webhooks_pending", "Events waiting for delivery to a webhook.", pending_count, w);
    w->loop = (drainer){.store = s, .drain = drain, .batch = DELIVERY_BATCH, .next_due_ms = events_next_due_ms,
                        .owner = w};
    if (drainer_start(&w->loop, "webhook deliverer", e) != 0) {
        free(w);
        return NULL;
    }
    return w;
}

void webhook_deliverer_wake(webhook_deliverer *w)
{
    if (w != NULL)
        drainer_wake(&w->loop);
}

void webhook_deliverer_stop(webhook_deliverer *w)
{
    if (w == NULL)
        return;
    drainer_stop(&w->loop);
    free(w);
}
