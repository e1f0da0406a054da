/* The name tables of an application's status and rejection reason, and its history list. */
#include "model/application_record.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {
    [APPLICATION_RECEIVED] = "received", [APPLICATION_DEBT_CHECKED] = "debt_checked",
    [APPLICATION_ISSUED] = "issued",     [APPLICATION_REJECTED] = "rejected",
    [APPLICATION_FAILED] = "failed",
};

static const char *const rejection_names[] = {
    [REJECTION_NONE] = NULL,
    [REJECTION_SUBSCRIBER_NOT_FOUND] = "subscriber_not_found",
    [REJECTION_SUBSCRIBER_MISMATCH] = "subscriber_mismatch",
};

#define COUNT(table) (sizeof table / sizeof table[0])

const char *application_status_name(application_status status)
{
    return status_names[status];
}

int application_status_parse(const char *text, application_status *status)
{
    for (size_t s = 0; text != NULL && s < COUNT(status_names); s++)
        if (strcmp(text, status_names[s]) == 0) {
            *status = (application_status)s;
            return 0;
        }
    return -1;
}

const char *application_rejection_name(application_rejection rejection)
{
    return rejection_names[rejection];
}

int application_rejection_parse(const char *text, application_rejection *rejection)
{
    if (text == NULL) {
        *rejection = REJECTION_NONE;
        return 0;
    }
    for (size_t r = REJECTION_NONE + 1; r < COUNT(rejection_names); r++)
        if (strcmp(text, rejection_names[r]) == 0) {
            *rejection = (application_rejection)r;
            return 0;
        }
    return -1;
}

int application_history_add(application_history *h, const char *status, time_t at)
{
    if (h->count == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 8;
        application_event *items = realloc(h->items, cap * sizeof *items);
        if (items == NULL)
            return -1;
        h->items = items;
        h->cap = cap;
    }
    char *copy = strdup(status);
    if (copy == NULL)
        return -1;
    h->items[h->count++] = (application_event){copy, at};
    return 0;
}

void application_history_free(application_history *h)
{
    for (size_t i = 0; i < h->count; i++)
        free(h->items[i].status);
    free(h->items);
    *h = (application_history){0};
}

void application_details_free(application_details *details)
{
    application_history_free(&details->history);
}
