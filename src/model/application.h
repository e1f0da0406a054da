/* An application from a portal backend: its raw fields, their validation, and the check against billing data. */
#ifndef ARAYIS_MODEL_APPLICATION_H
#define ARAYIS_MODEL_APPLICATION_H

#include <time.h>

#include "model/billing.h"
#include "model/field_errors.h"

/* The fields as received; NULL means absent. */
typedef struct application_input {
    const char *portal_reference;
    const char *subscriber_type, *subscriber_code;
    const char *fin, *last_name, *first_name, *patronymic, *birth_date, *id_document, *address;
    const char *org_voen, *org_name;
    const char *mobile, *email;
} application_input;

#define APPLICATION_REFERENCE_MAX 64

typedef struct application {
    char portal_reference[APPLICATION_REFERENCE_MAX + 1];   /* "" when none */
    int non_residential;
    char subscriber_code[17];
    char fin[8];
    char *full_name;              /* "Last First Patronymic", NFC, owned */
    char birth_date[11];          /* YYYY-MM-DD */
    char *id_document;            /* owned or NULL */
    char *address;                /* owned or NULL */
    char org_voen[11];            /* "" for residential */
    char *org_name;               /* owned; NULL for residential */
    char mobile[14];              /* +994XXXXXXXXX */
    char *email;                  /* owned or NULL */
} application;

/* Validates every field (the contract's rules) as of now and fills out. Returns 0, or -1 after adding
   every problem to errs, with its field path ("applicant.fin", "contact.mobile"); out then needs no free. */
int application_validate(const application_input *in, time_t now, application *out, field_errors *errs);

/* Frees the owned strings. */
void application_free(application *a);

typedef enum application_match { MATCH_OK, MATCH_TYPE_DIFFERS, MATCH_OWNER_DIFFERS } application_match;

/* Compares the application with the subscriber's billing record: type, and FIN (residential) or VÖEN. */
application_match application_check_owner(const application *a, const billing_record *r);

#endif
