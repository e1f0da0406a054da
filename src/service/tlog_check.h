/* Checking the database against its transparency log: each issued certificate and revocation has exactly one
   entry that says what the database says (the document's hash that of the stored PDF), the stored subtree hashes
   are those of the entries, and the latest checkpoint is the entries' root, signed by the log key. */
#ifndef ARAYIS_SERVICE_TLOG_CHECK_H
#define ARAYIS_SERVICE_TLOG_CHECK_H

#include <openssl/types.h>

#include "core/err.h"
#include "store/store.h"

/* Called with each problem found (English, numbers and indexes only), in the order found. */
typedef void (*tlog_problem_fn)(const char *problem, void *ctx);

/* What tlog_check_store went through. */
typedef struct tlog_checked {
    unsigned long long entries, certificates, revocations, subtrees;
    unsigned long long checkpoint_size;   /* of the latest checkpoint; 0 when none */
    unsigned long problems;
} tlog_checked;

/* Checks the store s against its log as it was at one instant (one snapshot, while the service goes on writing),
   verifying the latest checkpoint with the log key (borrowed), calling problem for each problem found (at most
   TLOG_CHECK_MAX_PROBLEMS; the count goes on). Returns 0 with *out filled (problems or not), or -1 with e set when
   the check could not run (the store failed). */
int tlog_check_store(store *s, EVP_PKEY *log_key, tlog_problem_fn problem, void *ctx, tlog_checked *out, err *e);

#define TLOG_CHECK_MAX_PROBLEMS 100

#endif
