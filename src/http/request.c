/* Accessors for request headers and query arguments, and response headers. */
#include "http/http.h"

#include <microhttpd.h>
#include <stdio.h>

const char *http_request_header(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_request_query(const http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

void http_response_header(http_response *res, const char *name, const char *value)
{
    if (res->nheaders == HTTP_MAX_HEADERS)
        return;
    http_header *h = &res->headers[res->nheaders++];
    h->name = name;
    snprintf(h->value, sizeof h->value, "%s", value);
}
