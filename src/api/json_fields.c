/* Typed access to request JSON fields. */
#include "api/json_fields.h"

static json_t *field_of_type(json_t *obj, const char *key, const char *path, field_errors *errs, json_type type,
                             const char *message)
{
    json_t *v = obj ? json_object_get(obj, key) : NULL;
    if (v == NULL || json_is_null(v))
        return NULL;
    if (json_typeof(v) != type) {
        field_errors_add(errs, path, message);
        return NULL;
    }
    return v;
}

const char *json_field_string(json_t *obj, const char *key, const char *path, field_errors *errs)
{
    json_t *v = field_of_type(obj, key, path, errs, JSON_STRING, "must be a string");
    return v ? json_string_value(v) : NULL;
}

json_t *json_field_object(json_t *obj, const char *key, const char *path, field_errors *errs)
{
    return field_of_type(obj, key, path, errs, JSON_OBJECT, "must be an object");
}

json_t *json_from_field_errors(const field_errors *errs)
{
    json_t *fields = json_array();
    for (size_t i = 0; fields != NULL && i < errs->count; i++) {
        json_t *item = json_pack("{s:s, s:s}", "field", errs->items[i].field, "message", errs->items[i].message);
        if (json_array_append_new(fields, item) != 0) {
            json_decref(fields);
            fields = NULL;
        }
    }
    return fields;
}
