/* GET of the event feed: the cursor and limit in, a page of events out. */
#include "api/events.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/app.h"
#include "api/auth.h"
#include "api/json_fields.h"
#include "api/respond.h"
#include "service/event_feed.h"
#include "service/events.h"

/* Reads an optional decimal query parameter within [min, max]; fallback when absent. Returns 0, or -1 after adding
   the problem to errs. */
static int read_number(const http_request *req, const char *name, long long min, long long max, long long fallback,
                       long long *out, field_errors *errs)
{
    const char *text = http_request_query(req, name);
    *out = fallback;
    if (text == NULL)
        return 0;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || v < min || v > max) {
        char message[96];
        snprintf(message, sizeof message, "must be a whole number from %lld to %lld", min, max);
        field_errors_add(errs, name, message);
        return -1;
    }
    *out = v;
    return 0;
}

/* The page as the contract shows it: each event's payload with its cursor, and the cursor to ask after next. */
static json_t *page_json(const event_page *page)
{
    json_t *events = json_array();
    char cursor[24];
    for (int i = 0; events != NULL && i < page->count; i++) {
        json_t *event = events_payload(&page->items[i]);
        snprintf(cursor, sizeof cursor, "%lld", page->items[i].seq);
        if (event == NULL || json_object_set_new(event, "cursor", json_string(cursor)) != 0 ||
            json_array_append_new(events, event) != 0) {
            json_decref(event);
            json_decref(events);
            return NULL;
        }
    }
    snprintf(cursor, sizeof cursor, "%lld", page->next_cursor);
    return events ? json_pack("{s:o, s:s}", "events", events, "next_cursor", cursor) : NULL;
}

void events_get(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    apikey_row key;
    if (auth_require(a, req, res, AUTH_ROLE(ROLE_PORTAL), &key) != 0)
        return;
    field_errors errs = {0};
    long long after = 0, limit = 0;
    read_number(req, "after", 0, INT64_MAX, 0, &after, &errs);
    read_number(req, "limit", 1, EVENTS_PAGE_MAX, EVENTS_PAGE_DEFAULT, &limit, &errs);
    if (errs.count > 0) {
        api_validation_failed(res, json_from_field_errors(&errs));
        return;
    }
    event_page page;
    err e = {0};
    if (events_feed(a->svc, key.id, after, (int)limit, &page, &e) != 0) {
        api_fail(req, res, &e);
        return;
    }
    json_t *body = page_json(&page);
    event_page_free(&page);
    if (body == NULL) {
        err_set(&e, ERR_NOMEM, "out of memory for the event page");
        api_fail(req, res, &e);
        return;
    }
    api_json(res, 200, body);
    http_response_header(res, "Cache-Control", "no-store");
}
