/* Bearer authentication: the presented key is looked up by the access service; rate limits and role checks. */
#include "api/auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/respond.h"
#include "service/access.h"

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

/* Takes a token from limit for client; when none is left writes 429 with Retry-After and returns -1. */
static int take_or_refuse(ratelimit *limit, const char *client, http_response *res)
{
    int wait = ratelimit_take_now(limit, client);
    if (wait == 0)
        return 0;
    char seconds[16];
    snprintf(seconds, sizeof seconds, "%d", wait);
    api_error(res, 429, "rate_limited", "too many requests; try again after Retry-After seconds");
    http_response_header(res, "Retry-After", seconds);
    return -1;
}

/* A 401, unless the client address is over its failed authentications: then a 429. */
static int refuse_unauthorized(app *a, const http_request *req, http_response *res, const char *message)
{
    if (take_or_refuse(a->auth_failure_limit, req->client_ip, res) == 0)
        api_error(res, 401, "unauthorized", message);
    return -1;
}

int auth_require(app *a, const http_request *req, http_response *res, unsigned roles_mask, apikey_row *key)
{
    const char *token = bearer_token(req);
    if (token == NULL)
        return refuse_unauthorized(a, req, res, "an API key is required (Authorization: Bearer <key>)");
    err e = {0};
    int found = access_find_key(a->svc, token, key, &e);
    if (found < 0) {
        api_fail(req, res, &e);
        return -1;
    }
    if (found == 0)
        return refuse_unauthorized(a, req, res, "unknown or revoked API key");
    char key_id[32];
    snprintf(key_id, sizeof key_id, "key:%lld", key->id);
    if (take_or_refuse(a->api_limit, key_id, res) != 0)
        return -1;
    if ((roles_mask & AUTH_ROLE(key->role)) == 0) {
        api_error(res, 403, "forbidden", "this key's role may not do this");
        return -1;
    }
    return 0;
}
