/* Reading typed fields out of request JSON, turning wrong types into field errors instead of crashes. */
#ifndef ARAYIS_API_JSON_FIELDS_H
#define ARAYIS_API_JSON_FIELDS_H

#include <jansson.h>

#include "model/field_errors.h"

/* The string value of obj[key], or NULL when absent or null. Any other type adds "<path>: must be a
   string" to errs and returns NULL. The pointer is owned by obj. */
const char *json_field_string(json_t *obj, const char *key, const char *path, field_errors *errs);

/* obj[key] when it is an object; NULL when absent or null; another type adds "<path>: must be an object". */
json_t *json_field_object(json_t *obj, const char *key, const char *path, field_errors *errs);

/* Converts errs to the contract's "fields" array: a new reference, or NULL when out of memory. */
json_t *json_from_field_errors(const field_errors *errs);

#endif
