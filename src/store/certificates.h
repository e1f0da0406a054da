/* The certificates and certificate_documents tables: numbering, the issued PDF bytes, lookups by number, application and SHA-256, revocation. */
#ifndef ARAYIS_STORE_CERTIFICATES_H
#define ARAYIS_STORE_CERTIFICATES_H

#include <stdint.h>
#include <time.h>

#include "core/buf.h"
#include "store/db.h"

typedef struct certificate_row {
    char number[40];                /* AZI-YYYY-NNNNNN */
    char application_id[32];
    char code[17];                  /* verification code, ungrouped */
    time_t issued_at, valid_until;
    int non_residential;
    char subscriber_code[17];
    char holder[512];
    char address[1280];             /* "" when none */
    char voen[11];                  /* "" for residential */
    int64_t debt_qepik;
    time_t debt_as_of;
    char sha256[65];                /* "" until the PDF is stored */
    time_t revoked_at;              /* 0 when not revoked */
    char revocation_reason[2048];
    char revoked_by[65];
} certificate_row;

/* Takes the next number of c->issued_at's year (consecutive: a counter row updated in the caller's
   transaction) and inserts c without PDF. Fills c->number. Returns 0 or -1. */
int certificates_reserve(db *d, certificate_row *c, err *e);

/* Stores the issued PDF and its SHA-256 for a reserved number. Returns 0 or -1. */
int certificates_store_pdf(db *d, const char *number, const unsigned char *pdf, size_t len, const char *sha256, err *e);

/* Loads the row by number / by application. Return 1 found, 0 none, -1 error. */
int certificates_find(db *d, const char *number, certificate_row *c, err *e);
int certificates_find_by_application(db *d, const char *application_id, certificate_row *c, err *e);

/* Finds the number of the certificate whose PDF has this SHA-256. Returns 1 found, 0 none, -1 error. */
int certificates_find_by_sha256(db *d, const char *sha256, certificate_row *c, err *e);

/* Appends the stored PDF bytes of number to out. Returns 1 found, 0 none (or not yet stored), -1 error. */
int certificates_read_pdf(db *d, const char *number, buf *out, err *e);

/* Marks the certificate revoked unless it already is. Returns 1 revoked now, 0 already revoked or absent, -1 error. */
int certificates_revoke(db *d, const char *number, time_t at, const char *reason, const char *by, err *e);

/* Calls fn for each certificate numbered but not yet stored (sha256 still empty: an interrupted issue).
   Returns 0 or -1. */
int certificates_each_pending(db *d, void (*fn)(const certificate_row *c, void *ctx), void *ctx, err *e);

#endif
