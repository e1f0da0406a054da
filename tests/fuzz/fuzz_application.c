/* Fuzzes the application intake path: bytes → JSON → typed fields → validated application. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "api/json_fields.h"
#include "model/application.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        return 0;
    }
    field_errors errs = {0};
    json_t *applicant = json_field_object(root, "applicant", "applicant", &errs);
    json_t *organization = json_field_object(root, "organization", "organization", &errs);
    json_t *contact = json_field_object(root, "contact", "contact", &errs);
    application_input in = {
        json_field_string(root, "portal_reference", "portal_reference", &errs),
        json_field_string(root, "subscriber_type", "subscriber_type", &errs),
        json_field_string(root, "subscriber_code", "subscriber_code", &errs),
        json_field_string(applicant, "fin", "applicant.fin", &errs),
        json_field_string(applicant, "last_name", "applicant.last_name", &errs),
        json_field_string(applicant, "first_name", "applicant.first_name", &errs),
        json_field_string(applicant, "patronymic", "applicant.patronymic", &errs),
        json_field_string(applicant, "birth_date", "applicant.birth_date", &errs),
        json_field_string(applicant, "id_document", "applicant.id_document", &errs),
        json_field_string(applicant, "address", "applicant.address", &errs),
        json_field_string(organization, "voen", "organization.voen", &errs),
        json_field_string(organization, "name", "organization.name", &errs),
        json_field_string(contact, "mobile", "contact.mobile", &errs),
        json_field_string(contact, "email", "contact.email", &errs),
    };
    application a;
    if (application_validate(&in, 1795597200, &a, &errs) == 0)
        application_free(&a);
    json_decref(json_from_field_errors(&errs));
    json_decref(root);
    return 0;
}
