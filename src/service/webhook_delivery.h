/* The webhook deliverer: one thread that posts each portal's pending events to its webhook, signed with the key's
   webhook secret, in order per application, retried with back-off and jitter for ARAYIS_WEBHOOK_RETRY_HOURS. */
#ifndef ARAYIS_SERVICE_WEBHOOK_DELIVERY_H
#define ARAYIS_SERVICE_WEBHOOK_DELIVERY_H

#include "core/config.h"
#include "core/metrics.h"
#include "store/store.h"

typedef struct webhook_deliverer webhook_deliverer;

/* Starts the thread and registers its counters and gauge. cfg, s and m must outlive it. Returns NULL with e set. */
webhook_deliverer *webhook_deliverer_start(const config *cfg, store *s, metrics *m, err *e);

/* Wakes the thread to look for due events now (after a change recorded some). w may be NULL. */
void webhook_deliverer_wake(webhook_deliverer *w);

/* Stops the thread after the event in hand and frees w. w may be NULL. */
void webhook_deliverer_stop(webhook_deliverer *w);

#endif
