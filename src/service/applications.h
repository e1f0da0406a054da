/* The applications use cases for portal backends: submitting an application and reading one back. */
#ifndef ARAYIS_SERVICE_APPLICATIONS_H
#define ARAYIS_SERVICE_APPLICATIONS_H

#include "core/err.h"
#include "model/application.h"
#include "model/application_record.h"
#include "service/issue.h"
#include "service/services.h"

/* Submits the validated application a for the portal key key_id; request_sha256 identifies the request body for
   idempotency. Runs the issuing workflow (issuing_submit), counts what it did in the metrics and wakes the SMS
   sender when a notice was queued. On success returns 0 with *outcome set and, unless the outcome is
   SUBMIT_CONFLICT (details then stay empty), the stored application in details: new (one issued now as its commit
   stored it, not read back), or the earlier one a replay names, whose status says whether it was issued, rejected
   (and why) or failed. details must be zeroed by the caller, who frees it with application_details_free in every
   case. Returns -1 with e set when storage failed. */
int application_submit(services *svc, long long key_id, const application *a, const char *request_sha256,
                       submit_outcome *outcome, application_details *details, err *e);

/* Reads the application id as the portal key key_id may see it: another key's application is not found, exactly
   like an unknown id, so that ids cannot be probed across portals. Returns 1 with details filled, 0 not found, or
   -1 with e set. details must be zeroed by the caller, who frees it with application_details_free in every case. */
int application_get(services *svc, long long key_id, const char *id, application_details *details, err *e);

#endif
