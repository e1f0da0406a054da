/* Building the contract's JSON bodies from the model's applications and certificates. */
#include "api/views.h"

#include <time.h>

#include "core/money.h"
#include "core/timeutil.h"
#include "model/links.h"

static json_t *json_time(time_t t)
{
    char text[TIME_TEXT_MAX];
    return json_string(time_format_rfc3339(t, text));
}

json_t *view_debt(int64_t qepik, time_t as_of)
{
    char amount[MONEY_TEXT_MAX];
    return json_pack("{s:b, s:s, s:s, s:o}", "has_debt", qepik > 0, "amount", money_format_api(qepik, amount),
                     "currency", "AZN", "as_of", json_time(as_of));
}

json_t *view_certificate(const certificate_row *c, const char *base_url, time_t now)
{
    buf pdf_url = BUF_INIT, verify_url = BUF_INIT;
    int revoked = c->revoked_at != 0;
    json_t *v = NULL, *revoked_at = revoked ? json_time(c->revoked_at) : NULL;
    if ((revoked && revoked_at == NULL) || links_pdf_url(&pdf_url, base_url, c->number, c->code) != 0 ||
        links_verify_url(&verify_url, base_url, c->number, c->code) != 0) {
        json_decref(revoked_at);
        goto out;
    }
    v = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o*, s:s*}", "number", c->number,
                  "verification_code", c->code, "issued_at", json_time(c->issued_at), "valid_until",
                  json_time(c->valid_until), "sha256", c->sha256, "signature_level", signature_level_name(c->level), "pdf_url", buf_cstr(&pdf_url), "verify_url",
                  buf_cstr(&verify_url), "status", certificate_status_name(certificate_verdict(c, now)), "application_id",
                  c->application_id, "revoked_at", revoked_at, "revocation_reason",
                  revoked ? c->revocation_reason : NULL);
out:
    buf_free(&pdf_url);
    buf_free(&verify_url);
    return v;
}

static json_t *view_history(const application_history *h)
{
    json_t *history = json_array();
    for (size_t i = 0; history != NULL && i < h->count; i++) {
        json_t *event = json_pack("{s:s, s:o}", "status", h->items[i].status, "at", json_time(h->items[i].at));
        if (json_array_append_new(history, event) != 0) {
            json_decref(history);
            history = NULL;
        }
    }
    return history;
}

json_t *view_application(const application_details *details, const char *base_url)
{
    const application_row *row = &details->application;
    const char *rejection = application_rejection_name(row->rejection);
    json_t *debt = row->has_debt ? view_debt(row->debt_qepik, row->debt_as_of) : NULL;
    json_t *rejected = rejection ? json_pack("{s:s}", "code", rejection) : NULL;
    json_t *certificate = details->has_certificate ? view_certificate(&details->certificate, base_url, time(NULL)) : NULL;
    if ((row->has_debt && debt == NULL) || (rejection && rejected == NULL) ||
        (details->has_certificate && certificate == NULL)) {
        json_decref(debt);
        json_decref(rejected);
        json_decref(certificate);
        return NULL;
    }
    return json_pack("{s:s, s:s, s:o, s:s, s:s, s:s*, s:o*, s:o*, s:o*, s:o}", "application_id", row->id, "status",
                     application_status_name(row->status), "submitted_at", json_time(row->submitted_at),
                     "subscriber_type", billing_type_name(row->non_residential), "subscriber_code",
                     row->subscriber_code, "portal_reference", row->portal_reference[0] ? row->portal_reference : NULL,
                     "debt", debt, "rejection", rejected, "certificate", certificate, "history",
                     view_history(&details->history));
}
