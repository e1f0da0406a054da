/* An application as recorded: its state (status and rejection reason, each with one name table), the applicant's
   data as stored, its history, and everything a portal is shown about it. */
#ifndef ARAYIS_MODEL_APPLICATION_RECORD_H
#define ARAYIS_MODEL_APPLICATION_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "model/application.h"
#include "model/certificate.h"

/* Where an application stands. Stored and shown by name. */
typedef enum application_status {
    APPLICATION_RECEIVED,
    APPLICATION_DEBT_CHECKED,        /* billing confirmed; the certificate is numbered and being made */
    APPLICATION_ISSUED,
    APPLICATION_REJECTED,            /* see application_rejection */
    APPLICATION_FAILED,              /* its certificate could not be made */
} application_status;

/* Why an application was rejected. Stored and shown by name (the contract's error code). */
typedef enum application_rejection {
    REJECTION_NONE,                  /* not rejected: no name, stored as NULL */
    REJECTION_SUBSCRIBER_NOT_FOUND,  /* no billing record for the subscriber code */
    REJECTION_SUBSCRIBER_MISMATCH,   /* the type, FIN or VÖEN differ from the billing record */
} application_rejection;

/* "received", "debt_checked", "issued", "rejected", "failed". */
const char *application_status_name(application_status status);

/* The steps of an application's history: its statuses, and what happens after it is issued. Stored by name. */
typedef enum history_step {
    HISTORY_RECEIVED,
    HISTORY_DEBT_CHECKED,
    HISTORY_ISSUED,
    HISTORY_REJECTED,
    HISTORY_FAILED,
    HISTORY_REVOKED,
    HISTORY_SMS_SENT,
    HISTORY_SMS_FAILED,
} history_step;

/* "received", "debt_checked", …, "sms_failed" (static strings, as in the contract's history). */
const char *history_step_name(history_step step);

/* Sets *status from its name. Returns 0, or -1 (nothing set) for any other text, NULL included. */
int application_status_parse(const char *text, application_status *status);

/* "subscriber_not_found", "subscriber_mismatch"; NULL for REJECTION_NONE. */
const char *application_rejection_name(application_rejection rejection);

/* Sets *rejection from its name; NULL (no reason stored) gives REJECTION_NONE. Returns 0, or -1 for an unknown name. */
int application_rejection_parse(const char *text, application_rejection *rejection);

/* What is stored of an application besides the applicant's data. Every text has a fixed format or a validated
   maximum the buffer holds; a longer stored text is refused on reading (ERR_TOO_LONG), never cut. */
typedef struct application_row {
    char id[32];
    long long api_key_id;
    char portal_reference[APPLICATION_REFERENCE_MAX + 1];   /* "" when none */
    char request_sha256[65];
    int non_residential;
    char subscriber_code[17];
    application_status status;
    application_rejection rejection; /* REJECTION_NONE unless status is APPLICATION_REJECTED */
    int has_debt;                    /* 1 when debt_qepik/debt_as_of were read from billing */
    int64_t debt_qepik;
    time_t debt_as_of;
    time_t submitted_at;
} application_row;

/* The applicant's data as validated (NFC strings; optional ones NULL). */
typedef struct applicant_data {
    const char *fin, *full_name, *birth_date, *id_document, *address;
    const char *org_voen, *org_name;
    const char *mobile, *email;
} applicant_data;

/* One entry of an application's history: an application status, or what happened to it later ("revoked",
   "sms_sent", "sms_failed"). */
typedef struct application_event {
    char *status;                    /* owned */
    time_t at;
} application_event;

/* An application's history, oldest first. Zero-initialised it is empty. */
typedef struct application_history {
    application_event *items;        /* owned */
    size_t count, cap;
} application_history;

/* Appends a copy of status at `at`. Returns 0, or -1 when out of memory (h unchanged). */
int application_history_add(application_history *h, const char *status, time_t at);

/* Frees the entries and empties h. */
void application_history_free(application_history *h);

/* Everything a portal is shown about one application. */
typedef struct application_details {
    application_row application;
    int has_certificate;             /* 1 when certificate holds its stored (issued) certificate */
    certificate_row certificate;
    application_history history;     /* owned */
} application_details;

/* Frees what details owns. */
void application_details_free(application_details *details);

#endif
