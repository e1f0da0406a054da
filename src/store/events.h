/* The portal_events table: each portal's events in the order they were written, with their webhook delivery state. */
#ifndef ARAYIS_STORE_EVENTS_H
#define ARAYIS_STORE_EVENTS_H

#include <time.h>

#include "model/event.h"
#include "store/db.h"

/* Appends an event (delivery DELIVERY_PENDING when its key has a webhook, else DELIVERY_NONE), due at once. Call
   inside the transaction that makes the change it tells of. Returns 0, or -1 with e set (ERR_TOO_LONG for a payload
   over EVENT_PAYLOAD_MAX bytes, ERR_CONFLICT for an event id already used). */
int events_append(db *d, const char *event_id, long long api_key_id, const char *application_id, event_type type,
                  const char *payload, time_t now, err *e);

/* An event due for delivery, with where it goes and the secret that signs it. */
typedef struct event_job {
    event_record ev;
    char url[WEBHOOK_URL_MAX + 1];
    char secret[WEBHOOK_SECRET_MAX + 1];
} event_job;

/* Loads up to max events due for delivery at now_ms, oldest first, each the earliest pending event of its application
   (so that an application's events are delivered in order; one failed for good no longer holds the next back).
   Returns how many, or -1 with e set. */
int events_due(db *d, long long now_ms, event_job *out, int max, err *e);

/* Claims the events seqs (at most LEASE_BATCH_MAX, as events_due read them) still due at due_ms for the caller until
   until_ms (see outbox_claim: the same lease on the same kind of column). Writes the seqs claimed into taken;
   returns how many, or -1 with e set. */
int events_claim(db *d, const long long *seqs, int n, long long due_ms, long long until_ms, long long *taken, err *e);

/* Records a delivery attempt of event seq: delivered, failed for good, or pending again at next_ms, with the attempt
   count and last error (NULL when none). Returns 0 or -1. */
int events_record_attempt(db *d, long long seq, event_delivery delivery, int attempts, long long next_ms,
                          const char *error, time_t now, err *e);

/* Calls fn for up to limit events of api_key_id after cursor seq (exclusive), in order. Returns 0 or -1. */
int events_each_after(db *d, long long api_key_id, long long after, int limit,
                      void (*fn)(const event_record *ev, void *ctx), void *ctx, err *e);

/* Calls fn for up to limit events with delivery state delivery (all when DELIVERY_COUNT), newest first. */
int events_each_by_delivery(db *d, event_delivery delivery, int limit, void (*fn)(const event_record *ev, void *ctx),
                            void *ctx, err *e);

/* Puts a failed event back in the queue, due now. Returns 1 done, 0 no such failed event, -1 error. */
int events_retry(db *d, long long seq, long long now_ms, err *e);

/* When the next pending event is due (milliseconds), 0 when none is pending. Returns 0 or -1. */
int events_next_due_ms(db *d, long long *due_ms, err *e);

/* The number of events waiting for delivery. Returns 0 or -1. */
int events_pending_count(db *d, long long *count, err *e);

#endif
