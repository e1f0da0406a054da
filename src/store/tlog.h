/* The tlog_entries, tlog_subtrees and tlog_checkpoints tables: the transparency log's entries in append order, the
   hashes of its complete subtrees, its signed checkpoints; and the issued or revoked certificates it lacks. Hashes
   are computed above the store; here they are only kept. */
#ifndef ARAYIS_STORE_TLOG_H
#define ARAYIS_STORE_TLOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/buf.h"
#include "model/tlog_entry.h"
#include "store/db.h"

/* The number of entries (the largest index + 1, 0 when empty) into *size. Returns 0 or -1 with e set. */
int tlog_store_size(db *d, uint64_t *size, err *e);

/* As tlog_store_size, for an append in a write transaction: when the transaction does not know the size yet, the
   hashes that appends at that size and after it read as left siblings (one complete subtree per one bit of the
   size, the frontier) come with it, in one statement, and are kept for the transaction (see db_memo_put). Returns 0
   or -1 with e set. */
int tlog_store_size_for_append(db *d, uint64_t *size, err *e);

/* Inserts entry idx (its canonical bytes and leaf hash) for certificate number. Returns 0, or -1 with e set
   (ERR_CONFLICT when the index or the certificate's entry of this type exists). */
int tlog_store_append(db *d, uint64_t idx, const char *number, tlog_entry_type type, const unsigned char *entry,
                      size_t len, const unsigned char leaf_hash[32], err *e);

/* The hash of the complete subtree (level, index) into out: the leaf hash of entry index for level 0, else the
   stored hash. Returns 1, 0 when none is stored, or -1 with e set. */
int tlog_store_subtree(db *d, unsigned level, uint64_t index, unsigned char out[32], err *e);

/* One complete subtree a proof needs, (level, index), and its hash once found. */
typedef struct tlog_subtree_ref {
    unsigned level;
    uint64_t index;
    int found;
    unsigned char hash[32];
} tlog_subtree_ref;

/* Reads the hashes of the refs not yet found (leaf hashes for level 0), many to a statement, and marks them found.
   Returns 0, or -1 with e set (ERR_INTERNAL naming a subtree the log lacks). */
int tlog_store_fill_subtrees(db *d, tlog_subtree_ref *refs, size_t n, err *e);

/* Stores the hash of the complete subtree (level >= 1, index). Returns 0 or -1 with e set. */
int tlog_store_put_subtree(db *d, unsigned level, uint64_t index, const unsigned char hash[32], err *e);

/* The number of stored subtree hashes into *count. Returns 0 or -1 with e set. */
int tlog_store_subtree_count(db *d, long long *count, err *e);

/* The index of certificate number's entry of each type into *issued and *revoked (-1 when it has none). Returns 0
   or -1 with e set. */
int tlog_store_indexes(db *d, const char *number, long long *issued, long long *revoked, err *e);

/* One stored entry; the bytes live only during the callback. */
typedef struct tlog_stored_entry {
    uint64_t idx;
    const char *number;
    tlog_entry_type type;
    const unsigned char *entry;
    size_t len;
    const unsigned char *leaf_hash;  /* 32 bytes, or NULL when the stored value is not 32 bytes */
} tlog_stored_entry;

/* Calls fn for each entry of index start to end - 1, in order. Returns 0, or -1 with e set (fn's failure). */
int tlog_store_each_entry(db *d, uint64_t start, uint64_t end, int (*fn)(const tlog_stored_entry *s, void *ctx, err *e),
                          void *ctx, err *e);

/* The latest checkpoint (the largest tree): its size, root and note (appended to note, which may be NULL).
   Returns 1, 0 when there is none, or -1 with e set. */
int tlog_store_latest_checkpoint(db *d, uint64_t *size, unsigned char root[32], buf *note, err *e);

/* Stores the checkpoint of size leaves unless one of that size exists (every node signs the same one). Returns 0 or
   -1 with e set. */
int tlog_store_put_checkpoint(db *d, uint64_t size, const unsigned char root[32], const char *note, time_t at, err *e);

/* An issued (or revoked) certificate without its entry; strings live only during the callback. */
typedef struct tlog_unlogged {
    const char *number;
    const char *sha256;         /* hex, as stored */
    time_t issued_at, valid_until, revoked_at;
    long long revocation_code;  /* as stored; -1 for NULL (revoked before the log knew codes) */
} tlog_unlogged;

/* Calls fn for at most limit issued certificates (type TLOG_ISSUANCE) or revoked ones (TLOG_REVOCATION) that have
   no entry of that type, numbered after `after`, in number order. Returns the number of rows, or -1 with e set. */
int tlog_store_each_unlogged(db *d, tlog_entry_type type, const char *after, int limit,
                             int (*fn)(const tlog_unlogged *u, void *ctx, err *e), void *ctx, err *e);

/* The number of issued certificates (type TLOG_ISSUANCE) or revoked ones (TLOG_REVOCATION), and of entries of that
   type. Returns 0 or -1 with e set. */
int tlog_store_counts(db *d, tlog_entry_type type, long long *certificates, long long *entries, err *e);

#endif
