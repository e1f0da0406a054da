/* PUT /api/v1/billing/subscribers/{code}. */
#include "api/billing.h"

#include <time.h>

#include "api/app.h"
#include "api/auth.h"
#include "api/json_fields.h"
#include "api/respond.h"
#include "core/money.h"
#include "core/timeutil.h"
#include "service/billing.h"

static void read_input(json_t *body, const char *code, billing_input *in, field_errors *errs)
{
    in->subscriber_code = code;
    in->subscriber_type = json_field_string(body, "subscriber_type", "subscriber_type", errs);
    in->owner_fin = json_field_string(body, "owner_fin", "owner_fin", errs);
    in->owner_voen = json_field_string(body, "owner_voen", "owner_voen", errs);
    in->holder_name = json_field_string(body, "holder_name", "holder_name", errs);
    in->address = json_field_string(body, "address", "address", errs);
    in->debt_amount = json_field_string(body, "debt_amount", "debt_amount", errs);
    in->as_of = json_field_string(body, "as_of", "as_of", errs);
}

static json_t *record_json(const billing_record *r, subscriber_write result)
{
    char amount[MONEY_TEXT_MAX], as_of[TIME_TEXT_MAX];
    return json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s?, s:s, s:s, s:s, s:s}", "subscriber_code", r->subscriber_code,
                     "subscriber_type", billing_type_name(r->non_residential), "owner_fin",
                     r->owner_fin[0] ? r->owner_fin : NULL, "owner_voen", r->owner_voen[0] ? r->owner_voen : NULL,
                     "holder_name", r->holder_name, "address", r->address, "debt_amount",
                     money_format_api(r->debt_qepik, amount), "currency", "AZN", "as_of",
                     time_format_rfc3339(r->as_of, as_of), "result", subscriber_write_name(result));
}

void billing_put_subscriber(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    apikey_row key;
    if (auth_require(a, req, res, AUTH_ROLE(ROLE_BILLING), &key) != 0)
        return;
    json_t *body = api_read_json(req, res);
    if (body == NULL)
        return;
    field_errors errs = {0};
    billing_input in;
    billing_record rec;
    read_input(body, req->params[0], &in, &errs);
    int valid = billing_validate(&in, &rec, time(NULL), &errs) == 0;
    json_decref(body);
    if (valid && errs.count > 0) /* a wrong-typed optional field */
        billing_record_free(&rec), valid = 0;
    if (!valid) {
        api_validation_failed(res, json_from_field_errors(&errs));
        return;
    }
    subscriber_write result;
    err e = {0};
    if (billing_update(a->svc, &rec, &result, &e) != 0)
        api_fail(req, res, &e);
    else
        api_json(res, result == SUBSCRIBER_CREATED ? 201 : 200, record_json(&rec, result));
    billing_record_free(&rec);
}
