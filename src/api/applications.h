/* The applications resource, for portal backends. */
#ifndef ARAYIS_API_APPLICATIONS_H
#define ARAYIS_API_APPLICATIONS_H

#include "http/http.h"

/* POST /api/v1/applications (role portal): validate, check the debt, issue; 201, 200 (replay), 4xx. */
void applications_post(void *ctx, http_request *req, http_response *res);

/* GET /api/v1/applications/{id} (role portal, own applications only; another key's answers 404 like an unknown id). */
void applications_get(void *ctx, http_request *req, http_response *res);

#endif
