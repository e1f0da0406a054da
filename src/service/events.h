/* Recording portal events: what happened to an application, for the portal key that submitted it, written in the
   transaction that makes the change so that an event exists exactly when its change does. */
#ifndef ARAYIS_SERVICE_EVENTS_H
#define ARAYIS_SERVICE_EVENTS_H

#include <jansson.h>
#include <time.h>

#include "model/application_record.h"
#include "model/event.h"
#include "store/db.h"


/* Appends event type for application application_id (app: its stored row when the caller holds it, else NULL and it
   is read; certificate_number: the certificate concerned, or NULL) at time at, in the caller's transaction on d. The payload holds the event id, type and time, the application id, the
   portal_reference the portal sent, the new status and the certificate number: nothing else. Returns 0, or -1 with e
   set (ERR_NOT_FOUND when there is no such application, ERR_RANDOM when no event id could be made). */
int events_record(db *d, event_type type, const application_row *app, const char *application_id,
                  const char *certificate_number, time_t at, err *e);

/* The event as the feed and the webhook show it: its stored payload parsed (new reference), or NULL when the stored
   text is not JSON (a damaged row). */
json_t *events_payload(const event_record *ev);

#endif
