/* Bearer-key authentication and role checks for /api/ handlers. */
#ifndef ARAYIS_API_AUTH_H
#define ARAYIS_API_AUTH_H

#include "api/app.h"
#include "http/http.h"
#include "model/apikey.h"

#define AUTH_ROLE(r) (1u << (r))

/* Finds the key of the Authorization header (access_find_key), then takes one request from the key's
   rate limit (a->api_limit, by key id, whatever the header's spelling). On success fills key and returns 0.
   Otherwise writes into res and returns -1: 401 unauthorized (no or unknown key), 429 rate_limited with
   Retry-After (the key over its limit, or the client address over its failed authentications,
   a->auth_failure_limit, in place of the 401), 403 forbidden (role not in roles_mask) or 503 (store down). */
int auth_require(app *a, const http_request *req, http_response *res, unsigned roles_mask, apikey_row *key);

#endif
