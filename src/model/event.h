/* Portal events: what happened to an application that a portal follows, delivered to its webhook and readable as a
   feed. An event carries no personal data beyond what the portal itself sent. */
#ifndef ARAYIS_MODEL_EVENT_H
#define ARAYIS_MODEL_EVENT_H

#include <time.h>

#include "model/apikey.h"

typedef enum event_type {
    EVENT_APPLICATION_ISSUED,
    EVENT_APPLICATION_REJECTED,
    EVENT_APPLICATION_SMS_SENT,
    EVENT_APPLICATION_SMS_FAILED,
    EVENT_CERTIFICATE_REVOKED,
    EVENT_TYPE_COUNT,
} event_type;

/* Where an event stands with its webhook: NONE when its key has no webhook (feed only). */
typedef enum event_delivery {
    DELIVERY_NONE,
    DELIVERY_PENDING,
    DELIVERY_DELIVERED,
    DELIVERY_FAILED,
    DELIVERY_COUNT,
} event_delivery;

#define EVENT_ID_MAX 31                  /* "evt_" + a 26-character ULID */
#define EVENT_PAYLOAD_MAX 2047           /* the longest payload is far below: ids, a reference of 64, a number */

/* An event as stored, with its delivery state. */
typedef struct event_record {
    long long seq;                       /* the feed's cursor: increasing in the order events were written */
    char event_id[EVENT_ID_MAX + 1];
    long long api_key_id;
    char application_id[32];
    event_type type;
    char payload[EVENT_PAYLOAD_MAX + 1]; /* the JSON body delivered and listed */
    time_t created_at;
    event_delivery delivery;
    int attempts;
    long long next_attempt_ms;
    char last_error[256];
} event_record;

/* "application.issued", … ↔ type; unknown text gives EVENT_TYPE_COUNT. */
const char *event_type_name(event_type type);
event_type event_type_parse(const char *text);

/* "none", "pending", "delivered", "failed" ↔ delivery; unknown text gives DELIVERY_COUNT. */
const char *event_delivery_name(event_delivery delivery);
event_delivery event_delivery_parse(const char *text);

#endif
