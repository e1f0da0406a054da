/* Bearer-key authentication and role checks for /api/ handlers. */
#ifndef ARAYIS_API_AUTH_H
#define ARAYIS_API_AUTH_H

#include "api/app.h"
#include "http/http.h"
#include "store/apikeys.h"

#define AUTH_ROLE(r) (1u << (r))

/* Checks the Authorization header against the stored key hashes. On success fills key and returns 0.
   Otherwise writes 401 unauthorized (no or unknown key), 403 forbidden (role not in roles_mask) or
   503 (store down) into res and returns -1. */
int auth_require(app *a, const http_request *req, http_response *res, unsigned roles_mask, apikey_row *key);

#endif
