/* A queued SMS message: what the outbox holds and a transport sends. */
#ifndef ARAYIS_MODEL_SMS_H
#define ARAYIS_MODEL_SMS_H

#include <time.h>

#include "model/application.h"

/* Bytes of an SMS text: the longest template with the longest public_base_url (255 bytes) stays far below. */
#define OUTBOX_BODY_MAX 1023

/* Where a queued message stands; stored by name in sms_outbox.status. */
typedef enum sms_status {
    SMS_PENDING,     /* waiting for its next attempt */
    SMS_SENT,        /* the gateway acknowledged it */
    SMS_FAILED,      /* given up on (an operator may queue it again) */
} sms_status;

/* The stored name of a status: "pending", "sent" or "failed". */
const char *sms_status_name(sms_status status);

/* The status named text. Returns 0, or -1 for a text that names none (out untouched). */
int sms_status_parse(const char *text, sms_status *out);

/* A queued message. Every text has a fixed format or a bound its writer keeps (last_error comes from the sender's
   256-byte buffer); a longer stored text is refused on reading (ERR_TOO_LONG), never cut. */
typedef struct outbox_message {
    long long id;
    char reference[64];              /* unique; the gateway's idempotency key */
    char application_id[32];
    char recipient[16];              /* +994XXXXXXXXX */
    char body[OUTBOX_BODY_MAX + 1];
    sms_status status;
    int attempts;
    long long next_attempt_ms;       /* Unix time in milliseconds */
    time_t created_at;
    char last_error[256];
    /* The message's application as its portal event names it, read with the message by outbox_due: */
    int has_application;             /* 1 when it has one (0: none, or not read) */
    long long api_key_id;            /* the portal's key */
    char portal_reference[APPLICATION_REFERENCE_MAX + 1];   /* "" when none */
} outbox_message;

#endif
