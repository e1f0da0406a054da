/* The public transparency log as the service answers it: the latest checkpoint, entries by index, inclusion and
   consistency proofs, the log's identity. */
#ifndef ARAYIS_SERVICE_TLOG_H
#define ARAYIS_SERVICE_TLOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/merkle.h"
#include "crypto/signed_note.h"
#include "model/tlog_entry.h"
#include "service/services.h"

/* The most entries one request for entries gets. */
#define TLOG_ENTRIES_MAX 256

/* The log's name and key as published. */
typedef struct tlog_identity {
    char origin[NOTE_ORIGIN_MAX + 1];
    char public_key[64];             /* base64 of the 32-byte Ed25519 key */
    buf verifier_key;                /* name+hash+key; the caller frees it */
} tlog_identity;

/* Fills id (id->verifier_key must be BUF_INIT). Returns 0, or -1 with e set. */
int tlog_identity_of(services *svc, tlog_identity *id, err *e);

/* Appends the latest checkpoint's note to note and sets *size. Returns 1, 0 when none has been signed yet, -1 with
   e set. */
int tlog_latest(services *svc, buf *note, uint64_t *size, err *e);

/* One entry as served. */
typedef struct tlog_served_entry {
    uint64_t index;
    unsigned char bytes[TLOG_ENTRY_MAX];
    size_t len;
} tlog_served_entry;

/* The entries of index start to end - 1, end cut to the latest checkpoint's size, into out (TLOG_ENTRIES_MAX of
   them at most; *count set). *complete is 1 when all end - start asked for were given (such an answer never
   changes). Returns 0, or -1 with e set (ERR_INVALID unless start < end, end - start <= TLOG_ENTRIES_MAX and start
   is below the latest checkpoint's size). */
int tlog_entries(services *svc, uint64_t start, uint64_t end, tlog_served_entry *out, size_t *count, int *complete,
                 err *e);

/* The inclusion proof of entry *index (or, when number is not NULL, of certificate number's issuance entry, whose
   index is then set) in the tree of tree_size leaves. Returns 1, 0 when number has no issuance entry, -1 with e
   set (ERR_INVALID unless index < tree_size <= the latest checkpoint's size). */
int tlog_inclusion(services *svc, const char *number, uint64_t *index, uint64_t tree_size, merkle_proof *proof,
                   err *e);

/* The consistency proof between trees of first and second leaves. Returns 0, or -1 with e set (ERR_INVALID unless
   0 < first <= second <= the latest checkpoint's size). */
int tlog_consistency(services *svc, uint64_t first, uint64_t second, merkle_proof *proof, err *e);

/* The indexes of certificate number's issuance and revocation entries (-1 when none). Returns 0, or -1 with e set. */
int tlog_indexes(services *svc, const char *number, long long *issued, long long *revoked, err *e);

#endif
