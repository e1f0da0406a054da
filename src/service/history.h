/* The one place where an application's history grows: each step is recorded with the change it belongs to, and the
   steps portals follow also become portal events, in the same transaction. */
#ifndef ARAYIS_SERVICE_HISTORY_H
#define ARAYIS_SERVICE_HISTORY_H

#include <time.h>

#include "model/application_record.h"
#include "store/db.h"

/* Appends step to the history of application application_id at time at (detail: the reason, number or reference
   the history keeps, or NULL) and, for issued, rejected, revoked, sms_sent and sms_failed, the portal event
   (certificate_number: the certificate concerned, or NULL; app: the application's stored row when the caller holds
   it, else NULL). Call inside the caller's transaction. Returns 0, or -1
   with e set. */
int history_record(db *d, const application_row *app, const char *application_id, history_step step, time_t at,
                   const char *detail, const char *certificate_number, err *e);

/* history_record in its two parts, for a write in two parts (store_write_parts): the step in the application's
   history (a row of its own: the unordered part), and the portal event it raises, if any (the ordered part: event
   ids follow the commit order, which the portals' event feed reads by). Return 0, or -1 with e set. */
int history_append_step(db *d, const char *application_id, history_step step, time_t at, const char *detail, err *e);
int history_raise_event(db *d, const application_row *app, const char *application_id, history_step step, time_t at,
                        const char *certificate_number, err *e);

/* Appends the two steps a new application takes at once, received and debt_checked, at time at (neither raises a
   portal event), in one statement. Call inside the caller's transaction. Returns 0, or -1 with e set. */
int history_record_checked(db *d, const char *application_id, time_t at, err *e);

#endif
