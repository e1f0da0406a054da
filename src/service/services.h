/* The service layer as a whole: started once with the settings, the store and the metrics registry; every use case
   (issue, revoke, update billing, verify a code, verify a PDF, ...) takes it as its first argument. */
#ifndef ARAYIS_SERVICE_SERVICES_H
#define ARAYIS_SERVICE_SERVICES_H

#include "core/config.h"
#include "core/err.h"
#include "core/metrics.h"
#include "store/store.h"

typedef struct services services;

/* Loads what issuing needs (the signing key and keyring, making development keys when the keys directory has none;
   fonts and templates; SMS texts), completes interrupted issues, registers the counters and starts the SMS sender and the webhook deliverer.
   cfg, s and m are borrowed and must outlive the services. Returns NULL with e set. */
services *services_start(const config *cfg, store *s, metrics *m, err *e);

/* Stops the SMS sender and the webhook deliverer after the item in hand and frees everything services_start made. svc may be NULL. */
void services_stop(services *svc);

/* The metrics registry the services were started with (borrowed). */
metrics *services_metrics(const services *svc);

#endif
