/* The SMS sender: one thread that drains the outbox through a transport, with exponential back-off and
   jitter, a Retry-After floor, and a final "failed" after the configured number of attempts. */
#ifndef ARAYIS_SERVICE_SMS_DELIVERY_H
#define ARAYIS_SERVICE_SMS_DELIVERY_H

#include "core/config.h"
#include "core/metrics.h"
#include "store/store.h"

typedef struct sms_sender sms_sender;

/* Starts the thread. cfg, store and m must outlive the sender. Returns NULL with e set. */
sms_sender *sms_sender_start(const config *cfg, store *s, metrics *m, err *e);

/* Wakes the thread to look at the outbox now (after a message was queued). */
void sms_sender_wake(sms_sender *snd);

/* Stops the thread after the message in hand and frees the sender. */
void sms_sender_stop(sms_sender *snd);


#endif
