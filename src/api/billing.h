/* The billing resource: the billing system pushes subscriber balances. */
#ifndef ARAYIS_API_BILLING_H
#define ARAYIS_API_BILLING_H

#include "http/http.h"

/* PUT /api/v1/billing/subscribers/{code} (role billing): 201 created, 200 updated or stale (unchanged). */
void billing_put_subscriber(void *ctx, http_request *req, http_response *res);

#endif
