/* The events resource: a portal's feed of what happened to its applications, for portals that cannot take webhooks. */
#ifndef ARAYIS_API_EVENTS_H
#define ARAYIS_API_EVENTS_H

#include "http/http.h"

/* GET /api/v1/events?after=CURSOR&limit=N (role portal): the calling key's events after the cursor, oldest first,
   with the next cursor; 400 validation_failed for a cursor or limit that is not a number in range. */
void events_get(void *ctx, http_request *req, http_response *res);

#endif
