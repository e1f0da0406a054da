/* Certificate download and metadata handlers. */
#include "api/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "api/app.h"
#include "api/auth.h"
#include "api/json_fields.h"
#include "api/respond.h"
#include "api/views.h"
#include "model/validate.h"
#include "service/certificates.h"

void certificates_download(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    certificate_row c;
    err e = {0};
    int found = certificate_document(a->svc, req->params[0], http_request_query(req, "code"), &c, &res->body, &e);
    if (found < 0) {
        api_fail(req, res, &e);
        return;
    }
    if (found == 0) {
        api_on_error(ctx, req, res, 404);
        http_response_header(res, "Cache-Control", "no-store");
        return;
    }
    /* "attachment; filename=\"arayis-" and ".pdf\"" around a number of at most sizeof c.number - 1 bytes */
    char disposition[sizeof c.number + 40];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"arayis-%s.pdf\"", c.number);
    res->status = 200;
    res->content_type = "application/pdf";
    http_response_header(res, "Content-Disposition", disposition);
    http_response_header(res, "Cache-Control", "private, no-store");
    http_response_header(res, "Referrer-Policy", "no-referrer");
    http_response_header(res, "X-Content-Type-Options", "nosniff");
}

void certificates_get(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    apikey_row key;
    if (auth_require(a, req, res, AUTH_ROLE(ROLE_PORTAL) | AUTH_ROLE(ROLE_ADMIN), &key) != 0)
        return;
    err e = {0};
    certificate_row c;
    int found = certificate_details(a->svc, req->params[0], &key, &c, &e);
    if (found < 0)
        api_fail(req, res, &e);
    else if (found == 0)
        api_error(res, 404, "not_found", "no such certificate");
    else
        api_json(res, 200, view_certificate(&c, a->cfg.public_base_url, time(NULL)));
}

/* Reads and validates {"reason": "…", "reason_code": "…"} (1-CERTIFICATE_REASON_MAX characters; a code by name,
   unspecified when absent) into *code. Writes the 4xx answer and returns NULL when bad. */
static char *read_reason(const http_request *req, http_response *res, revocation_code *code)
{
    json_t *body = api_read_json(req, res);
    if (body == NULL)
        return NULL;
    field_errors errs = {0};
    char *reason = NULL;
    const char *text = json_field_string(body, "reason", "reason", &errs);
    const char *problem = errs.count ? NULL : validate_text(text, 1, CERTIFICATE_REASON_MAX, &reason);
    if (problem)
        field_errors_add(&errs, "reason", problem);
    json_t *named = json_object_get(body, "reason_code");
    *code = REVOCATION_UNSPECIFIED;
    if (named != NULL && (!json_is_string(named) || revocation_code_parse(json_string_value(named), code) != 0))
        field_errors_add(&errs, "reason_code", "must be unspecified, key_compromise, superseded or cessation_of_operation");
    if (errs.count) {
        api_validation_failed(res, json_from_field_errors(&errs));
        free(reason);
        reason = NULL;
    }
    json_decref(body);
    return reason;
}

void certificates_post_revoke(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    apikey_row key;
    if (auth_require(a, req, res, AUTH_ROLE(ROLE_ADMIN), &key) != 0)
        return;
    revocation_code code;
    char *reason = read_reason(req, res, &code);
    if (reason == NULL)
        return;
    err e = {0};
    certificate_row c;
    int found = certificate_revoke(a->svc, req->params[0], reason, code, key.name, &c, &e);
    free(reason);
    if (found < 0)
        api_fail(req, res, &e);
    else if (found == 0)
        api_error(res, 404, "not_found", "no such certificate");
    else
        api_json(res, 200, view_certificate(&c, a->cfg.public_base_url, time(NULL)));
}
