/* The reads behind code checks, shared: checks that wait at the same time are read in one go by the first of them,
   so that on PostgreSQL a node pays one round trip and one statement for many; each read starts after its check
   arrived, so every check sees what was committed before it (a revocation on any node included). */
#ifndef ARAYIS_SERVICE_VERIFY_BATCH_H
#define ARAYIS_SERVICE_VERIFY_BATCH_H

#include "core/err.h"
#include "model/certificate.h"
#include "store/certificates.h"

typedef struct verify_batch verify_batch;

/* Reads every lookup of l (see certificates_find_each_at_or_before) on the calling thread. Returns 0, or -1 with e
   set. */
typedef int (*verify_batch_reader)(certificate_lookups *l, void *ctx, err *e);

/* Most checks read in one go; more wait for the next. */
#define VERIFY_BATCH_MAX 64

/* A batch whose reads are read(l, ctx, e): shared between the checks waiting together when shared is 1, one per
   check on the caller's thread when 0 (the embedded database, read in process). Returns NULL with e set. */
verify_batch *verify_batch_new(verify_batch_reader read, void *ctx, int shared, err *e);

/* Frees b once no call runs. b may be NULL. */
void verify_batch_free(verify_batch *b);

/* certificates_find_at_or_before of a well-formed number (AZI-YYYY-NNNNNN), read together with the checks waiting
   at the same time. Returns as that function: 1 with c and *exact set, 0, or -1 with e set (a failed read fails
   every check it was for). */
int verify_batch_find(verify_batch *b, const char *number, certificate_row *c, int *exact, err *e);

#endif
