/* Unit tests of the RFC 9162 Merkle tree: the reference vectors of RFC 6962's test data, and every root, inclusion
   and consistency proof of every tree up to 64 leaves against a direct recursive MTH. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "crypto/merkle.h"

#define MAX_LEAVES 64

/* The eight reference inputs of RFC 6962's test data. */
static const struct {
    const char *bytes;
    size_t len;
} INPUTS[8] = {
    {"", 0},
    {"\x00", 1},
    {"\x10", 1},
    {"\x20\x21", 2},
    {"\x30\x31", 2},
    {"\x40\x41\x42\x43", 4},
    {"\x50\x51\x52\x53\x54\x55\x56\x57", 8},
    {"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16},
};

/* Their tree heads for 0 to 8 leaves. */
static const char *const ROOTS[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

typedef struct vector {
    uint64_t a, b;          /* leaf index and tree size, or first and second size */
    size_t count;
    const char *hashes[3];
} vector;

static const vector INCLUSIONS[] = {
    {0, 8, 3, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5, 8, 3, {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1, 5, 3, {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static const vector CONSISTENCIES[] = {
    {1, 1, 0, {NULL}},
    {1, 8, 3, {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8, 3, {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 5, 2, {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

static unsigned char leaves[MAX_LEAVES][MERKLE_HASH_LEN];
static int subtree_calls;

static void unhex(const char *hex, unsigned char out[MERKLE_HASH_LEN])
{
    for (size_t i = 0; i < MERKLE_HASH_LEN; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (unsigned char)v;
    }
}

/* MTH(D[lo:hi]) straight from RFC 9162 2.1.1. */
static void direct_mth(size_t lo, size_t hi, unsigned char out[MERKLE_HASH_LEN])
{
    if (hi - lo == 1) {
        memcpy(out, leaves[lo], MERKLE_HASH_LEN);
        return;
    }
    size_t k = 1;
    while (k * 2 < hi - lo)
        k *= 2;
    unsigned char left[MERKLE_HASH_LEN], right[MERKLE_HASH_LEN];
    direct_mth(lo, lo + k, left);
    direct_mth(lo + k, hi, right);
    merkle_node_hash(left, right, out);
}

static int subtree(void *ctx, unsigned level, uint64_t index, unsigned char out[MERKLE_HASH_LEN], err *e)
{
    (void)ctx;
    (void)e;
    subtree_calls++;
    uint64_t lo = index << level, hi = (index + 1) << level;
    assert_true(hi <= MAX_LEAVES);
    direct_mth((size_t)lo, (size_t)hi, out);
    return 0;
}

static void use_reference_leaves(void)
{
    for (size_t i = 0; i < 8; i++)
        merkle_leaf_hash(INPUTS[i].bytes, INPUTS[i].len, leaves[i]);
}

static void use_numbered_leaves(void)
{
    for (unsigned i = 0; i < MAX_LEAVES; i++) {
        unsigned char entry[2] = {(unsigned char)i, (unsigned char)(i * 7)};
        merkle_leaf_hash(entry, sizeof entry, leaves[i]);
    }
}

static void assert_proof(const merkle_proof *p, const vector *v)
{
    assert_int_equal(p->count, v->count);
    for (size_t i = 0; i < v->count; i++) {
        unsigned char want[MERKLE_HASH_LEN];
        unhex(v->hashes[i], want);
        assert_memory_equal(p->hashes[i], want, MERKLE_HASH_LEN);
    }
}

static void test_reference_roots(void **state)
{
    (void)state;
    use_reference_leaves();
    err e = {0};
    merkle_range r;
    merkle_range_init(&r);
    for (uint64_t n = 0; n <= 8; n++) {
        unsigned char want[MERKLE_HASH_LEN], got[MERKLE_HASH_LEN];
        unhex(ROOTS[n], want);
        assert_int_equal(merkle_root(n, subtree, NULL, got, &e), 0);
        assert_memory_equal(got, want, MERKLE_HASH_LEN);
        merkle_range_root(&r, got);
        assert_memory_equal(got, want, MERKLE_HASH_LEN);
        if (n < 8)
            assert_int_equal(merkle_range_append(&r, leaves[n], &e), 0);
    }
}

static void test_reference_proofs(void **state)
{
    (void)state;
    use_reference_leaves();
    err e = {0};
    merkle_proof p;
    unsigned char root[MERKLE_HASH_LEN], first[MERKLE_HASH_LEN];
    for (size_t i = 0; i < sizeof INCLUSIONS / sizeof INCLUSIONS[0]; i++) {
        const vector *v = &INCLUSIONS[i];
        assert_int_equal(merkle_inclusion_proof(v->a, v->b, subtree, NULL, &p, &e), 0);
        assert_proof(&p, v);
        unhex(ROOTS[v->b], root);
        assert_true(merkle_verify_inclusion(v->a, v->b, leaves[v->a], (const unsigned char (*)[32])p.hashes, p.count, root));
    }
    for (size_t i = 0; i < sizeof CONSISTENCIES / sizeof CONSISTENCIES[0]; i++) {
        const vector *v = &CONSISTENCIES[i];
        assert_int_equal(merkle_consistency_proof(v->a, v->b, subtree, NULL, &p, &e), 0);
        assert_proof(&p, v);
        unhex(ROOTS[v->a], first);
        unhex(ROOTS[v->b], root);
        assert_true(merkle_verify_consistency(v->a, v->b, first, root, (const unsigned char (*)[32])p.hashes, p.count));
    }
}

/* Every size up to 64: the root, each leaf's inclusion proof and each earlier size's consistency proof agree with
   the direct MTH, verify, and fail once any hash, the leaf or its index is changed. */
static void test_every_tree_up_to_64(void **state)
{
    (void)state;
    use_numbered_leaves();
    err e = {0};
    merkle_range r;
    merkle_range_init(&r);
    for (uint64_t n = 1; n <= MAX_LEAVES; n++) {
        unsigned char want[MERKLE_HASH_LEN], got[MERKLE_HASH_LEN];
        assert_int_equal(merkle_range_append(&r, leaves[n - 1], &e), 0);
        direct_mth(0, (size_t)n, want);
        assert_int_equal(merkle_root(n, subtree, NULL, got, &e), 0);
        assert_memory_equal(got, want, MERKLE_HASH_LEN);
        merkle_range_root(&r, got);
        assert_memory_equal(got, want, MERKLE_HASH_LEN);
        merkle_range loaded;
        assert_int_equal(merkle_range_load(&loaded, n, subtree, NULL, &e), 0);
        merkle_range_root(&loaded, got);
        assert_memory_equal(got, want, MERKLE_HASH_LEN);
        for (uint64_t i = 0; i < n; i++) {
            merkle_proof p;
            subtree_calls = 0;
            assert_int_equal(merkle_inclusion_proof(i, n, subtree, NULL, &p, &e), 0);
            assert_true(subtree_calls <= 2 * 7); /* O(log n): one per level, plus one split range */
            const unsigned char (*h)[32] = (const unsigned char (*)[32])p.hashes;
            assert_true(merkle_verify_inclusion(i, n, leaves[i], h, p.count, want));
            if (n > 1)
                assert_false(merkle_verify_inclusion(i, n, leaves[(i + 1) % n], h, p.count, want));
            if (n > 1)
                assert_false(merkle_verify_inclusion((i + 1) % n, n, leaves[i], h, p.count, want));
            if (p.count > 0) {
                p.hashes[p.count - 1][0] ^= 1;
                assert_false(merkle_verify_inclusion(i, n, leaves[i], h, p.count, want));
            }
        }
        for (uint64_t m = 1; m <= n; m++) {
            unsigned char first[MERKLE_HASH_LEN];
            merkle_proof p;
            direct_mth(0, (size_t)m, first);
            subtree_calls = 0;
            assert_int_equal(merkle_consistency_proof(m, n, subtree, NULL, &p, &e), 0);
            assert_true(subtree_calls <= 2 * 7 + 1);
            const unsigned char (*h)[32] = (const unsigned char (*)[32])p.hashes;
            assert_true(merkle_verify_consistency(m, n, first, want, h, p.count));
            if (m != n)
                assert_false(merkle_verify_consistency(m, n, want, first, h, p.count));
            if (p.count > 0) {
                p.hashes[0][5] ^= 0x40;
                assert_false(merkle_verify_consistency(m, n, first, want, h, p.count));
            }
        }
    }
}

static void test_out_of_range_is_refused(void **state)
{
    (void)state;
    err e = {0};
    merkle_proof p;
    unsigned char h[MERKLE_HASH_LEN] = {0};
    assert_int_equal(merkle_inclusion_proof(3, 3, subtree, NULL, &p, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(merkle_consistency_proof(0, 3, subtree, NULL, &p, &e), -1);
    assert_int_equal(merkle_consistency_proof(4, 3, subtree, NULL, &p, &e), -1);
    assert_false(merkle_verify_inclusion(0, 0, h, NULL, 0, h));
    assert_false(merkle_verify_consistency(0, 1, h, h, NULL, 0));
    assert_false(merkle_verify_consistency(1, 2, h, h, NULL, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_roots),
        cmocka_unit_test(test_reference_proofs),
        cmocka_unit_test(test_every_tree_up_to_64),
        cmocka_unit_test(test_out_of_range_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
