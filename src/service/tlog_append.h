/* Appending to the transparency log inside the writes that issue and revoke, and bringing the log up to date at
   start with what was issued or revoked before it (or while it was off). */
#ifndef ARAYIS_SERVICE_TLOG_APPEND_H
#define ARAYIS_SERVICE_TLOG_APPEND_H

#include <stdint.h>
#include <time.h>

#include "core/err.h"
#include "model/certificate.h"
#include "model/tlog_entry.h"
#include "store/store.h"
#include "store/tlog.h"

/* What appending needs: whether the log is on, and the fingerprint of the certificate that signs documents. */
typedef struct tlog_appender {
    int enabled;
    unsigned char signing_key_id[32];
} tlog_appender;

/* Appends the issuance entry of certificate number (document SHA-256 as hex, its times) inside the caller's write
   transaction, with the hashes of the subtrees it completes: a handful of indexed statements. Nothing when the log
   is off. Returns 0, or -1 with e set (ERR_CONFLICT when the certificate has an issuance entry already). */
int tlog_append_issuance(db *d, const tlog_appender *a, const char *number, const char *sha256_hex, time_t issued_at,
                         time_t valid_until, err *e);

/* Appends the revocation entry of the revoked certificate c inside the caller's write transaction: its issuance
   entry's fields (that entry appended first when c has none: issued while the log was off), c->revoked_at and code.
   Nothing when the log is off. Returns 0, or -1 with e set. */
int tlog_append_revocation(db *d, const tlog_appender *a, const certificate_row *c, revocation_code code, err *e);

/* What tlog_backfill appended. */
typedef struct tlog_backfilled {
    long long issuances, revocations;
} tlog_backfilled;

/* Appends the entries the log lacks: every issued certificate without an issuance entry, in number order, then every
   revoked one without a revocation entry (a revocation from before reason codes is logged as unspecified), in
   batches of TLOG_BACKFILL_BATCH per write (store_write: on PostgreSQL under the write lock, so that nodes starting
   together take turns and a later one finds nothing left). Nothing when the log is off. Returns 0, or -1 with e
   set. */
int tlog_backfill(store *s, const tlog_appender *a, tlog_backfilled *out, err *e);

#define TLOG_BACKFILL_BATCH 2000

/* The subtree hash (level, index) from the store for merkle functions; ctx is the db. A hash that is not stored is
   ERR_INTERNAL. */
int tlog_stored_subtree(void *ctx, unsigned level, uint64_t index, unsigned char out[32], err *e);

#endif
