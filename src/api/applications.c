/* POST and GET of applications: the request JSON parsed and validated, one service call, the answer presented. */
#include "api/applications.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/app.h"
#include "api/auth.h"
#include "api/json_fields.h"
#include "api/respond.h"
#include "api/views.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "service/applications.h"

static void read_input(json_t *body, application_input *in, field_errors *errs)
{
    json_t *applicant = json_field_object(body, "applicant", "applicant", errs);
    json_t *organization = json_field_object(body, "organization", "organization", errs);
    json_t *contact = json_field_object(body, "contact", "contact", errs);
    in->portal_reference = json_field_string(body, "portal_reference", "portal_reference", errs);
    in->subscriber_type = json_field_string(body, "subscriber_type", "subscriber_type", errs);
    in->subscriber_code = json_field_string(body, "subscriber_code", "subscriber_code", errs);
    in->fin = json_field_string(applicant, "fin", "applicant.fin", errs);
    in->last_name = json_field_string(applicant, "last_name", "applicant.last_name", errs);
    in->first_name = json_field_string(applicant, "first_name", "applicant.first_name", errs);
    in->patronymic = json_field_string(applicant, "patronymic", "applicant.patronymic", errs);
    in->birth_date = json_field_string(applicant, "birth_date", "applicant.birth_date", errs);
    in->id_document = json_field_string(applicant, "id_document", "applicant.id_document", errs);
    in->address = json_field_string(applicant, "address", "applicant.address", errs);
    in->org_voen = json_field_string(organization, "voen", "organization.voen", errs);
    in->org_name = json_field_string(organization, "name", "organization.name", errs);
    in->mobile = json_field_string(contact, "mobile", "contact.mobile", errs);
    in->email = json_field_string(contact, "email", "contact.email", errs);
}

/* SHA-256 of the body's canonical form (sorted keys, compact), so formatting does not change identity.
   Returns 0, or -1 with e set when out of memory. */
static int request_fingerprint(json_t *body, char out[SHA256_HEX_LEN + 1], err *e)
{
    char *canonical = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (canonical == NULL)
        return err_set(e, ERR_NOMEM, "out of memory writing the request's canonical form");
    hash_sha256_hex(canonical, strlen(canonical), out);
    free(canonical);
    return 0;
}

/* Parses and validates the body into a (freed by the caller on success) and its fingerprint into sha. Otherwise
   writes the answer (4xx, or 500 when out of memory) and returns -1. */
static int read_application(const http_request *req, http_response *res, application *a, char sha[SHA256_HEX_LEN + 1])
{
    json_t *body = api_read_json(req, res);
    if (body == NULL)
        return -1;
    int rc = -1;
    field_errors errs = {0};
    application_input in = {0};
    read_input(body, &in, &errs);
    int valid = application_validate(&in, time(NULL), a, &errs) == 0;
    if (valid && errs.count > 0) { /* a wrong-typed optional field */
        application_free(a);
        valid = 0;
    }
    if (!valid) {
        api_validation_failed(res, json_from_field_errors(&errs));
        goto out;
    }
    err e = {0};
    if (request_fingerprint(body, sha, &e) != 0) {
        application_free(a);
        api_fail(req, res, &e);
        goto out;
    }
    rc = 0;
out:
    json_decref(body);
    return rc;
}

/* 500 internal for an application whose certificate could not be made: a retry gets the same answer. */
static void answer_failed(const http_request *req, const application_row *row, http_response *res)
{
    log_printf(LOG_ERROR, "application_failed", "application %s: its certificate could not be made", row->id);
    buf message = BUF_INIT;
    if (buf_printf(&message, "the certificate could not be made; the application %s is recorded as failed "
                   "(request id %s)", row->id, req->request_id) == 0)
        api_error(res, 500, "internal", buf_cstr(&message));
    else
        api_error(res, 500, "internal", "out of memory");
    buf_free(&message);
}

/* 422 naming why the application was rejected. */
static void answer_rejected(application_rejection why, http_response *res)
{
    if (why == REJECTION_SUBSCRIBER_NOT_FOUND)
        api_error(res, 422, application_rejection_name(why), "no billing record for that subscriber code");
    else
        api_error(res, 422, application_rejection_name(REJECTION_SUBSCRIBER_MISMATCH),
                  "the subscriber type, FIN or VÖEN does not match the billing record");
}

/* The answer to a submission: 409 for a reused reference, else as the stored application stands (201 when this
   request issued it, 200 for a replay, 422 rejected, 500 failed). */
static void answer_submission(const app *a, const http_request *req, submit_outcome outcome,
                              const application_details *details, http_response *res)
{
    const application_row *row = &details->application;
    if (outcome == SUBMIT_CONFLICT)
        api_error(res, 409, "idempotency_conflict", "this portal_reference was used with a different body");
    else if (row->status == APPLICATION_FAILED)
        answer_failed(req, row, res);
    else if (row->status == APPLICATION_REJECTED)
        answer_rejected(row->rejection, res);
    else
        api_json(res, outcome == SUBMIT_ISSUED ? 201 : 200, view_application(details, a->cfg.public_base_url));
}

void applications_post(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    apikey_row key;
    if (auth_require(a, req, res, AUTH_ROLE(ROLE_PORTAL), &key) != 0)
        return;
    application appl;
    char sha[SHA256_HEX_LEN + 1];
    if (read_application(req, res, &appl, sha) != 0)
        return;
    submit_outcome outcome;
    application_details details = {0};
    err e = {0};
    if (application_submit(a->svc, key.id, &appl, sha, &outcome, &details, &e) != 0)
        api_fail(req, res, &e);
    else
        answer_submission(a, req, outcome, &details, res);
    application_details_free(&details);
    application_free(&appl);
}

void applications_get(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    apikey_row key;
    if (auth_require(a, req, res, AUTH_ROLE(ROLE_PORTAL), &key) != 0)
        return;
    application_details details = {0};
    err e = {0};
    int found = application_get(a->svc, key.id, req->params[0], &details, &e);
    if (found < 0)
        api_fail(req, res, &e);
    else if (found == 0)
        api_error(res, 404, "not_found", "no such application");
    else
        api_json(res, 200, view_application(&details, a->cfg.public_base_url));
    application_details_free(&details);
}
