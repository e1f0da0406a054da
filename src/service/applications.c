/* Submitting and reading applications: the issuing workflow with its metrics and SMS wake-up, the ownership rule,
   and the details a portal is shown (the application, its certificate, its history). */
#include "service/applications.h"

#include <assert.h>

#include "service/context.h"
#include "store/applications.h"
#include "store/certificates.h"

typedef struct history_reading {
    application_history *history;
    int out_of_memory;
} history_reading;

static void collect_event(const char *status, time_t at, void *ctx)
{
    history_reading *r = ctx;
    if (!r->out_of_memory && application_history_add(r->history, status, at) != 0)
        r->out_of_memory = 1;
}

/* Reads application id with its certificate and history, the three queries answered in one round trip where the
   engine can. Returns 1, 0 when there is no such application, or -1. */
static int read_details(db *d, const char *id, application_details *details, err *e)
{
    stmt *certificate = certificates_find_by_application_ahead(d, id, e);
    stmt *history = certificate != NULL ? application_events_ahead(d, id, e) : NULL;
    int found = history != NULL ? applications_find(d, id, &details->application, e) : -1;
    if (found != 1)
        return found;
    int numbered = certificates_read_row(certificate, &details->certificate, e);
    if (numbered < 0)
        return -1;
    /* a numbered certificate whose document is not stored (being made, or void) is not shown */
    details->has_certificate = numbered == 1 && details->certificate.sha256[0] != '\0';
    history_reading reading = {&details->history, 0};
    if (application_events_read(history, collect_event, &reading, e) != 0)
        return -1;
    return reading.out_of_memory ? err_set(e, ERR_NOMEM, "out of memory reading the history of %s", id) : 1;
}

/* Counts what a submission did and wakes the SMS sender and the webhook deliverer for the notice and the portal event
   it queued (issued or rejected). */
static void count_outcome(services *svc, submit_outcome outcome)
{
    int rejected = outcome == SUBMIT_NOT_FOUND || outcome == SUBMIT_MISMATCH;
    if (outcome == SUBMIT_ISSUED)
        metrics_add(svc->metrics, svc->counter_issued, 1);
    if (rejected)
        metrics_add(svc->metrics, svc->counter_rejected, 1);
    if (outcome == SUBMIT_VOIDED)
        metrics_add(svc->metrics, svc->counter_void, 1);
    if (outcome == SUBMIT_ISSUED || rejected) {
        metrics_add(svc->metrics, svc->counter_sms_queued, 1);
        sms_sender_wake(svc->sender);
        webhook_deliverer_wake(svc->webhooks);
    }
}

int application_submit(services *svc, long long key_id, const application *a, const char *request_sha256,
                       submit_outcome *outcome, application_details *details, err *e)
{
    assert(svc != NULL && a != NULL && request_sha256 != NULL && details != NULL);
    char app_id[32];
    if (issuing_submit(&svc->issuer, key_id, a, request_sha256, outcome, app_id, details, e) != 0)
        return -1;
    count_outcome(svc, *outcome);
    if (*outcome == SUBMIT_CONFLICT || *outcome == SUBMIT_ISSUED) /* an issue's details come with it */
        return 0;
    db *d = store_db(svc->store, e);
    int found = d ? read_details(d, app_id, details, e) : -1;
    if (found == 0)
        return err_set(e, ERR_INTERNAL, "application %s was recorded but cannot be found", app_id);
    return found == 1 ? 0 : -1;
}

int application_get(services *svc, long long key_id, const char *id, application_details *details, err *e)
{
    assert(svc != NULL && id != NULL && details != NULL);
    db *d = store_db(svc->store, e);
    if (d == NULL)
        return -1;
    int found = read_details(d, id, details, e);
    if (found == 1 && details->application.api_key_id != key_id) {
        application_details_free(details);
        *details = (application_details){0};   /* nothing of another portal's application leaves here */
        found = 0;
    }
    return found;
}
