/* Accessors for request headers and query arguments (from the request's copy of them), and response headers. */
#include "http/http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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

void http_response_header(http_response *res, const char *name, const char *value)
{
    if (res->nheaders == HTTP_MAX_HEADERS)
        return;
    http_header *h = &res->headers[res->nheaders++];
    h->name = name;
    snprintf(h->value, sizeof h->value, "%s", value);
}
