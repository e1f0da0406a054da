/* Subscriber balances from the billing system: the raw fields, their validation, and the validated record. */
#ifndef ARAYIS_MODEL_BILLING_H
#define ARAYIS_MODEL_BILLING_H

#include <stdint.h>
#include <time.h>

#include "model/field_errors.h"

#define BILLING_HOLDER_MAX 200     /* characters of holder_name */
#define BILLING_ADDRESS_MAX 300    /* characters of address */

/* The fields as received (JSON strings or CSV cells); NULL means absent (or JSON null). */
typedef struct billing_input {
    const char *subscriber_code;
    const char *subscriber_type;
    const char *owner_fin;
    const char *owner_voen;
    const char *holder_name;
    const char *address;
    const char *debt_amount;
    const char *as_of;
} billing_input;

typedef struct billing_record {
    char subscriber_code[17];
    int non_residential;
    char owner_fin[8];          /* "" when none */
    char owner_voen[11];        /* "" when none */
    char *holder_name;          /* owned, NFC */
    char *address;              /* owned, NFC, NULL when none */
    int64_t debt_qepik;
    time_t as_of;
} billing_record;

/* How far as_of may lie ahead of the receiving clock: the billing system's clock may run a little ahead. */
#define BILLING_AS_OF_SKEW_SECONDS (5 * 60)

/* Validates every field of in (residential records need owner_fin, non-residential ones owner_voen; as_of
   at most BILLING_AS_OF_SKEW_SECONDS after now) and fills out. Returns 0, or -1 after adding every problem
   to errs (out then holds nothing to free). */
int billing_validate(const billing_input *in, billing_record *out, time_t now, field_errors *errs);

/* Frees the record's owned strings. */
void billing_record_free(billing_record *r);

/* What writing a record did: a record older (as_of) than the stored one is left out. */
typedef enum subscriber_write { SUBSCRIBER_CREATED, SUBSCRIBER_UPDATED, SUBSCRIBER_STALE } subscriber_write;

/* "created" / "updated" / "unchanged_stale" (static strings). */
const char *subscriber_write_name(subscriber_write w);

/* The subscriber type's one name table: "residential" (0) / "non_residential" (1), as in the contract and the
   database. The type is kept as the flag non_residential, since every rule asks only that question. */
const char *billing_type_name(int non_residential);

/* Sets *non_residential from a type's name. Returns 0, or -1 (nothing set) for any other text, NULL included. */
int billing_type_parse(const char *text, int *non_residential);

#endif
