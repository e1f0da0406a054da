/* POST and GET of applications: JSON in and out around the issuing workflow. */
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

/* SHA-256 of the body's canonical form (sorted keys, compact), so formatting does not change identity. */
static void request_fingerprint(json_t *body, char out[SHA256_HEX_LEN + 1])
{
    char *canonical = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    hash_sha256_hex(canonical ? canonical : "", canonical ? strlen(canonical) : 0, out);
    free(canonical);
}

/* Parses and validates the body; writes the 4xx answer and returns -1 when it is not a valid application. */
static int read_application(const http_request *req, http_response *res, application *a, char sha[SHA256_HEX_LEN + 1])
{
    json_t *body = api_read_json(req, res);
    if (body == NULL)
        return -1;
    field_errors errs = {0};
    application_input in = {0};
    read_input(body, &in, &errs);
    int valid = application_validate(&in, time(NULL), a, &errs) == 0;
    if (valid && errs.count > 0) /* a wrong-typed optional field */
        application_free(a), valid = 0;
    if (valid)
        request_fingerprint(body, sha);
    else
        api_validation_failed(res, json_from_field_errors(&errs));
    json_decref(body);
    return valid ? 0 : -1;
}

/* 500 internal for an application whose certificate could not be made: a retry gets the same answer. */
static void answer_failed(const http_request *req, const application_row *row, http_response *res)
{
    log_printf(LOG_ERROR, "application_failed", "application %s: its certificate could not be made", row->id);
    buf message = BUF_INIT;
    buf_printf(&message, "the certificate could not be made; the application %s is recorded as failed (request id %s)",
               row->id, req->request_id);
    api_error(res, 500, "internal", buf_cstr(&message));
    buf_free(&message);
}

static void answer_with_application(app *a, const http_request *req, db *d, const char *app_id, int status,
                                    http_response *res)
{
    err e = {0};
    application_row row;
    json_t *view = NULL;
    if (applications_find(d, app_id, &row, &e) == 1)
        view = view_application(d, &row, a->cfg.public_base_url, &e);
    if (view == NULL) {
        api_fail(req, res, &e);
        return;
    }
    if (strcmp(row.status, "failed") == 0) {
        json_decref(view);
        answer_failed(req, &row, res);
        return;
    }
    if (strcmp(row.status, "rejected") == 0) {
        json_decref(view);
        if (strcmp(row.rejection_code, "subscriber_not_found") == 0)
            api_error(res, 422, "subscriber_not_found", "no billing record for that subscriber code");
        else
            api_error(res, 422, "subscriber_mismatch",
                      "the subscriber type, FIN or VÖEN does not match the billing record");
        return;
    }
    api_json(res, status, view);
}

static void answer_outcome(app *a, const http_request *req, submit_outcome outcome, const char *app_id,
                           http_response *res)
{
    err e = {0};
    db *d = store_db(a->svc->store, &e);
    if (d == NULL) {
        api_fail(req, res, &e);
        return;
    }
    switch (outcome) {
    case SUBMIT_CONFLICT:
        api_error(res, 409, "idempotency_conflict", "this portal_reference was used with a different body");
        return;
    case SUBMIT_ISSUED:
        metrics_add(a->svc->metrics, a->svc->counter_issued, 1);
        metrics_add(a->svc->metrics, a->svc->counter_sms_queued, 1);
        sms_sender_wake(a->svc->sender);
        break;
    case SUBMIT_NOT_FOUND:
    case SUBMIT_MISMATCH:
        metrics_add(a->svc->metrics, a->svc->counter_rejected, 1);
        metrics_add(a->svc->metrics, a->svc->counter_sms_queued, 1);
        sms_sender_wake(a->svc->sender);
        break;
    case SUBMIT_VOIDED:
        metrics_add(a->svc->metrics, a->svc->counter_void, 1);
        break;
    case SUBMIT_FAILED:
    case SUBMIT_REPLAYED:
        break;
    }
    answer_with_application(a, req, d, app_id, outcome == SUBMIT_ISSUED ? 201 : 200, res);
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
    char app_id[32];
    err e = {0};
    int rc = issuing_submit(&a->svc->issuer, key.id, &appl, sha, &outcome, app_id, &e);
    application_free(&appl);
    if (rc != 0)
        api_fail(req, res, &e);
    else
        answer_outcome(a, req, outcome, app_id, res);
}

void applications_get(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    apikey_row key;
    if (auth_require(a, req, res, AUTH_ROLE(ROLE_PORTAL), &key) != 0)
        return;
    err e = {0};
    db *d = store_db(a->svc->store, &e);
    application_row row;
    int found = d ? applications_find(d, req->params[0], &row, &e) : -1;
    if (found < 0) {
        api_fail(req, res, &e);
        return;
    }
    /* another key's application answers exactly like an unknown one, so that ids cannot be probed across portals */
    if (found == 0 || row.api_key_id != key.id) {
        api_error(res, 404, "not_found", "no such application");
        return;
    }
    json_t *view = view_application(d, &row, a->cfg.public_base_url, &e);
    if (view == NULL)
        api_fail(req, res, &e);
    else
        api_json(res, 200, view);
}
