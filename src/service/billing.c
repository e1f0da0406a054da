/* Updating a subscriber's balance through the shared durable write. */
#include "service/billing.h"

#include <time.h>

#include "service/context.h"
#include "store/subscribers.h"

/* One record as a unit of the shared write. */
typedef struct billing_write {
    const billing_record *rec;
    time_t now;
    subscriber_write result;
} billing_write;

static int write_record(db *d, void *ctx, err *e)
{
    billing_write *w = ctx;
    return subscribers_put(d, w->rec, w->now, &w->result, e);
}

int billing_update(services *svc, const billing_record *rec, subscriber_write *result, err *e)
{
    billing_write w = {rec, time(NULL), SUBSCRIBER_STALE};
    if (store_write(svc->store, write_record, &w, e) != 0)
        return -1;
    *result = w.result;
    return 0;
}
