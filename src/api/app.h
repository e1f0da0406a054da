/* What every handler shares: the settings, the service layer, the web pages and the API rate limits. */
#ifndef ARAYIS_API_APP_H
#define ARAYIS_API_APP_H

#include "api/web.h"
#include "core/config.h"
#include "http/ratelimit.h"
#include "service/services.h"

typedef struct app {
    config cfg;
    services *svc;
    web_pages *web;
    ratelimit *public_limit;
    ratelimit *api_limit;            /* per API key, taken once the key is known */
    ratelimit *auth_failure_limit;   /* failed authentications per client address */
} app;

#endif
