/* History steps and the portal events they raise. */
#include "service/history.h"

#include "model/event.h"
#include "service/events.h"
#include "store/applications.h"

/* The portal event a step raises, or EVENT_TYPE_COUNT for the steps portals learn of from the POST's answer. */
static event_type event_of(history_step step)
{
    switch (step) {
    case HISTORY_ISSUED:
        return EVENT_APPLICATION_ISSUED;
    case HISTORY_REJECTED:
        return EVENT_APPLICATION_REJECTED;
    case HISTORY_REVOKED:
        return EVENT_CERTIFICATE_REVOKED;
    case HISTORY_SMS_SENT:
        return EVENT_APPLICATION_SMS_SENT;
    case HISTORY_SMS_FAILED:
        return EVENT_APPLICATION_SMS_FAILED;
    case HISTORY_RECEIVED:
    case HISTORY_DEBT_CHECKED:
    case HISTORY_FAILED:
        break;
    }
    return EVENT_TYPE_COUNT;
}

int history_append_step(db *d, const char *application_id, history_step step, time_t at, const char *detail, err *e)
{
    return application_events_append(d, application_id, history_step_name(step), at, detail, e);
}

int history_raise_event(db *d, const application_row *app, const char *application_id, history_step step, time_t at,
                        const char *certificate_number, err *e)
{
    event_type type = event_of(step);
    return type == EVENT_TYPE_COUNT ? 0 : events_record(d, type, app, application_id, certificate_number, at, e);
}

int history_record(db *d, const application_row *app, const char *application_id, history_step step, time_t at,
                   const char *detail, const char *certificate_number, err *e)
{
    return history_append_step(d, application_id, step, at, detail, e) == 0
               ? history_raise_event(d, app, application_id, step, at, certificate_number, e)
               : -1;
}

int history_record_checked(db *d, const char *application_id, time_t at, err *e)
{
    return application_events_append_pair(d, application_id, history_step_name(HISTORY_RECEIVED),
                                          history_step_name(HISTORY_DEBT_CHECKED), at, e);
}
