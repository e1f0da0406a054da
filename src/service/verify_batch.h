/* The reads behind code checks, shared: on a shared store one reader thread reads the checks that wait at the same
   time in one go, so that a node pays one round trip and one statement for many and no thread waits for a row; each
   read starts after its checks arrived, so every check sees what was committed before it (a revocation on any node
   included). */
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

/* One check, embedded in its caller's state: the number asked for, and once read its answer. */
typedef struct verify_check verify_check;
struct verify_check {
    certificate_lookup lookup;      /* number and row: the caller's; found and exact: the answer */
    int rc;                         /* 0, or -1 with e set (a failed read fails every check it was for) */
    err e;
    void (*done)(verify_check *c);  /* called once the answer is in: on the reader thread when shared, else on the
                                       submitting thread before verify_batch_submit returns */
    void *owner;                    /* the caller's */
    verify_check *next;             /* the batch's */
};

/* A batch whose reads are read(l, ctx, e): shared between the checks waiting together by a reader thread of its own
   when shared is 1, one per check on the caller's thread when 0 (the embedded database, read in process). Returns
   NULL with e set. */
verify_batch *verify_batch_new(verify_batch_reader read, void *ctx, int shared, err *e);

/* Reads what is queued, then stops the reader and frees b. No submit may come after it; b may be NULL. */
void verify_batch_free(verify_batch *b);

/* 1 when checks are read by the reader thread, so that a caller who must not block submits and goes on. */
int verify_batch_shared(const verify_batch *b);

/* Queues c (its lookup's number well formed: AZI-YYYY-NNNNNN) and returns; c->done(c) is called once it is read.
   c must stay valid until then. */
void verify_batch_submit(verify_batch *b, verify_check *c);

/* The same, waiting for the answer: returns as certificates_find_at_or_before, 1 with c and *exact set, 0, or -1 with
   e set. */
int verify_batch_find(verify_batch *b, const char *number, certificate_row *c, int *exact, err *e);

#endif
