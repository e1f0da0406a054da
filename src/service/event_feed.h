/* A portal's event feed: the pull alternative to webhooks, page by page after a cursor. */
#ifndef ARAYIS_SERVICE_EVENT_FEED_H
#define ARAYIS_SERVICE_EVENT_FEED_H

#include "model/event.h"
#include "service/services.h"

#define EVENTS_PAGE_DEFAULT 50
#define EVENTS_PAGE_MAX 200

/* One page of a portal's event feed. */
typedef struct event_page {
    event_record *items;      /* owned; free with event_page_free */
    int count;
    long long next_cursor;    /* the last item's cursor, or the cursor asked after when the page is empty */
} event_page;

/* The events of the portal key api_key_id after cursor (exclusive), oldest first, at most limit (1 to
   EVENTS_PAGE_MAX) into out. Returns 0, or -1 with e set. */
int events_feed(services *svc, long long api_key_id, long long after, int limit, event_page *out, err *e);

/* Frees the page's items. */
void event_page_free(event_page *page);

#endif
