/* Collecting field-level validation problems. */
#include "model/field_errors.h"

#include <stdio.h>

void field_errors_add(field_errors *fe, const char *field, const char *message)
{
    if (fe->count == FIELD_ERRORS_MAX)
        return;
    field_error *item = &fe->items[fe->count++];
    snprintf(item->field, sizeof item->field, "%s", field);
    snprintf(item->message, sizeof item->message, "%s", message);
}

int field_errors_check(field_errors *fe, const char *field, const char *reason)
{
    if (reason != NULL)
        field_errors_add(fe, field, reason);
    return reason != NULL;
}
