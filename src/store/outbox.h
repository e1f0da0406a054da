/* The SMS outbox: messages written in the same transaction as what they announce, drained by the sender. */
#ifndef ARAYIS_STORE_OUTBOX_H
#define ARAYIS_STORE_OUTBOX_H

#include <time.h>

#include "store/db.h"

/* Bytes of an SMS text: the longest template with the longest public_base_url (255 bytes) stays far below. */
#define OUTBOX_BODY_MAX 1023

/* A queued message. Every text has a fixed format or a bound its writer keeps (last_error comes from the sender's
   256-byte buffer); a longer stored text is refused on reading (STORE_ERR_TOO_LONG), never cut. */
typedef struct outbox_message {
    long long id;
    char reference[64];              /* unique; the gateway's idempotency key */
    char application_id[32];
    char recipient[16];              /* +994XXXXXXXXX */
    char body[OUTBOX_BODY_MAX + 1];
    char status[8];                  /* pending, sent, failed */
    int attempts;
    long long next_attempt_ms;       /* Unix time in milliseconds */
    time_t created_at;
    char last_error[256];
} outbox_message;

/* Queues a message due now. Returns 0 or -1 (STORE_ERR_CONSTRAINT for a reference already queued,
   STORE_ERR_TOO_LONG for a body over OUTBOX_BODY_MAX bytes). */
int outbox_enqueue(db *d, const char *reference, const char *application_id, const char *recipient,
                   const char *body, time_t now, err *e);

/* Loads up to max pending messages due at now_ms, oldest first. Returns how many, or -1 (STORE_ERR_TOO_LONG for a
   stored text over its buffer). */
int outbox_due(db *d, long long now_ms, outbox_message *out, int max, err *e);

/* Records a delivery attempt: status "sent", "failed" or "pending" (then due again at next_ms), with
   the attempt count and last error; a sent or failed message also gets its application history entry
   (sms_sent / sms_failed). Call inside a transaction. Returns 0 or -1. */
int outbox_record_attempt(db *d, const outbox_message *m, const char *status, long long next_ms, const char *error,
                          time_t now, err *e);

/* Calls fn for each message with the given status (all when status is NULL), newest first, at most limit. */
int outbox_each(db *d, const char *status, int limit, void (*fn)(const outbox_message *m, void *ctx), void *ctx, err *e);

/* Puts a failed message back in the queue, due now. Returns 1 done, 0 no such failed message, -1 error. */
int outbox_retry(db *d, long long id, long long now_ms, err *e);

/* When the next pending message is due (milliseconds), or 0 when none is pending. Returns 0 or -1. */
int outbox_next_due_ms(db *d, long long *due_ms, err *e);

/* The number of pending messages and the creation time of the oldest (0 when none). Returns 0 or -1. */
int outbox_pending_stats(db *d, long long *count, time_t *oldest, err *e);

#endif
