/* Operations endpoints: /healthz and /metrics. */
#ifndef ARAYIS_API_HEALTH_H
#define ARAYIS_API_HEALTH_H

#include "http/http.h"

/* GET /healthz: 200 {"status":"ok"} when the database answers, 503 otherwise. */
void health_get(void *ctx, http_request *req, http_response *res);

/* GET /metrics: Prometheus text format to the client addresses in ARAYIS_METRICS_ALLOW, 403 to others. */
void metrics_get(void *ctx, http_request *req, http_response *res);

#endif
