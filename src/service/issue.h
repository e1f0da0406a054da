/* The application workflow: idempotency, the debt check against billing, numbering, rendering and signing
   outside the write lock, the durable commit with the SMS notice, and completion of interrupted issues. */
#ifndef ARAYIS_SERVICE_ISSUE_H
#define ARAYIS_SERVICE_ISSUE_H

#include <limits.h>
#include <time.h>

#include "core/config.h"
#include "crypto/signer.h"
#include "model/application.h"
#include "model/application_record.h"
#include "notify/messages.h"
#include "pdf/certificate.h"
#include "store/store.h"

typedef struct issuer {
    store *store;
    const pdf_renderer *renderer;
    const signer *signer;
    const sms_messages *messages;
    const config *cfg;               /* public_base_url, validity_days, tsa_required */
    tsa_client *tsa;                 /* signature timestamps (B-T); NULL for B-B */
    struct ltv_keeper *ltv;          /* validation data for a DSS (B-LT); NULL without it */
    const struct tlog_appender *log; /* the transparency log every issue is appended to */
} issuer;

typedef enum submit_outcome {
    SUBMIT_ISSUED,                   /* new application, certificate issued */
    SUBMIT_REPLAYED,                 /* same key + portal_reference + body: the stored application */
    SUBMIT_CONFLICT,                 /* same key + portal_reference, different body */
    SUBMIT_NOT_FOUND,                /* rejected: no billing record */
    SUBMIT_MISMATCH,                 /* rejected: type, FIN or VÖEN differ from the billing record */
    SUBMIT_VOIDED,                   /* numbered, but the document could not be rendered or signed: the number is
                                        void and the application failed */
    SUBMIT_FAILED,                   /* the billing record cannot go on a certificate (a text over its validated
                                        maximum): the application failed before numbering */
} submit_outcome;

/* Runs the whole workflow for a validated application a submitted with key_id. request_sha256 identifies
   the request body for idempotency. On success returns 0 with *outcome and the application id in
   app_id (the stored application holds every detail). A document that cannot be made is an outcome (SUBMIT_VOIDED,
   SUBMIT_FAILED), not an error. Returns -1 with e set when storage failed; an issue interrupted after numbering
   is completed later by issuing_resume. With SUBMIT_ISSUED and issued not NULL, *issued holds what a portal is shown
   of the application as its commit left it (the caller frees it), so that it need not be read back. */
int issuing_submit(const issuer *is, long long key_id, const application *a, const char *request_sha256,
                   submit_outcome *outcome, char app_id[32], application_details *issued, err *e);

/* How long a process may take to render, sign and store a certificate whose number it reserved or claimed, beyond
   the TSA's time-out, before another process (another node on the same database) may take the number over. */
#define ISSUE_CLAIM_S 15

/* An unclaimed_at for issuing_resume that overrides every claim (the one process of an embedded database starting:
   the claims it finds are those of its own previous run). */
#define ISSUE_ANY_CLAIM ((time_t)LLONG_MAX)

/* What issuing_resume did. */
typedef struct issuing_resumed {
    int issued;                      /* completed and stored */
    int voided;                      /* could not be rendered or signed, or their details not read: now void */
    int left;                        /* still pending after a storage error; tried again at the next resume */
} issuing_resumed;

/* Completes every certificate numbered but neither stored nor void (after a crash or a storage failure) whose claim
   ran out by unclaimed_at (now, or ISSUE_ANY_CLAIM). One certificate never stops the others:
   each is issued, voided (its application failed), left pending, or left to the process that claimed it meanwhile.
   Returns 0 with *out filled, or -1 with e set when the pending certificates cannot be listed. */
int issuing_resume(const issuer *is, time_t unclaimed_at, issuing_resumed *out, err *e);

#endif
