/* The outbox-draining thread. A message is marked sent only after the gateway acknowledged it; a crash
   in between re-sends it with the same Idempotency-Key, which the gateway deduplicates. */
#include "service/sms_delivery.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/backoff.h"
#include "core/log.h"
#include "crypto/random.h"
#include "model/application_record.h"
#include "notify/transport.h"
#include "service/drainer.h"
#include "service/history.h"
#include "store/outbox.h"

#define SENDER_BATCH 32
#define SENDER_RECORD_MS 100 /* how long the results of sent messages may wait for their shared commit */
#define SENDER_MAX_BACKOFF_MS (15LL * 60 * 1000)
/* On a shared database a batch is claimed for SENDER_CLAIM_MS; no message of it is started after SENDER_CLAIM_USE_MS,
   so that the one in flight (the transport gives up after 15 s) ends before the claim does. */
#define SENDER_CLAIM_MS 30000LL
#define SENDER_CLAIM_USE_MS 10000LL

struct sms_sender {
    const config *cfg;
    store *store;
    metrics *metrics;
    sms_transport *transport;
    drainer loop;
    int sent_id, failed_id, retry_id;
};

/* The outcome of one delivery attempt, to be recorded. */
typedef struct attempt {
    const outbox_message *m;
    sms_status status;
    long long next_ms;
    char error[256];
} attempt;

static void send_one(sms_sender *snd, const outbox_message *m, attempt *a)
{
    long retry_after = 0;
    send_result result = sms_transport_send(snd->transport, m, &retry_after, a->error, sizeof a->error);
    int attempts = m->attempts + 1;
    a->m = m;
    a->status = result == SEND_OK ? SMS_SENT
                : result == SEND_FAIL || attempts >= snd->cfg->sms_max_attempts ? SMS_FAILED
                                                                                : SMS_PENDING;
    a->next_ms = backoff_now_ms() + backoff_ms(snd->cfg->sms_retry_base_ms, attempts, SENDER_MAX_BACKOFF_MS, retry_after,
                                               random_unit());
    if (result == SEND_OK)
        a->error[0] = '\0';
}

/* The message's application as its portal event names it, read with the message, in *row; NULL when it was not
   read (the event then reads it itself). */
static const application_row *owner_of(const outbox_message *m, application_row *row)
{
    if (!m->has_application)
        return NULL;
    _Static_assert(sizeof row->id == sizeof m->application_id, "the id is copied whole");
    _Static_assert(sizeof row->portal_reference == sizeof m->portal_reference, "the reference is copied whole");
    *row = (application_row){.api_key_id = m->api_key_id};
    memcpy(row->id, m->application_id, sizeof row->id);
    memcpy(row->portal_reference, m->portal_reference, sizeof row->portal_reference);
    return row;
}

typedef struct attempt_batch {
    const attempt *a;
    int n;
    time_t at;
} attempt_batch;

/* 1 with *step set when the attempt adds a step to its application's history; 0 when it adds none (to be retried,
   or a message without an application). */
static int adds_step(const attempt *a, history_step *step)
{
    *step = a->status == SMS_SENT ? HISTORY_SMS_SENT : HISTORY_SMS_FAILED;
    return a->status != SMS_PENDING && a->m->application_id[0];
}

/* The rows of the batch's own: the history steps. */
static int write_attempt_steps(db *d, void *ctx, err *e)
{
    const attempt_batch *b = ctx;
    for (int i = 0; i < b->n; i++) {
        history_step step;
        if (adds_step(&b->a[i], &step) &&
            history_append_step(d, b->a[i].m->application_id, step, b->at, b->a[i].m->reference, e) != 0)
            return -1;
    }
    return 0;
}

/* In the write order: the messages' outcomes and the portal events. */
static int write_attempts(db *d, void *ctx, err *e)
{
    const attempt_batch *b = ctx;
    for (int i = 0; i < b->n; i++) {
        const attempt *a = &b->a[i];
        application_row app;
        history_step step;
        if (outbox_record_attempt(d, a->m, a->status, a->next_ms, a->error[0] ? a->error : NULL, b->at, e) != 0)
            return -1;
        if (adds_step(a, &step) &&
            history_raise_event(d, owner_of(a->m, &app), a->m->application_id, step, b->at, NULL, e) != 0)
            return -1;
    }
    return 0;
}

/* Records n attempts in one durable write (shared with the issuing path's group commit), then counts and logs them. */
static void record(sms_sender *snd, const attempt *a, int n)
{
    err e = {0};
    attempt_batch batch = {a, n, time(NULL)};
    if (store_write_parts(snd->store, write_attempt_steps, write_attempts, &batch, &e) != 0)
        log_printf(LOG_ERROR, "sms_store_failed", "%s", e.msg);
    for (int i = 0; i < n; i++) {
        int sent = a[i].status == SMS_SENT, failed = a[i].status == SMS_FAILED;
        metrics_add(snd->metrics, sent ? snd->sent_id : failed ? snd->failed_id : snd->retry_id, 1);
        if (!sent)
            log_write(failed ? LOG_ERROR : LOG_WARN, "sms_attempt_failed",
                      json_pack("{s:s, s:i, s:s, s:s}", "reference", a[i].m->reference, "attempt", a[i].m->attempts + 1,
                                "error", a[i].error, "status", sms_status_name(a[i].status)));
    }
}

static long long message_id(const void *item)
{
    return ((const outbox_message *)item)->id;
}

/* Sends every message that is due; their results share a commit, at most SENDER_RECORD_MS after the first of
   them was sent, and stops early when t is stopping. Returns how many were handled. */
static int drain(void *owner, bgthread *t)
{
    sms_sender *snd = owner;
    err e = {0};
    db *d = store_db(snd->store, &e);
    outbox_message *batch = d ? malloc(SENDER_BATCH * sizeof *batch) : NULL;
    attempt *done = batch ? malloc(SENDER_BATCH * sizeof *done) : NULL;
    long long first = 0, claimed_at = backoff_now_ms();
    int n = done ? outbox_due(d, claimed_at, batch, SENDER_BATCH, &e) : -1, pending = 0;
    if (n > 0)
        n = drainer_claim(&snd->loop, batch, n, sizeof *batch, message_id, outbox_claim, claimed_at,
                          claimed_at + SENDER_CLAIM_MS, &e);
    for (int i = 0; i < n && !bgthread_stopping(t) && backoff_now_ms() - claimed_at < SENDER_CLAIM_USE_MS; i++) {
        first = pending == 0 ? backoff_now_ms() : first;
        send_one(snd, &batch[i], &done[pending++]);
        if (backoff_now_ms() - first >= SENDER_RECORD_MS) {
            record(snd, done, pending);
            pending = 0;
        }
    }
    if (pending > 0)
        record(snd, done, pending);
    if (n < 0)
        log_printf(LOG_ERROR, "sms_store_failed", "%s", e.msg);
    free(done);
    free(batch);
    return n;
}

/* The outbox's pending count and oldest pending time, for the gauges. Returns 0 or -1. */
static int pending_stats(void *ctx, long long *count, time_t *oldest)
{
    sms_sender *snd = ctx;
    err e = {0};
    db *d = store_db(snd->store, &e);
    return d && outbox_pending_stats(d, count, oldest, &e) == 0 ? 0 : -1;
}

static double pending_count(void *ctx)
{
    long long count = 0;
    time_t oldest = 0;
    return pending_stats(ctx, &count, &oldest) == 0 ? (double)count : -1;
}

static double oldest_pending_age(void *ctx)
{
    long long count = 0;
    time_t oldest = 0;
    if (pending_stats(ctx, &count, &oldest) != 0)
        return -1;
    return count > 0 ? difftime(time(NULL), oldest) : 0;
}

sms_sender *sms_sender_start(const config *cfg, store *s, metrics *m, err *e)
{
    sms_sender *snd = calloc(1, sizeof *snd);
    if (snd == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    if ((snd->transport = sms_transport_new(cfg, e)) == NULL) {
        free(snd);
        return NULL;
    }
    snd->cfg = cfg;
    snd->store = s;
    snd->metrics = m;
    snd->sent_id = metrics_counter(m, "arayis_sms_sent_total", "SMS messages the gateway acknowledged.");
    snd->failed_id = metrics_counter(m, "arayis_sms_failed_total", "SMS messages given up on.");
    snd->retry_id = metrics_counter(m, "arayis_sms_retries_total", "SMS delivery attempts to be retried.");
    metrics_gauge(m, "arayis_sms_outbox_pending", "SMS messages waiting in the outbox.", pending_count, snd);
    metrics_gauge(m, "arayis_sms_outbox_oldest_pending_seconds", "Age of the oldest waiting SMS message.",
                  oldest_pending_age, snd);
    snd->loop = (drainer){.store = s, .drain = drain, .batch = SENDER_BATCH, .next_due_ms = outbox_next_due_ms,
                          .owner = snd};
    if (drainer_start(&snd->loop, "SMS sender", e) != 0) {
        sms_transport_free(snd->transport);
        free(snd);
        return NULL;
    }
    return snd;
}

void sms_sender_wake(sms_sender *snd)
{
    if (snd != NULL)
        drainer_wake(&snd->loop);
}

void sms_sender_stop(sms_sender *snd)
{
    if (snd == NULL)
        return;
    drainer_stop(&snd->loop);
    sms_transport_free(snd->transport);
    free(snd);
}
