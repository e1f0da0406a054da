/* The certificates and certificate_documents tables: numbering, the issued PDF bytes, lookups by number, application and SHA-256, revocation, void numbers. */
#ifndef ARAYIS_STORE_CERTIFICATES_H
#define ARAYIS_STORE_CERTIFICATES_H

#include <stdint.h>
#include <time.h>

#include "core/buf.h"
#include "model/certificate.h"
#include "model/tlog_entry.h"
#include "store/db.h"

/* Takes the next number of c->issued_at's year (consecutive: a counter row updated in the caller's
   transaction) and inserts c without PDF, claimed by the caller until claimed_until (see certificates_claim).
   Fills c->number. Returns 0 or -1. */
int certificates_reserve(db *d, certificate_row *c, time_t claimed_until, err *e);

/* Claims the pending certificate number until `until`, unless another claim on it lasts past now: whoever holds
   the claim renders, signs and stores it, so that several nodes never complete one number twice and a number left
   by a node that died is taken over once its claim has run out. Returns 1 claimed, 0 claimed by another, stored or
   void, -1 error. */
int certificates_claim(db *d, const char *number, time_t now, time_t until, err *e);

/* Gives up the claim on a pending certificate (its completion must wait, e.g. for the TSA), so that the next
   attempt of any node may take it at once. Returns 0 or -1. */
int certificates_release(db *d, const char *number, err *e);

/* Storing an issued PDF takes both, in one transaction: certificates_mark_stored sets the SHA-256 and the PAdES
   level of its signature on a reserved number (ERR_CONFLICT when the number is not pending), and
   certificates_put_document inserts the document itself (a row of its own, keyed by the number). Return 0 or -1. */
int certificates_mark_stored(db *d, const char *number, const char *sha256, signature_level level, err *e);
int certificates_put_document(db *d, const char *number, const unsigned char *pdf, size_t len, err *e);

/* Loads the row by number / by application, its state (pending, issued, void) read from its columns. Return 1
   found, 0 none, -1 error (ERR_TOO_LONG when a stored text does not fit c). */
int certificates_find(db *d, const char *number, certificate_row *c, err *e);
int certificates_find_by_application(db *d, const char *application_id, certificate_row *c, err *e);

/* The lookup of certificates_find_by_application sent ahead (db_read_ahead), its row read by certificates_read_row,
   which returns as the lookups above (-1 for a NULL st). NULL with e set. */
stmt *certificates_find_by_application_ahead(db *d, const char *application_id, err *e);
int certificates_read_row(stmt *st, certificate_row *c, err *e);

/* The read behind the public code check, alike whether number exists or not: loads, with one index seek, the row of
   number or else the nearest row before it, with its transparency log positions. *exact is 1 when the row is
   number's own and its PDF is stored. Returns 1 (a row read into c: number's or a neighbour's), 0 (no row precedes
   number; c untouched), -1 error. */
int certificates_find_at_or_before(db *d, const char *number, certificate_row *c, int *exact, err *e);

/* One read of certificates_find_each_at_or_before: number (AZI-YYYY-NNNNNN) in, the row into *row out. */
typedef struct certificate_lookup {
    const char *number;
    certificate_row *row;
    int found;              /* 1: a row was read into *row (number's or a neighbour's), 0: no row precedes number */
    int exact;              /* as certificates_find_at_or_before's */
} certificate_lookup;

typedef struct certificate_lookups {
    certificate_lookup *items;
    size_t count;
} certificate_lookups;

/* certificates_find_at_or_before for each of a list of numbers, each well formed (else ERR_INVALID, nothing read):
   on PostgreSQL in one statement, whose work per number is the same seek; on SQLite one statement each. Returns 0
   with every lookup's found and exact set, or -1 with e set. */
int certificates_find_each_at_or_before(db *d, certificate_lookups *l, err *e);

/* Loads the issued certificate whose PDF has this SHA-256. Returns 1 found, 0 none, -1 error. */
int certificates_find_by_sha256(db *d, const char *sha256, certificate_row *c, err *e);

/* Appends the stored PDF bytes of number to out. Returns 1 found, 0 none (or not yet stored), -1 error. */
int certificates_read_pdf(db *d, const char *number, buf *out, err *e);

/* Marks the certificate revoked (with its reason code) unless it already is. Returns 1 revoked now, 0 already revoked
   or absent, -1 error. */
int certificates_revoke(db *d, const char *number, time_t at, const char *reason, revocation_code code, const char *by,
                        err *e);

/* Calls fn with the number and application id of each certificate numbered before numbered_before but neither stored
   nor void (an interrupted issue) and not claimed past unclaimed_at; the strings live only during the call. Returns
   0 or -1. */
int certificates_each_pending(db *d, time_t numbered_before, time_t unclaimed_at,
                              void (*fn)(const char *number, const char *application_id, void *ctx), void *ctx, err *e);

/* Marks a numbered, not yet stored certificate void at `at` for reason (English, no personal data). The number
   stays taken. Returns 1 voided now, 0 already stored or void (or absent), -1 error. */
int certificates_void(db *d, const char *number, time_t at, const char *reason, err *e);

/* One void certificate as listed for operators (strings live only during the callback). */
typedef struct certificate_void {
    const char *number, *application_id, *reason;
    time_t voided_at;
} certificate_void;

/* Calls fn for each void certificate, oldest first. Returns 0 or -1. */
int certificates_each_void(db *d, void (*fn)(const certificate_void *v, void *ctx), void *ctx, err *e);

#endif
