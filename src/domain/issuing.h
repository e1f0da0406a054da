/* The application workflow: idempotency, the debt check against billing, numbering, rendering and signing
   outside the write lock, the durable commit with the SMS notice, and completion of interrupted issues. */
#ifndef ARAYIS_DOMAIN_ISSUING_H
#define ARAYIS_DOMAIN_ISSUING_H

#include "core/config.h"
#include "crypto/signer.h"
#include "domain/application.h"
#include "notify/messages.h"
#include "pdf/certificate.h"
#include "store/db.h"

typedef struct issuer {
    store *store;
    const pdf_renderer *renderer;
    const signer *signer;
    const sms_messages *messages;
    const config *cfg;               /* public_base_url, validity_days */
} issuer;

typedef enum submit_outcome {
    SUBMIT_ISSUED,                   /* new application, certificate issued */
    SUBMIT_REPLAYED,                 /* same key + portal_reference + body: the stored application */
    SUBMIT_CONFLICT,                 /* same key + portal_reference, different body */
    SUBMIT_NOT_FOUND,                /* rejected: no billing record */
    SUBMIT_MISMATCH,                 /* rejected: type, FIN or VÖEN differ from the billing record */
} submit_outcome;

/* Runs the whole workflow for a validated application a submitted with key_id. request_sha256 identifies
   the request body for idempotency. On success returns 0 with *outcome and the application id in
   app_id (the stored application holds every detail). Returns -1 with e set when storage or signing
   failed; an issue interrupted after numbering is completed later by issuing_resume. */
int issuing_submit(const issuer *is, long long key_id, const application *a, const char *request_sha256,
                   submit_outcome *outcome, char app_id[32], err *e);

/* Completes every certificate that was numbered but not yet stored (after a crash or a failed render).
   Returns how many were completed, or -1. */
int issuing_resume(const issuer *is, err *e);

#endif
