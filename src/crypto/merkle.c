/* RFC 9162 Merkle tree hashes and proofs. A tree's ranges that proofs need are split into complete aligned
   subtrees, whose hashes come from the caller, so that a stored log answers from stored subtree hashes. */
#include "crypto/merkle.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"

#define MAX_SIZE (UINT64_C(1) << 63)

void merkle_leaf_hash(const void *entry, size_t len, unsigned char out[MERKLE_HASH_LEN])
{
    static const unsigned char prefix = 0x00;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int n = MERKLE_HASH_LEN;
    /* as in hash_sha256: a digest left unwritten would prove anything, so the process stops instead */
    if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(ctx, &prefix, 1) != 1 ||
        EVP_DigestUpdate(ctx, entry, len) != 1 || EVP_DigestFinal_ex(ctx, out, &n) != 1)
        abort();
    EVP_MD_CTX_free(ctx);
}

void merkle_node_hash(const unsigned char left[MERKLE_HASH_LEN], const unsigned char right[MERKLE_HASH_LEN],
                      unsigned char out[MERKLE_HASH_LEN])
{
    unsigned char node[1 + 2 * MERKLE_HASH_LEN];
    node[0] = 0x01;
    memcpy(node + 1, left, MERKLE_HASH_LEN);
    memcpy(node + 1 + MERKLE_HASH_LEN, right, MERKLE_HASH_LEN);
    hash_sha256(node, sizeof node, out);
}

/* The largest power of two below n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

/* MTH of leaves [lo, hi), hi > lo, where lo is a multiple of the smallest power of two >= hi - lo (true of every
   range the RFC's recursion makes): the complete subtrees that hi - lo's binary digits name, folded from the right.
   One subtree call per set bit; nothing is folded once a call says its hash is not known. */
static int range_hash(uint64_t lo, uint64_t hi, merkle_subtree_fn subtree, void *ctx, unsigned char out[MERKLE_HASH_LEN],
                      err *e)
{
    uint64_t n = hi - lo;
    int have = 0, known = 1;
    unsigned char piece[MERKLE_HASH_LEN];
    for (unsigned level = 0; level < MERKLE_MAX_LEVELS; level++) {
        if (!((n >> level) & 1))
            continue;
        uint64_t start = lo + ((n >> level >> 1) << level << 1); /* the leaves of the higher pieces come first */
        int rc = subtree(ctx, level, start >> level, have ? piece : out, e);
        if (rc < 0)
            return -1;
        known &= rc == 0;
        if (have && known)
            merkle_node_hash(piece, out, out);
        have = 1;
    }
    return 0;
}

int merkle_root(uint64_t size, merkle_subtree_fn subtree, void *ctx, unsigned char out[MERKLE_HASH_LEN], err *e)
{
    if (size >= MAX_SIZE)
        return err_set(e, ERR_INVALID, "tree size %llu is too large", (unsigned long long)size);
    if (size == 0) {
        hash_sha256("", 0, out);
        return 0;
    }
    return range_hash(0, size, subtree, ctx, out, e);
}

/* Appends MTH(D[lo:hi]) to the proof. */
static int push_range(merkle_proof *p, uint64_t lo, uint64_t hi, merkle_subtree_fn subtree, void *ctx, err *e)
{
    if (p->count == MERKLE_PROOF_MAX)
        return err_set(e, ERR_INTERNAL, "a proof longer than %d hashes", MERKLE_PROOF_MAX);
    return range_hash(lo, hi, subtree, ctx, p->hashes[p->count++], e);
}

/* PATH(m, D[lo:hi]) appended to out. */
static int inclusion_path(uint64_t m, uint64_t lo, uint64_t hi, merkle_subtree_fn subtree, void *ctx,
                          merkle_proof *out, err *e)
{
    uint64_t n = hi - lo;
    if (n == 1)
        return 0;
    uint64_t k = split_point(n);
    if (m < k)
        return inclusion_path(m, lo, lo + k, subtree, ctx, out, e) == 0 ? push_range(out, lo + k, hi, subtree, ctx, e) : -1;
    return inclusion_path(m - k, lo + k, hi, subtree, ctx, out, e) == 0 ? push_range(out, lo, lo + k, subtree, ctx, e) : -1;
}

int merkle_inclusion_proof(uint64_t index, uint64_t size, merkle_subtree_fn subtree, void *ctx, merkle_proof *out,
                           err *e)
{
    out->count = 0;
    if (index >= size || size >= MAX_SIZE)
        return err_set(e, ERR_INVALID, "no leaf %llu in a tree of %llu", (unsigned long long)index,
                       (unsigned long long)size);
    return inclusion_path(index, 0, size, subtree, ctx, out, e);
}

/* SUBPROOF(m, D[lo:hi], whole) appended to out. */
static int subproof(uint64_t m, uint64_t lo, uint64_t hi, int whole, merkle_subtree_fn subtree, void *ctx,
                    merkle_proof *out, err *e)
{
    uint64_t n = hi - lo;
    if (m == n)
        return whole ? 0 : push_range(out, lo, hi, subtree, ctx, e);
    uint64_t k = split_point(n);
    if (m <= k)
        return subproof(m, lo, lo + k, whole, subtree, ctx, out, e) == 0 ? push_range(out, lo + k, hi, subtree, ctx, e) : -1;
    return subproof(m - k, lo + k, hi, 0, subtree, ctx, out, e) == 0 ? push_range(out, lo, lo + k, subtree, ctx, e) : -1;
}

int merkle_consistency_proof(uint64_t first, uint64_t second, merkle_subtree_fn subtree, void *ctx, merkle_proof *out,
                             err *e)
{
    out->count = 0;
    if (first == 0 || first > second || second >= MAX_SIZE)
        return err_set(e, ERR_INVALID, "no consistency proof from %llu to %llu leaves", (unsigned long long)first,
                       (unsigned long long)second);
    return subproof(first, 0, second, 1, subtree, ctx, out, e);
}

/* RFC 9162's step for a node on the right edge: right-shifts fn and sn together until fn is odd or 0. */
static void skip_right_edge(uint64_t *fn, uint64_t *sn)
{
    while (!(*fn & 1) && *fn != 0) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

int merkle_verify_inclusion(uint64_t index, uint64_t size, const unsigned char leaf[MERKLE_HASH_LEN],
                            const unsigned char (*hashes)[MERKLE_HASH_LEN], size_t count,
                            const unsigned char root[MERKLE_HASH_LEN])
{
    if (index >= size)
        return 0;
    uint64_t fn = index, sn = size - 1;
    unsigned char r[MERKLE_HASH_LEN];
    memcpy(r, leaf, MERKLE_HASH_LEN);
    for (size_t i = 0; i < count; i++) {
        if (sn == 0)
            return 0;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(hashes[i], r, r);
            skip_right_edge(&fn, &sn);
        } else {
            merkle_node_hash(r, hashes[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && hash_equal_ct(r, root, MERKLE_HASH_LEN);
}

int merkle_verify_consistency(uint64_t first, uint64_t second, const unsigned char first_root[MERKLE_HASH_LEN],
                              const unsigned char second_root[MERKLE_HASH_LEN],
                              const unsigned char (*hashes)[MERKLE_HASH_LEN], size_t count)
{
    if (first == 0 || first > second)
        return 0;
    if (first == second)
        return count == 0 && hash_equal_ct(first_root, second_root, MERKLE_HASH_LEN);
    if (count == 0)
        return 0;
    /* a first tree of a power of two leaves is itself a subtree of the second: its root heads the path */
    int first_is_subtree = (first & (first - 1)) == 0;
    size_t i = first_is_subtree ? 0 : 1;
    const unsigned char *start = first_is_subtree ? first_root : hashes[0];
    uint64_t fn = first - 1, sn = second - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    unsigned char fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
    memcpy(fr, start, MERKLE_HASH_LEN);
    memcpy(sr, start, MERKLE_HASH_LEN);
    for (; i < count; i++) {
        if (sn == 0)
            return 0;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(hashes[i], fr, fr);
            merkle_node_hash(hashes[i], sr, sr);
            skip_right_edge(&fn, &sn);
        } else {
            merkle_node_hash(sr, hashes[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && hash_equal_ct(fr, first_root, MERKLE_HASH_LEN) &&
           hash_equal_ct(sr, second_root, MERKLE_HASH_LEN);
}

void merkle_range_init(merkle_range *r)
{
    r->size = 0;
    r->count = 0;
}

int merkle_range_load(merkle_range *r, uint64_t size, merkle_subtree_fn subtree, void *ctx, err *e)
{
    merkle_range_init(r);
    if (size >= MAX_SIZE)
        return err_set(e, ERR_INVALID, "tree size %llu is too large", (unsigned long long)size);
    uint64_t start = 0;
    for (unsigned level = MERKLE_MAX_LEVELS; level-- > 0;) {
        if (!((size >> level) & 1))
            continue;
        if (subtree(ctx, level, start >> level, r->hashes[r->count], e) < 0)
            return -1;
        r->count++;
        start += UINT64_C(1) << level;
    }
    r->size = size;
    return 0;
}

int merkle_range_append(merkle_range *r, const unsigned char leaf[MERKLE_HASH_LEN], err *e)
{
    if (r->size + 1 >= MAX_SIZE)
        return err_set(e, ERR_FULL, "the tree is full");
    memcpy(r->hashes[r->count++], leaf, MERKLE_HASH_LEN);
    /* each trailing one of the old size is a subtree of the same height that the new leaf completes */
    for (uint64_t s = r->size; s & 1; s >>= 1) {
        merkle_node_hash(r->hashes[r->count - 2], r->hashes[r->count - 1], r->hashes[r->count - 2]);
        r->count--;
    }
    r->size++;
    return 0;
}

void merkle_range_root(const merkle_range *r, unsigned char out[MERKLE_HASH_LEN])
{
    if (r->count == 0) {
        hash_sha256("", 0, out);
        return;
    }
    memcpy(out, r->hashes[r->count - 1], MERKLE_HASH_LEN);
    for (size_t i = r->count - 1; i-- > 0;)
        merkle_node_hash(r->hashes[i], out, out);
}
