/* SMS transports: "log" writes each message to the log (number masked), "http" posts it to a gateway. */
#ifndef ARAYIS_NOTIFY_TRANSPORT_H
#define ARAYIS_NOTIFY_TRANSPORT_H

#include "core/config.h"
#include "model/sms.h"

typedef enum send_result {
    SEND_OK,          /* the gateway acknowledged the message */
    SEND_RETRY,       /* network error, time-out, 5xx or 429: try again later */
    SEND_FAIL,        /* refused for good (4xx other than 429) */
} send_result;

typedef struct sms_transport sms_transport;

/* Makes the transport cfg names. The http transport needs ARAYIS_SMS_GATEWAY_URL and sends
   ARAYIS_SMS_GATEWAY_TOKEN (environment only) as a bearer token when set. Returns NULL with e set. */
sms_transport *sms_transport_new(const config *cfg, err *e);
void sms_transport_free(sms_transport *t);

/* Sends one message. On SEND_RETRY, *retry_after_s is the gateway's Retry-After (0 when none); on
   anything but SEND_OK, error describes what happened (no personal data). */
send_result sms_transport_send(sms_transport *t, const outbox_message *m, long *retry_after_s, char *error, size_t size);

#endif
