/* JSON answers and the contract's error bodies; reading JSON request bodies. */
#ifndef ARAYIS_API_RESPOND_H
#define ARAYIS_API_RESPOND_H

#include <jansson.h>

#include "core/err.h"
#include "http/http.h"

/* Sets status and a compact JSON body. Takes ownership of body. */
void api_json(http_response *res, int status, json_t *body);

/* {"error":{"code","message"}} with status. */
void api_error(http_response *res, int status, const char *code, const char *message);

/* 400 validation_failed listing fields, an array of {"field","message"} (taken). */
void api_validation_failed(http_response *res, json_t *fields);

/* The one mapping of an error class to an answer: a transient failure (storage, disk, network) is 503 unavailable
   with Retry-After, anything else 500 internal naming the request id. Logged with the request id, the class and
   the message (which never holds personal data). */
void api_fail(const http_request *req, http_response *res, const err *e);

/* Parses the request body as a JSON object. Writes 415 (not application/json) or 400 invalid_json and
   returns NULL when it cannot; otherwise returns a new reference the caller releases. */
json_t *api_read_json(const http_request *req, http_response *res);

/* The server's answer for refused framing (400, 414, 501), unmatched paths, wrong methods, oversized bodies
   and rate limits: the contract's JSON on /api/ paths, plain text elsewhere. */
void api_on_error(void *ctx, http_request *req, http_response *res, int status);

#endif
