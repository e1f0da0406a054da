/* Health and metrics handlers. */
#include "api/health.h"

#include "api/app.h"
#include "api/respond.h"
#include "core/addrlist.h"

static const char SQL_PING[] = "SELECT count(*) FROM api_keys";

void health_get(void *ctx, http_request *req, http_response *res)
{
    (void)req;
    app *a = ctx;
    err e = {0};
    db *d = store_db(a->svc->store, &e);
    sqlite3_stmt *st = d ? db_stmt(d, SQL_PING, &e) : NULL;
    int ok = st && sqlite3_step(st) == SQLITE_ROW;
    if (st)
        sqlite3_reset(st);
    http_response_header(res, "Cache-Control", "no-store");
    api_json(res, ok ? 200 : 503, json_pack("{s:s}", "status", ok ? "ok" : "unavailable"));
}

void metrics_get(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    if (!addrlist_contains(a->cfg.metrics_allow, req->client_ip)) {
        res->status = 403;
        buf_puts(&res->body, "metrics are served only to the addresses in ARAYIS_METRICS_ALLOW\n");
        return;
    }
    res->status = 200;
    metrics_render(a->svc->metrics, &res->body);
}
