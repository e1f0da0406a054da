/* Building JSON answers and error bodies; every /api/ error goes through here. */
#include "api/respond.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"

void api_json(http_response *res, int status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(body);
    buf_free(&res->body);
    res->status = text ? status : 500;
    res->content_type = "application/json; charset=utf-8";
    if (buf_puts(&res->body, text ? text : "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}") != 0)
        res->status = 500; /* no memory for the body: the status alone must not claim success */
    free(text);
}

static json_t *error_body(const char *code, const char *message)
{
    return json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
}

void api_error(http_response *res, int status, const char *code, const char *message)
{
    api_json(res, status, error_body(code, message));
}

void api_validation_failed(http_response *res, json_t *fields)
{
    json_t *body = error_body("validation_failed", "one or more fields are missing or malformed");
    json_object_set_new(json_object_get(body, "error"), "fields", fields);
    api_json(res, 400, body);
}

/* Seconds a client is asked to wait after a transient failure. */
#define API_RETRY_AFTER_S "2"

void api_fail(const http_request *req, http_response *res, const err *e)
{
    log_write(LOG_ERROR, "request_failed", json_pack("{s:s, s:s, s:s}", "request_id", req->request_id, "class",
                                                     err_code_name(e->code), "message", e->msg));
    if (err_is_transient(e->code)) {
        api_error(res, 503, "unavailable", "the service cannot answer now, try again later");
        http_response_header(res, "Retry-After", API_RETRY_AFTER_S);
        return;
    }
    char message[sizeof "internal error (request id )" + HTTP_REQUEST_ID_LEN];
    snprintf(message, sizeof message, "internal error (request id %s)", req->request_id);
    api_error(res, 500, "internal", message);
}

/* True when the Content-Type is application/json, with or without parameters. */
static int is_json_content_type(const char *ct)
{
    if (ct == NULL)
        return 0;
    size_t n = strcspn(ct, "; \t");
    return n == strlen("application/json") && strncasecmp(ct, "application/json", n) == 0;
}

json_t *api_read_json(const http_request *req, http_response *res)
{
    if (!is_json_content_type(http_request_header(req, "Content-Type"))) {
        api_error(res, 415, "unsupported_media_type", "Content-Type must be application/json");
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        api_error(res, 400, "invalid_json", root ? "the body must be a JSON object" : "the body is not valid UTF-8 JSON");
        return NULL;
    }
    return root;
}

void api_on_error(void *ctx, http_request *req, http_response *res, int status)
{
    (void)ctx;
    static const struct { int status; const char *code, *message; } errors[] = {
        {400, "bad_request", "the request is malformed or its length is ambiguous"},
        {404, "not_found", "no such resource"},
        {405, "method_not_allowed", "this method is not allowed on this path"},
        {413, "payload_too_large", "the request body is over the limit"},
        {414, "uri_too_long", "the request target is too long or has too many query parameters"},
        {415, "unsupported_media_type", "the form must be sent as multipart/form-data"},
        {429, "rate_limited", "too many requests; try again after Retry-After seconds"},
        {501, "not_implemented", "only the chunked transfer coding is supported"},
        {503, "unavailable", "the service is busy; try again after Retry-After seconds"},
    };
    const char *code = "internal", *message = "internal error";
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].status == status)
            code = errors[i].code, message = errors[i].message;
    if (strncmp(req->path, "/api/", 5) == 0) {
        api_error(res, status, code, message);
        return;
    }
    res->status = status;
    res->content_type = "text/plain; charset=utf-8";
    if (buf_printf(&res->body, "%s\n", message) != 0)
        buf_free(&res->body); /* no memory: the status alone tells it */
}
