/* Accessors for request headers and query arguments (from the request's copy of them), and response headers. */
#include "http/http.h"

#include <string.h>
#include <strings.h>

#include "core/log.h"

const char *http_request_header(const http_request *req, const char *name)
{
    for (size_t i = 0; i < req->nfields; i++)
        if (!req->fields[i].query && strcasecmp(req->fields[i].name, name) == 0)
            return req->fields[i].value;
    return NULL;
}

const char *http_request_query(const http_request *req, const char *name)
{
    for (size_t i = 0; i < req->nfields; i++)
        if (req->fields[i].query && strcmp(req->fields[i].name, name) == 0)
            return req->fields[i].value;
    return NULL;
}

int http_response_header(http_response *res, const char *name, const char *value)
{
    size_t len = strlen(value);
    if (res->nheaders == HTTP_MAX_HEADERS || len >= sizeof res->headers[0].value) {
        log_printf(LOG_ERROR, "response_header_dropped", "header %s (%zu bytes) does not fit the response", name, len);
        return -1;
    }
    http_header *h = &res->headers[res->nheaders++];
    h->name = name;
    memcpy(h->value, value, len + 1);
    return 0;
}

void http_response_wait(http_response *res, http_wait *w)
{
    res->wait = w;
}
