/* Building and appending portal events. */
#include "service/events.h"

#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "crypto/codes.h"
#include "store/applications.h"
#include "store/events.h"

/* The status an event reports: the application's new one, or what happened to its SMS or certificate. */
static const char *event_status(event_type type)
{
    static const char *const statuses[EVENT_TYPE_COUNT] = {
        [EVENT_APPLICATION_ISSUED] = "issued",       [EVENT_APPLICATION_REJECTED] = "rejected",
        [EVENT_APPLICATION_SMS_SENT] = "sms_sent",   [EVENT_APPLICATION_SMS_FAILED] = "sms_failed",
        [EVENT_CERTIFICATE_REVOKED] = "revoked",
    };
    return statuses[type];
}

int events_record(db *d, event_type type, const application_row *app, const char *application_id,
                  const char *certificate_number, time_t at, err *e)
{
    application_row row;
    char event_id[EVENT_ID_MAX + 1], ulid[IDS_LEN + 1], when[TIME_TEXT_MAX];
    char *payload = NULL;
    json_t *body = NULL;
    int rc = -1;
    int found = app != NULL ? 1 : applications_find(d, application_id, &row, e);
    if (found <= 0) {
        if (found == 0)
            err_set(e, ERR_NOT_FOUND, "no application %s for the event", application_id);
        goto out;
    }
    if (app == NULL)
        app = &row;
    if (codes_new_application_id(ulid) != 0) {
        err_set(e, ERR_RANDOM, "no randomness for the event id");
        goto out;
    }
    snprintf(event_id, sizeof event_id, "evt_%s", ulid);
    body = json_pack("{s:s, s:s, s:s, s:{s:s, s:s*, s:s, s:s*}}", "id", event_id, "type", event_type_name(type),
                     "created_at", time_format_rfc3339(at, when), "data", "application_id", application_id,
                     "portal_reference", app->portal_reference[0] ? app->portal_reference : NULL, "status",
                     event_status(type), "certificate_number", certificate_number);
    if (body == NULL || (payload = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory for the event");
        goto out;
    }
    rc = events_append(d, event_id, app->api_key_id, application_id, type, payload, at, e);
out:
    free(payload);
    json_decref(body);
    return rc;
}

json_t *events_payload(const event_record *ev)
{
    return json_loads(ev->payload, 0, NULL);
}
