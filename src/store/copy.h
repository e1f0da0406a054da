/* Copying a whole database into an empty one of either engine, table by table in keyset-paged batches, with the row
   counts of both compared and the copied documents read back for their check. */
#ifndef ARAYIS_STORE_COPY_H
#define ARAYIS_STORE_COPY_H

#include <stddef.h>

#include "store/db.h"

/* Rows read from the source per statement: on PostgreSQL a statement's rows are held in memory whole, so a batch of
   documents (under 40 KB each) stays within a few megabytes. */
#define COPY_BATCH_ROWS 128

/* Told after each table was copied and counted: its name and its row count, equal in both databases. */
typedef void (*copy_progress)(const char *table, long long rows, void *ctx);

/* Checks one document as read back from the target, inside the copy's transaction: the certificate's number, the
   SHA-256 (lower-case hex) its certificate row holds, and the document's bytes (valid for the call only). Returns 0,
   or -1 with e set, which rolls the whole copy back. */
typedef int (*copy_document_check)(const char *number, const char *sha256, const void *pdf, size_t len, void *ctx,
                                   err *e);

typedef struct copy_hooks {
    copy_progress progress;     /* may be NULL */
    copy_document_check check;  /* may be NULL */
    void *ctx;                  /* handed to both */
} copy_hooks;

/* Copies every table of the database of source (api_keys, subscribers, applications, application_events,
   certificate_counters, certificates, certificate_documents, sms_outbox, audit_log, portal_events: all columns,
   NULLs and ids kept) into target, whose schema is already in place at the same version. The copy runs in one
   transaction on target: it first refuses a target holding any row (ERR_CONFLICT, naming the table, nothing
   written), then reads source inside a transaction of its own (a consistent view: on both engines a write
   transaction keeps other writers out meanwhile), compares each table's row count in both databases, moves
   PostgreSQL's identity sequences past the copied ids, and hands every copied document to hooks->check. Neither
   connection may be in a transaction. Returns 0, or -1 with e set (nothing of the copy is kept in target). */
int copy_database(db *source, db *target, const copy_hooks *hooks, err *e);

#endif
