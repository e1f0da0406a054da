/* The SMS outbox: messages written in the same transaction as what they announce, drained by the sender. */
#ifndef ARAYIS_STORE_OUTBOX_H
#define ARAYIS_STORE_OUTBOX_H

#include <time.h>

#include "model/sms.h"
#include "store/db.h"


/* Queues a message due now. Returns 0 or -1 (ERR_CONFLICT for a reference already queued,
   ERR_TOO_LONG for a body over OUTBOX_BODY_MAX bytes). */
int outbox_enqueue(db *d, const char *reference, const char *application_id, const char *recipient,
                   const char *body, time_t now, err *e);

/* Loads up to max pending messages due at now_ms, oldest first. Returns how many, or -1 (ERR_TOO_LONG for a
   stored text over its buffer). */
int outbox_due(db *d, long long now_ms, outbox_message *out, int max, err *e);

/* Claims the messages ids (at most LEASE_BATCH_MAX, as outbox_due read them) that are still due at due_ms for the
   caller until until_ms: their next attempt moves there, so that no other sender (another node) reads them as due
   meanwhile, and a sender that dies leaves them due again then. Writes the ids claimed into taken; returns how
   many, or -1 with e set. */
int outbox_claim(db *d, const long long *ids, int n, long long due_ms, long long until_ms, long long *taken, err *e);

/* Records a delivery attempt: the message's new status (SMS_PENDING: due again at next_ms), the attempt count and
   the last error (NULL for none). Call inside a transaction. Returns 0 or -1 with e set. */
int outbox_record_attempt(db *d, const outbox_message *m, sms_status status, long long next_ms, const char *error,
                          time_t now, err *e);

/* Calls fn for each message with the status *status (every message when status is NULL), newest first, at most
   limit; m is valid during the call only. Returns 0, or -1 with e set (ERR_TOO_LONG for a stored text over its
   buffer, which ends the listing). */
int outbox_each(db *d, const sms_status *status, int limit, void (*fn)(const outbox_message *m, void *ctx), void *ctx,
                err *e);

/* Puts a failed message back in the queue, due now. Returns 1 done, 0 no such failed message, -1 error. */
int outbox_retry(db *d, long long id, long long now_ms, err *e);

/* When the next pending message is due (milliseconds), or 0 when none is pending. Returns 0 or -1. */
int outbox_next_due_ms(db *d, long long *due_ms, err *e);

/* The number of pending messages and the creation time of the oldest (0 when none). Returns 0 or -1. */
int outbox_pending_stats(db *d, long long *count, time_t *oldest, err *e);

#endif
