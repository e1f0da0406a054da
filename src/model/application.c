/* Validation of portal applications and their check against the subscriber's billing record. */
#include "model/application.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "model/validate.h"

#define APPLICATION_ADDRESS_MAX 300
#define APPLICATION_ORG_NAME_MAX 200
#define APPLICATION_DOCUMENT_MAX 32

static const char *validate_reference(const char *in, char out[APPLICATION_REFERENCE_MAX + 1])
{
    out[0] = '\0';
    if (in == NULL)
        return NULL;
    size_t n = strlen(in);
    if (n == 0 || n > APPLICATION_REFERENCE_MAX)
        return "must be 1-64 characters";
    if (strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:/") != n)
        return "may contain only letters, digits and - _ . : /";
    memcpy(out, in, n + 1);
    return NULL;
}

static const char *validate_document(const char *in, char **out)
{
    *out = NULL;
    if (in == NULL)
        return NULL;
    size_t n = strlen(in);
    if (n == 0 || n > APPLICATION_DOCUMENT_MAX ||
        strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != n)
        return "must be 1-32 letters and digits";
    *out = strdup(in);
    return *out ? NULL : "out of memory";
}

/* Joins the validated name parts as "Last First Patronymic" into a->full_name. */
static void validate_names(const application_input *in, application *a, field_errors *errs)
{
    char *last = NULL, *first = NULL, *patronymic = NULL;
    int bad = field_errors_check(errs, "applicant.last_name", validate_name(in->last_name, &last));
    bad |= field_errors_check(errs, "applicant.first_name", validate_name(in->first_name, &first));
    if (in->patronymic != NULL)
        bad |= field_errors_check(errs, "applicant.patronymic", validate_name(in->patronymic, &patronymic));
    if (!bad) {
        buf full = BUF_INIT;
        buf_printf(&full, "%s %s%s%s", last, first, patronymic ? " " : "", patronymic ? patronymic : "");
        a->full_name = (char *)buf_detach(&full, NULL);
    }
    free(last);
    free(first);
    free(patronymic);
}

static void validate_organization(const application_input *in, application *a, field_errors *errs)
{
    if (!a->non_residential)
        return;
    if (in->org_voen == NULL && in->org_name == NULL) {
        field_errors_add(errs, "organization", "is required for non_residential subscribers");
        return;
    }
    field_errors_check(errs, "organization.voen", validate_digits(in->org_voen, 10, 10, a->org_voen, sizeof a->org_voen));
    field_errors_check(errs, "organization.name", validate_text(in->org_name, 1, APPLICATION_ORG_NAME_MAX, &a->org_name));
}

int application_validate(const application_input *in, time_t now, application *out, field_errors *errs)
{
    size_t before = errs->count;
    memset(out, 0, sizeof *out);
    field_errors_check(errs, "portal_reference", validate_reference(in->portal_reference, out->portal_reference));
    if (billing_type_parse(in->subscriber_type, &out->non_residential) != 0)
        field_errors_add(errs, "subscriber_type", "must be residential or non_residential");
    field_errors_check(errs, "subscriber_code",
            validate_digits(in->subscriber_code, 6, 16, out->subscriber_code, sizeof out->subscriber_code));
    field_errors_check(errs, "applicant.fin", validate_fin(in->fin, out->fin));
    validate_names(in, out, errs);
    field_errors_check(errs, "applicant.birth_date", validate_birth_date(in->birth_date, now, out->birth_date));
    field_errors_check(errs, "applicant.id_document", validate_document(in->id_document, &out->id_document));
    field_errors_check(errs, "applicant.address", validate_text(in->address, 0, APPLICATION_ADDRESS_MAX, &out->address));
    validate_organization(in, out, errs);
    field_errors_check(errs, "contact.mobile", validate_mobile(in->mobile, out->mobile));
    field_errors_check(errs, "contact.email", validate_email(in->email, &out->email));
    if (errs->count == before)
        return 0;
    application_free(out);
    return -1;
}

void application_free(application *a)
{
    free(a->full_name);
    free(a->id_document);
    free(a->address);
    free(a->org_name);
    free(a->email);
    a->full_name = a->id_document = a->address = a->org_name = a->email = NULL;
}

application_match application_check_owner(const application *a, const billing_record *r)
{
    if (a->non_residential != r->non_residential)
        return MATCH_TYPE_DIFFERS;
    const char *mine = a->non_residential ? a->org_voen : a->fin;
    const char *theirs = a->non_residential ? r->owner_voen : r->owner_fin;
    return theirs[0] != '\0' && strcmp(mine, theirs) == 0 ? MATCH_OK : MATCH_OWNER_DIFFERS;
}
