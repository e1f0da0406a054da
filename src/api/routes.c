/* Every path the service answers, with its method, handler, body limit, rate limit and whether it waits on disk. */
#include "api/routes.h"

#include "api/applications.h"
#include "api/billing.h"
#include "api/certificates.h"
#include "api/events.h"
#include "api/health.h"
#include "api/log.h"
#include "api/verify.h"

static const http_route routes[] = {
    {HTTP_GET, "/healthz", health_get, 0, HTTP_LIMIT_NONE, 0},
    {HTTP_GET, "/metrics", metrics_get, 0, HTTP_LIMIT_NONE, 0},
    {HTTP_POST, "/api/v1/applications", applications_post, 0, HTTP_LIMIT_API, 1},
    {HTTP_GET, "/api/v1/applications/{id}", applications_get, 0, HTTP_LIMIT_API, 0},
    {HTTP_GET, "/api/v1/events", events_get, 0, HTTP_LIMIT_API, 0},
    {HTTP_GET, "/api/v1/certificates/{number}", certificates_get, 0, HTTP_LIMIT_API, 0},
    {HTTP_GET, "/c/{number}.pdf", certificates_download, 0, HTTP_LIMIT_PUBLIC, 0},
    {HTTP_POST, "/api/v1/certificates/{number}/revoke", certificates_post_revoke, 0, HTTP_LIMIT_API, 1},
    {HTTP_PUT, "/api/v1/billing/subscribers/{code}", billing_put_subscriber, 0, HTTP_LIMIT_API, 1},
    {HTTP_GET, "/v", verify_form, 0, HTTP_LIMIT_PUBLIC, 0},
    {HTTP_GET, "/v/{number}", verify_page, 0, HTTP_LIMIT_PUBLIC, 0},
    {HTTP_POST, "/v/pdf", verify_pdf_form, 1, HTTP_LIMIT_PUBLIC, 0},
    {HTTP_POST, "/api/v1/verify/pdf", verify_pdf_api, 1, HTTP_LIMIT_PUBLIC, 0},
    {HTTP_GET, "/api/v1/keys", verify_keys, 0, HTTP_LIMIT_PUBLIC, 0},
    {HTTP_GET, "/api/v1/log/checkpoint", log_checkpoint_get, 0, HTTP_LIMIT_PUBLIC, 0},
    {HTTP_GET, "/api/v1/log/entries", log_entries_get, 0, HTTP_LIMIT_PUBLIC, 0},
    {HTTP_GET, "/api/v1/log/proof/inclusion", log_inclusion_get, 0, HTTP_LIMIT_PUBLIC, 0},
    {HTTP_GET, "/api/v1/log/proof/consistency", log_consistency_get, 0, HTTP_LIMIT_PUBLIC, 0},
};

#define NROUTES (sizeof routes / sizeof routes[0])

static const char *route_names[NROUTES];

const http_route *api_routes(size_t *count)
{
    *count = NROUTES;
    return routes;
}

const char *const *api_route_names(void)
{
    for (size_t i = 0; i < NROUTES; i++)
        route_names[i] = routes[i].pattern;
    return route_names;
}
