/* Building the contract's JSON bodies from stored rows. */
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

const char *view_certificate_status(const certificate_row *c, time_t now)
{
    if (c->revoked_at != 0)
        return "revoked";
    return now >= c->valid_until ? "expired" : "valid";
}

json_t *view_certificate(const certificate_row *c, const char *base_url, time_t now)
{
    buf pdf_url = BUF_INIT, verify_url = BUF_INIT;
    links_pdf_url(&pdf_url, base_url, c->number, c->code);
    links_verify_url(&verify_url, base_url, c->number, c->code);
    json_t *v = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s}", "number", c->number, "verification_code",
                          c->code, "issued_at", json_time(c->issued_at), "valid_until", json_time(c->valid_until),
                          "sha256", c->sha256, "pdf_url", buf_cstr(&pdf_url), "verify_url", buf_cstr(&verify_url),
                          "status", view_certificate_status(c, now), "application_id", c->application_id);
    if (v != NULL && c->revoked_at != 0) {
        json_object_set_new(v, "revoked_at", json_time(c->revoked_at));
        json_object_set_new(v, "revocation_reason", json_string(c->revocation_reason));
    }
    buf_free(&pdf_url);
    buf_free(&verify_url);
    return v;
}

static void append_event(const char *status, time_t at, void *ctx)
{
    json_array_append_new(ctx, json_pack("{s:s, s:o}", "status", status, "at", json_time(at)));
}

json_t *view_application(db *d, const application_row *row, const char *base_url, err *e)
{
    json_t *history = json_array();
    certificate_row cert;
    int has_cert = certificates_find_by_application(d, row->id, &cert, e);
    if (has_cert < 0 || application_events_each(d, row->id, append_event, history, e) != 0) {
        json_decref(history);
        return NULL;
    }
    json_t *v = json_pack("{s:s, s:s, s:o, s:s, s:s}", "application_id", row->id, "status", row->status,
                          "submitted_at", json_time(row->submitted_at), "subscriber_type",
                          row->non_residential ? "non_residential" : "residential", "subscriber_code",
                          row->subscriber_code);
    if (row->portal_reference[0])
        json_object_set_new(v, "portal_reference", json_string(row->portal_reference));
    if (row->has_debt)
        json_object_set_new(v, "debt", view_debt(row->debt_qepik, row->debt_as_of));
    if (row->rejection_code[0])
        json_object_set_new(v, "rejection", json_pack("{s:s}", "code", row->rejection_code));
    if (has_cert && cert.sha256[0])
        json_object_set_new(v, "certificate", view_certificate(&cert, base_url, time(NULL)));
    json_object_set_new(v, "history", history);
    return v;
}
