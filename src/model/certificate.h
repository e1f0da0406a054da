/* A certificate's details as issued: number, code, the subscriber's data as printed, its document's hash, its
   revocation or voiding; where it stands in issuing, and the valid / expired / revoked verdict. */
#ifndef ARAYIS_MODEL_CERTIFICATE_H
#define ARAYIS_MODEL_CERTIFICATE_H

#include <stdint.h>
#include <time.h>

#include "model/apikey.h"
#include "model/billing.h"
#include "model/charset.h"

#define CERTIFICATE_REASON_MAX 500   /* characters of a revocation reason, as validated */

/* Where a numbered certificate stands in issuing. */
typedef enum certificate_state {
    CERTIFICATE_PENDING,            /* numbered; its document is being made (or an interrupted issue left it) */
    CERTIFICATE_ISSUED,             /* its signed document is stored: it can be downloaded, verified, revoked */
    CERTIFICATE_VOID,               /* numbered, but its document could not be made; the number stays taken */
} certificate_state;

/* What a check tells about an issued certificate. */
typedef enum certificate_status {
    CERTIFICATE_VALID,
    CERTIFICATE_EXPIRED,
    CERTIFICATE_REVOKED,
} certificate_status;

/* The PAdES baseline level of a certificate's signature. */
typedef enum signature_level {
    SIGNATURE_B_B,                  /* the signing time is the signer's own claim */
    SIGNATURE_B_T,                  /* with a signature timestamp from a trusted TSA */
    SIGNATURE_B_LT,                 /* B-T with the validation data of the signer's and the TSA's chains */
} signature_level;

/* A certificate's details. Every text buffer holds the longest validated value in UTF-8 (4 bytes a character);
   a stored text longer than that is refused on reading (ERR_TOO_LONG), never cut. */
typedef struct certificate_row {
    char number[40];                /* AZI-YYYY-NNNNNN */
    char application_id[32];
    char code[17];                  /* verification code, ungrouped */
    time_t issued_at, valid_until;
    int non_residential;
    char subscriber_code[17];
    char holder[CHARSET_UTF8_BYTES(BILLING_HOLDER_MAX) + 1];
    char address[CHARSET_UTF8_BYTES(BILLING_ADDRESS_MAX) + 1];   /* "" when none */
    char voen[11];                  /* "" for residential */
    int64_t debt_qepik;
    time_t debt_as_of;
    certificate_state state;
    char sha256[65];                /* "" unless issued */
    time_t revoked_at;              /* 0 when not revoked */
    char revocation_reason[CHARSET_UTF8_BYTES(CERTIFICATE_REASON_MAX) + 1];
    char revoked_by[APIKEY_NAME_MAX + 1];
    time_t voided_at;               /* 0 unless void: numbered, but its document could not be made */
    signature_level level;          /* of the stored document's signature (B-B until it is stored) */
    long long log_index;            /* its issuance entry in the transparency log; -1 when none or not looked up */
    long long revocation_log_index; /* its revocation entry; -1 when none or not looked up */
} certificate_row;

/* The status of issued certificate c as of now: revoked once revoked (whatever its validity), else expired from
   valid_until on, else valid. */
certificate_status certificate_verdict(const certificate_row *c, time_t now);

/* "B-B", "B-T", "B-LT": the contract's words (static strings). */
const char *signature_level_name(signature_level l);

/* The level named text; returns 0, or -1 for an unknown name (*out unchanged). */
int signature_level_parse(const char *text, signature_level *out);

/* "valid", "expired", "revoked": the contract's words (static strings). */
const char *certificate_status_name(certificate_status s);

#endif
