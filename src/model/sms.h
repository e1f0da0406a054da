/* A queued SMS message: what the outbox holds and a transport sends. */
#ifndef ARAYIS_MODEL_SMS_H
#define ARAYIS_MODEL_SMS_H

#include <time.h>

/* Bytes of an SMS text: the longest template with the longest public_base_url (255 bytes) stays far below. */
#define OUTBOX_BODY_MAX 1023

/* A queued message. Every text has a fixed format or a bound its writer keeps (last_error comes from the sender's
   256-byte buffer); a longer stored text is refused on reading (ERR_TOO_LONG), never cut. */
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

#endif
