/* The name tables of an application's status and rejection reason, and its history list. */
#include "model/application_record.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"

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

static const char *const step_names[] = {
    [HISTORY_RECEIVED] = "received", [HISTORY_DEBT_CHECKED] = "debt_checked", [HISTORY_ISSUED] = "issued",
    [HISTORY_REJECTED] = "rejected", [HISTORY_FAILED] = "failed",             [HISTORY_REVOKED] = "revoked",
    [HISTORY_SMS_SENT] = "sms_sent", [HISTORY_SMS_FAILED] = "sms_failed",
};

#define COUNT(table) (sizeof table / sizeof table[0])

const char *history_step_name(history_step step)
{
    assert((size_t)step < COUNT(step_names));
    return step_names[step];
}

const char *application_status_name(application_status status)
{
    return status_names[status];
}

int application_status_parse(const char *text, application_status *status)
{
    int s = names_find(status_names, (int)COUNT(status_names), text);
    if (s == (int)COUNT(status_names))
        return -1;
    *status = (application_status)s;
    return 0;
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
    int r = names_find(rejection_names, (int)COUNT(rejection_names), text);
    if (r == (int)COUNT(rejection_names))
        return -1;
    *rejection = (application_rejection)r;
    return 0;
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
