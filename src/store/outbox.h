/* The SMS outbox: messages written in the same transaction as what they announce, drained by the sender. */
#ifndef ARAYIS_STORE_OUTBOX_H
#define ARAYIS_STORE_OUTBOX_H

#include <time.h>

#include "store/db.h"

typedef struct outbox_message {
    long long id;
    char reference[64];              /* unique; the gateway's idempotency key */
    char application_id[32];
    char recipient[16];              /* +994XXXXXXXXX */
    char body[1024];
    char status[8];                  /* pending, sent, failed */
    int attempts;
    time_t next_attempt_at;
    time_t created_at;
    char last_error[256];
} outbox_message;

/* Queues a message due now. Returns 0 or -1 (STORE_ERR_CONSTRAINT for a reference already queued). */
int outbox_enqueue(db *d, const char *reference, const char *application_id, const char *recipient,
                   const char *body, time_t now, err *e);

#endif
