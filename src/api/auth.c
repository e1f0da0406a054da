/* Bearer authentication: the presented key is hashed and looked up; the clear key goes nowhere else. */
#include "api/auth.h"

#include <string.h>
#include <strings.h>

#include "api/respond.h"

/* Returns the key text after "Bearer ", or NULL. */
static const char *bearer_token(const http_request *req)
{
    const char *h = http_request_header(req, "Authorization");
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h && strlen(h) <= 256 ? h : NULL;
}

int auth_require(app *a, const http_request *req, http_response *res, unsigned roles_mask, apikey_row *key)
{
    const char *token = bearer_token(req);
    if (token == NULL) {
        api_error(res, 401, "unauthorized", "an API key is required (Authorization: Bearer <key>)");
        return -1;
    }
    char hash[SHA256_HEX_LEN + 1];
    apikey_hash(token, hash);
    err e = {0};
    db *d = store_db(a->store, &e);
    int found = d ? apikeys_find_active(d, hash, key, &e) : -1;
    if (found < 0) {
        api_store_failed(res, &e);
        return -1;
    }
    if (found == 0) {
        api_error(res, 401, "unauthorized", "unknown or revoked API key");
        return -1;
    }
    if ((roles_mask & AUTH_ROLE(key->role)) == 0) {
        api_error(res, 403, "forbidden", "this key's role may not do this");
        return -1;
    }
    return 0;
}
