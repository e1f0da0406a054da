/* JSON views of applications and certificates, shared by the handlers that answer with them. */
#ifndef ARAYIS_API_VIEWS_H
#define ARAYIS_API_VIEWS_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "model/application_record.h"
#include "model/certificate.h"

/* {"has_debt","amount","currency","as_of"}. New reference, or NULL when out of memory. */
json_t *view_debt(int64_t qepik, time_t as_of);

/* The certificate object of the contract (number, verification_code, issued_at, valid_until, sha256,
   pdf_url, verify_url) plus status ("valid", "expired", "revoked") and application_id. New reference, or NULL when
   out of memory. */
json_t *view_certificate(const certificate_row *c, const char *base_url, time_t now);

/* The application body of the contract (application_id, status, submitted_at, subscriber_type, subscriber_code,
   portal_reference, debt, rejection, certificate, history). New reference, or NULL when out of memory. */
json_t *view_application(const application_details *details, const char *base_url);


#endif
