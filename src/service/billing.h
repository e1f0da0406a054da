/* Subscriber balances pushed by the billing system while the service runs. */
#ifndef ARAYIS_SERVICE_BILLING_H
#define ARAYIS_SERVICE_BILLING_H

#include "core/err.h"
#include "model/billing.h"
#include "service/services.h"

/* Stores the validated record rec (borrowed) in one durable write shared with concurrent ones (store_write): creates
   it, or updates the stored one unless rec is older (as_of) than it, which leaves the stored one as it was. Returns 0
   with *result set (SUBSCRIBER_CREATED, _UPDATED or _STALE), or -1 with e set (nothing stored). */
int billing_update(services *svc, const billing_record *rec, subscriber_write *result, err *e);

#endif
