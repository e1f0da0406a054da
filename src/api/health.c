/* Health and metrics handlers. */
#include "api/health.h"

#include "api/app.h"
#include "api/respond.h"
#include "core/addrlist.h"
#include "service/health.h"

void health_get(void *ctx, http_request *req, http_response *res)
{
    (void)req;
    app *a = ctx;
    err e = {0};
    int ok = health_check(a->svc, &e) == 0;
    http_response_header(res, "Cache-Control", "no-store");
    api_json(res, ok ? 200 : 503, json_pack("{s:s}", "status", ok ? "ok" : "unavailable"));
}

void metrics_get(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    int allowed = addrlist_contains(a->cfg.metrics_allow, req->client_ip);
    int written = allowed ? metrics_render(services_metrics(a->svc), &res->body)
                          : buf_puts(&res->body, "metrics are served only to the addresses in ARAYIS_METRICS_ALLOW\n");
    res->status = written != 0 ? 500 : allowed ? 200 : 403;
}
