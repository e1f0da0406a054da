/* Reading a page of a portal's events. */
#include "service/event_feed.h"

#include <assert.h>
#include <stdlib.h>

#include "service/context.h"
#include "store/events.h"

static void collect(const event_record *ev, void *ctx)
{
    event_page *page = ctx;
    page->items[page->count++] = *ev;
    page->next_cursor = ev->seq;
}

int events_feed(services *svc, long long api_key_id, long long after, int limit, event_page *out, err *e)
{
    assert(limit >= 1 && limit <= EVENTS_PAGE_MAX);
    *out = (event_page){NULL, 0, after};
    db *d = store_db(svc->store, e);
    if (d == NULL)
        return -1;
    if ((out->items = calloc((size_t)limit, sizeof *out->items)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory for the event page");
    if (events_each_after(d, api_key_id, after, limit, collect, out, e) != 0) {
        event_page_free(out);
        return -1;
    }
    return 0;
}

void event_page_free(event_page *page)
{
    free(page->items);
    page->items = NULL;
    page->count = 0;
}
