/* Recording portal events: what happened to an application, for the portal key that submitted it, written in the
   transaction that makes the change so that an event exists exactly when its change does. */
#ifndef ARAYIS_SERVICE_EVENTS_H
#define ARAYIS_SERVICE_EVENTS_H

#include <jansson.h>
#include <time.h>

#include "model/event.h"
#include "service/services.h"
#include "store/db.h"

#define EVENTS_PAGE_DEFAULT 50
#define EVENTS_PAGE_MAX 200

/* One page of a portal's event feed. */
typedef struct event_page {
    event_record *items;      /* owned; free with event_page_free */
    int count;
    long long next_cursor;    /* the last item's cursor, or the cursor asked after when the page is empty */
} event_page;

/* Appends event type for application application_id (certificate_number: the certificate concerned, or NULL) at
   time at, in the caller's transaction on d. The payload holds the event id, type and time, the application id, the
   portal_reference the portal sent, the new status and the certificate number: nothing else. Returns 0, or -1 with e
   set (ERR_NOT_FOUND when there is no such application, ERR_RANDOM when no event id could be made). */
int events_record(db *d, event_type type, const char *application_id, const char *certificate_number, time_t at,
                  err *e);

/* The event as the feed and the webhook show it: its stored payload parsed (new reference), or NULL when the stored
   text is not JSON (a damaged row). */
json_t *events_payload(const event_record *ev);

/* The events of the portal key api_key_id after cursor (exclusive), oldest first, at most limit (1 to
   EVENTS_PAGE_MAX) into out. Returns 0, or -1 with e set. */
int events_feed(services *svc, long long api_key_id, long long after, int limit, event_page *out, err *e);

/* Frees the page's items. */
void event_page_free(event_page *page);

#endif
