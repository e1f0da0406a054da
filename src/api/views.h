/* JSON views of stored applications and certificates, shared by the handlers that answer with them. */
#ifndef ARAYIS_API_VIEWS_H
#define ARAYIS_API_VIEWS_H

#include <jansson.h>

#include "store/applications.h"
#include "store/certificates.h"

/* {"has_debt","amount","currency","as_of"} (new reference). */
json_t *view_debt(int64_t qepik, time_t as_of);

/* The certificate object of the contract (number, verification_code, issued_at, valid_until, sha256,
   pdf_url, verify_url) plus status ("valid", "expired", "revoked") and application_id. New reference. */
json_t *view_certificate(const certificate_row *c, const char *base_url, time_t now);

/* The application body of the contract (application_id, status, submitted_at, debt, certificate, history),
   read from the store. Returns a new reference, or NULL with e set when the store fails. */
json_t *view_application(db *d, const application_row *row, const char *base_url, err *e);

/* "valid", "expired" or "revoked" as of now. */
const char *view_certificate_status(const certificate_row *c, time_t now);

#endif
