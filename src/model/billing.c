/* Validation of subscriber balances from the billing system (API and CSV import alike). */
#include "model/billing.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/names.h"
#include "core/timeutil.h"
#include "model/validate.h"

static const char *const type_names[] = {"residential", "non_residential"};

const char *billing_type_name(int non_residential)
{
    return type_names[non_residential != 0];
}

int billing_type_parse(const char *text, int *non_residential)
{
    int t = names_find(type_names, 2, text);
    if (t == 2)
        return -1;
    *non_residential = t;
    return 0;
}

static const char *const write_names[] = {
    [SUBSCRIBER_CREATED] = "created",
    [SUBSCRIBER_UPDATED] = "updated",
    [SUBSCRIBER_STALE] = "unchanged_stale",
};

const char *subscriber_write_name(subscriber_write w)
{
    assert((unsigned)w < sizeof write_names / sizeof write_names[0]);
    return write_names[w];
}

static void validate_owner(const billing_input *in, billing_record *out, field_errors *errs)
{
    if (out->non_residential) {
        field_errors_check(errs, "owner_voen", validate_digits(in->owner_voen, 10, 10, out->owner_voen, sizeof out->owner_voen));
        if (in->owner_fin != NULL)
            field_errors_check(errs, "owner_fin", validate_fin(in->owner_fin, out->owner_fin));
    } else {
        field_errors_check(errs, "owner_fin", validate_fin(in->owner_fin, out->owner_fin));
        if (in->owner_voen != NULL)
            field_errors_check(errs, "owner_voen", validate_digits(in->owner_voen, 10, 10, out->owner_voen, sizeof out->owner_voen));
    }
}

int billing_validate(const billing_input *in, billing_record *out, time_t now, field_errors *errs)
{
    size_t before = errs->count;
    memset(out, 0, sizeof *out);
    field_errors_check(errs, "subscriber_code",
            validate_digits(in->subscriber_code, 6, 16, out->subscriber_code, sizeof out->subscriber_code));
    if (billing_type_parse(in->subscriber_type, &out->non_residential) != 0)
        field_errors_add(errs, "subscriber_type", "must be residential or non_residential");
    validate_owner(in, out, errs);
    field_errors_check(errs, "holder_name", validate_text(in->holder_name, 1, BILLING_HOLDER_MAX, &out->holder_name));
    field_errors_check(errs, "address", validate_text(in->address, 0, BILLING_ADDRESS_MAX, &out->address));
    if (in->debt_amount == NULL || money_parse(in->debt_amount, &out->debt_qepik) != 0)
        field_errors_add(errs, "debt_amount", "must be a non-negative amount such as 1234.56");
    if (in->as_of == NULL || time_parse_rfc3339(in->as_of, &out->as_of) != 0)
        field_errors_add(errs, "as_of", "must be an RFC 3339 time such as 2026-11-25T09:00:00Z");
    else if (out->as_of > now + BILLING_AS_OF_SKEW_SECONDS)
        field_errors_add(errs, "as_of", "must not be in the future (at most 5 minutes ahead of this server's clock)");
    if (errs->count == before)
        return 0;
    billing_record_free(out);
    return -1;
}

void billing_record_free(billing_record *r)
{
    free(r->holder_name);
    free(r->address);
    r->holder_name = r->address = NULL;
}
