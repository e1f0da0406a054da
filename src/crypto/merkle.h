/* RFC 9162 Merkle trees over SHA-256: leaf and node hashes, tree heads, inclusion and consistency proofs (made from
   the hashes of complete subtrees, and checked), and compact ranges for a verifier that follows a log. Pure: no
   storage, no I/O. */
#ifndef ARAYIS_CRYPTO_MERKLE_H
#define ARAYIS_CRYPTO_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define MERKLE_HASH_LEN 32

/* The most levels a tree has: sizes are below 2^63. */
#define MERKLE_MAX_LEVELS 64

/* The most hashes a proof has: an inclusion proof has at most one per level, a consistency proof one more. */
#define MERKLE_PROOF_MAX (MERKLE_MAX_LEVELS + 1)

/* A proof as a list of hashes, from the leaf side up. */
typedef struct merkle_proof {
    size_t count;
    unsigned char hashes[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
} merkle_proof;

/* Writes the hash of the complete subtree at (level, index) into out: the 2^level leaves from index * 2^level on
   (level 0: the leaf hash of entry index). Returns 0, 1 when the hash is not known yet (a pass that only learns
   which subtrees a proof reads: hashes made from it are left unwritten), or -1 with e set. */
typedef int (*merkle_subtree_fn)(void *ctx, unsigned level, uint64_t index, unsigned char out[MERKLE_HASH_LEN],
                                 err *e);

/* H(0x00 || entry) into out. */
void merkle_leaf_hash(const void *entry, size_t len, unsigned char out[MERKLE_HASH_LEN]);

/* H(0x01 || left || right) into out (out may be left or right). */
void merkle_node_hash(const unsigned char left[MERKLE_HASH_LEN], const unsigned char right[MERKLE_HASH_LEN],
                      unsigned char out[MERKLE_HASH_LEN]);

/* The root (MTH) of the first size leaves, asking subtree for one hash per set bit of size (the empty tree's root
   is H("")). Returns 0, or -1 with e set (subtree failed, or size is 2^63 or more). */
int merkle_root(uint64_t size, merkle_subtree_fn subtree, void *ctx, unsigned char out[MERKLE_HASH_LEN], err *e);

/* The inclusion proof of leaf index in the tree of size leaves (RFC 9162 2.1.3.1), asking subtree for O(log size)
   hashes. Returns 0, or -1 with e set (ERR_INVALID unless index < size < 2^63, or subtree failed). */
int merkle_inclusion_proof(uint64_t index, uint64_t size, merkle_subtree_fn subtree, void *ctx, merkle_proof *out,
                           err *e);

/* The consistency proof between the trees of first and second leaves (RFC 9162 2.1.4.1; empty when they are equal),
   asking subtree for O(log second) hashes. Returns 0, or -1 with e set (ERR_INVALID unless
   0 < first <= second < 2^63, or subtree failed). */
int merkle_consistency_proof(uint64_t first, uint64_t second, merkle_subtree_fn subtree, void *ctx, merkle_proof *out,
                             err *e);

/* 1 when hashes (count of them) prove that leaf is leaf index of the tree of size leaves whose root is root
   (RFC 9162 2.1.3.2), else 0. */
int merkle_verify_inclusion(uint64_t index, uint64_t size, const unsigned char leaf[MERKLE_HASH_LEN],
                            const unsigned char (*hashes)[MERKLE_HASH_LEN], size_t count,
                            const unsigned char root[MERKLE_HASH_LEN]);

/* 1 when hashes prove that the tree of first leaves with root first_root is a prefix of the tree of second leaves
   with root second_root (RFC 9162 2.1.4.2; for first == second: no hashes and equal roots), else 0. first must be
   at least 1. */
int merkle_verify_consistency(uint64_t first, uint64_t second, const unsigned char first_root[MERKLE_HASH_LEN],
                              const unsigned char second_root[MERKLE_HASH_LEN],
                              const unsigned char (*hashes)[MERKLE_HASH_LEN], size_t count);

/* A compact range over leaves [0, size): the roots of the complete subtrees that size's binary digits name, the
   largest (leftmost) first. Enough to append leaves and compute the root without the leaves before. */
typedef struct merkle_range {
    uint64_t size;
    size_t count;
    unsigned char hashes[MERKLE_MAX_LEVELS][MERKLE_HASH_LEN];
} merkle_range;

/* The range of the empty tree. */
void merkle_range_init(merkle_range *r);

/* Fills r for the first size leaves from subtree (one call per set bit of size). Returns 0, or -1 with e set. */
int merkle_range_load(merkle_range *r, uint64_t size, merkle_subtree_fn subtree, void *ctx, err *e);

/* Appends the leaf hash leaf. Returns 0, or -1 with e set (ERR_FULL at 2^63 leaves). */
int merkle_range_append(merkle_range *r, const unsigned char leaf[MERKLE_HASH_LEN], err *e);

/* The root of the tree the range covers into out. */
void merkle_range_root(const merkle_range *r, unsigned char out[MERKLE_HASH_LEN]);

#endif
