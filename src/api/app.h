/* What every handler shares: the settings, the store, the metrics, and the issuing machinery. */
#ifndef ARAYIS_API_APP_H
#define ARAYIS_API_APP_H

#include "core/config.h"
#include "api/web.h"
#include "crypto/keyring.h"
#include "service/issue.h"
#include "core/metrics.h"
#include "http/ratelimit.h"
#include "service/sms_delivery.h"
#include "store/store.h"

typedef struct app {
    config cfg;
    store *store;
    metrics *metrics;
    issuer issuer;                   /* points into this struct and the objects below */
    pdf_renderer *renderer;
    signer *signer;
    keyring *keyring;
    sms_messages *messages;
    web_pages *web;
    sms_sender *sender;
    ratelimit *public_limit;
    ratelimit *api_limit;            /* per API key, taken once the key is known */
    ratelimit *auth_failure_limit;   /* failed authentications per client address */
    int counter_issued;              /* metrics counter ids */
    int counter_rejected;
    int counter_sms_queued;
    int counter_void;
} app;

#endif
