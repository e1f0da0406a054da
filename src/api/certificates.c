/* Certificate download and metadata handlers. */
#include "api/certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/app.h"
#include "api/auth.h"
#include "api/json_fields.h"
#include "api/respond.h"
#include "api/views.h"
#include "crypto/hash.h"
#include "model/validate.h"
#include "model/vcode.h"
#include "service/events.h"
#include "store/applications.h"
#include "store/audit.h"
#include "store/cert_codes.h"

/* The stored code compared when no row precedes the number, and the given code compared when it is malformed: the
   comparison runs on every path. Neither can match, since a code has no '#' or '*' in it. */
_Static_assert(CERT_CODE_LEN == VCODE_LEN, "the store keeps codes of the length the domain makes");

static const char unknown_code[VCODE_LEN + 1] = "################";
static const char malformed_code[VCODE_LEN + 1] = "****************";

int certificates_lookup_with_code(app *a, const char *number, const char *code, certificate_row *c, err *e)
{
    char wanted[VCODE_LEN + 1], stored[CERT_CODE_LEN + 1];
    db *d = store_db(a->svc->store, e);
    if (d == NULL)
        return -1;
    int valid_code = code != NULL && vcode_normalize(code, wanted) == 0;
    if (!valid_code)
        memcpy(wanted, malformed_code, sizeof wanted);
    /* an unknown number and a known one with a wrong code do the same work: one read that lands on a row (the
       certificate's or its neighbour's), one comparison */
    memcpy(stored, unknown_code, sizeof stored);
    int found = cert_codes_find(d, number, stored, e);
    if (found < 0)
        return -1;
    int same = hash_equal_ct(stored, wanted, VCODE_LEN);
    if (!(same && found && valid_code))
        return 0;
    found = certificates_find(d, number, c, e);
    return found < 0 ? -1 : found == 1 && c->sha256[0];
}

void certificates_download(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    certificate_row c;
    err e = {0};
    int found = certificates_lookup_with_code(a, req->params[0], http_request_query(req, "code"), &c, &e);
    db *d = found == 1 ? store_db(a->svc->store, &e) : NULL;
    if (found == 1 && certificates_read_pdf(d, c.number, &res->body, &e) != 1)
        found = -1;
    if (found < 0) {
        api_fail(req, res, &e);
        return;
    }
    if (found == 0) {
        api_on_error(ctx, req, res, 404);
        http_response_header(res, "Cache-Control", "no-store");
        return;
    }
    char disposition[96];
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
    db *d = store_db(a->svc->store, &e);
    certificate_row c;
    application_row owner;
    int found = d ? certificates_find(d, req->params[0], &c, &e) : -1;
    if (found == 1 && key.role == ROLE_PORTAL && applications_find(d, c.application_id, &owner, &e) != 1)
        found = -1;
    if (found < 0) {
        api_fail(req, res, &e);
        return;
    }
    /* another key's certificate answers exactly like an unknown one, so that numbers cannot be probed across portals */
    if (found == 0 || c.sha256[0] == '\0' || (key.role == ROLE_PORTAL && owner.api_key_id != key.id)) {
        api_error(res, 404, "not_found", "no such certificate");
        return;
    }
    api_json(res, 200, view_certificate(&c, a->cfg.public_base_url, time(NULL)));
}

/* Reads and validates {"reason": "…"} (1-CERTIFICATE_REASON_MAX characters). Writes the 4xx answer and returns NULL when bad. */
static char *read_reason(const http_request *req, http_response *res)
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
    if (errs.count)
        api_validation_failed(res, json_from_field_errors(&errs));
    json_decref(body);
    return reason;
}

/* Revokes in one transaction with the audit entry and the history entry. Returns 1 found, 0 none, -1 error. */
static int revoke(db *d, const char *number, const char *reason, const char *actor, certificate_row *c, err *e)
{
    time_t now = time(NULL);
    int found = db_begin(d, e) == 0 ? certificates_find(d, number, c, e) : -1;
    int changed = found == 1 && c->sha256[0] ? certificates_revoke(d, number, now, reason, actor, e) : 0;
    if (changed == 1 && (audit_append(d, now, actor, "certificate.revoke", number, reason, e) != 0 ||
                         application_events_append(d, c->application_id, "revoked", now, reason, e) != 0 ||
                         events_record(d, EVENT_CERTIFICATE_REVOKED, c->application_id, number, now, e) != 0))
        changed = -1;
    if (found < 0 || changed < 0 || db_commit(d, e) != 0) {
        db_rollback(d);
        return -1;
    }
    return found == 1 && c->sha256[0] ? certificates_find(d, number, c, e) : 0;
}

void certificates_post_revoke(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    apikey_row key;
    if (auth_require(a, req, res, AUTH_ROLE(ROLE_ADMIN), &key) != 0)
        return;
    char *reason = read_reason(req, res);
    if (reason == NULL)
        return;
    err e = {0};
    db *d = store_db(a->svc->store, &e);
    certificate_row c;
    int found = d ? revoke(d, req->params[0], reason, key.name, &c, &e) : -1;
    free(reason);
    if (found < 0)
        api_fail(req, res, &e);
    else if (found == 0)
        api_error(res, 404, "not_found", "no such certificate");
    else
        api_json(res, 200, view_certificate(&c, a->cfg.public_base_url, time(NULL)));
}
