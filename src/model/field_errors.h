/* A list of field-level validation problems ("contact.mobile": "not an Azerbaijani mobile number"). */
#ifndef ARAYIS_MODEL_FIELD_ERRORS_H
#define ARAYIS_MODEL_FIELD_ERRORS_H

#include <stddef.h>

#define FIELD_ERRORS_MAX 32

typedef struct field_error {
    char field[48];
    char message[120];
} field_error;

typedef struct field_errors {
    size_t count;
    field_error items[FIELD_ERRORS_MAX];
} field_errors;

/* Adds a problem (field path and message are copied, truncated to fit); extra ones past the capacity are dropped. */
void field_errors_add(field_errors *fe, const char *field, const char *message);

/* Adds field: reason when reason is not NULL (validators return NULL for a good value). Returns 1 when added. */
int field_errors_check(field_errors *fe, const char *field, const char *reason);

#endif
