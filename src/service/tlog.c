/* The read side of the transparency log, answered from stored subtree hashes within the latest checkpoint. */
#include "service/tlog.h"

#include <stdatomic.h>
#include <string.h>

#include "crypto/b64.h"
#include "service/context.h"
#include "service/subtree_cache.h"
#include "store/tlog.h"

int tlog_identity_of(services *svc, tlog_identity *id, err *e)
{
    unsigned char key[NOTE_KEY_LEN];
    buf encoded = BUF_INIT;
    snprintf(id->origin, sizeof id->origin, "%s", svc->log_origin);
    int rc = signed_note_public_key(svc->log_key, key, e) == 0 && b64_encode(&encoded, key, sizeof key, e) == 0 &&
                     signed_note_verifier_key(&id->verifier_key, svc->log_origin, key, e) == 0
                 ? 0
                 : -1;
    if (rc == 0)
        snprintf(id->public_key, sizeof id->public_key, "%s", buf_cstr(&encoded));
    buf_free(&encoded);
    return rc;
}

int tlog_latest(services *svc, buf *note, uint64_t *size, err *e)
{
    unsigned char root[MERKLE_HASH_LEN];
    db *d = store_db(svc->store, e);
    return d ? tlog_store_latest_checkpoint(d, size, root, note, e) : -1;
}

/* The latest checkpoint's size (0 when none) into *size, read from d only when the largest size seen is below
   at_least: checkpoints only grow, so a size seen is still covered. */
static int published_size(services *svc, db *d, uint64_t at_least, uint64_t *size, err *e)
{
    uint64_t seen = atomic_load(&svc->log_published);
    if (at_least <= seen) {
        *size = seen;
        return 0;
    }
    unsigned char root[MERKLE_HASH_LEN];
    int found = tlog_store_latest_checkpoint(d, size, root, NULL, e);
    if (found < 0)
        return -1;
    if (found == 0)
        *size = 0;
    while (seen < *size && !atomic_compare_exchange_weak(&svc->log_published, &seen, *size))
        ;
    return 0;
}

/* The subtrees one proof reads, in the order its computation asks for them: at most one per level on the path and
   one per level for the incomplete range at the tree's right edge. */
#define PROOF_READS_MAX (2 * MERKLE_MAX_LEVELS)
typedef struct proof_reads {
    tlog_subtree_ref refs[PROOF_READS_MAX];
    size_t count, next;
} proof_reads;

/* A merkle_subtree_fn that only notes what the proof reads. */
static int plan_read(void *ctx, unsigned level, uint64_t index, unsigned char out[MERKLE_HASH_LEN], err *e)
{
    proof_reads *r = ctx;
    if (r->count == PROOF_READS_MAX)
        return err_set(e, ERR_INTERNAL, "a proof reading more than %d subtrees", PROOF_READS_MAX);
    r->refs[r->count++] = (tlog_subtree_ref){level, index, 0, {0}};
    memset(out, 0, MERKLE_HASH_LEN);
    return 1;
}

/* A merkle_subtree_fn that answers from what plan_read noted, once found, in the same order. */
static int planned_read(void *ctx, unsigned level, uint64_t index, unsigned char out[MERKLE_HASH_LEN], err *e)
{
    proof_reads *r = ctx;
    if (r->next == r->count || r->refs[r->next].level != level || r->refs[r->next].index != index)
        return err_set(e, ERR_INTERNAL, "a proof read a subtree out of its plan");
    memcpy(out, r->refs[r->next++].hash, MERKLE_HASH_LEN);
    return 0;
}

/* merkle_inclusion_proof or merkle_consistency_proof. */
typedef int (*proof_fn)(uint64_t a, uint64_t b, merkle_subtree_fn subtree, void *ctx, merkle_proof *out, err *e);

/* Runs proof(a, b) twice: first to learn which subtrees it reads, which then come from the cache or from one store
   read, then on those hashes. */
static int stored_proof(services *svc, db *d, proof_fn proof, uint64_t a, uint64_t b, merkle_proof *out, err *e)
{
    proof_reads r = {.count = 0, .next = 0};
    if (proof(a, b, plan_read, &r, out, e) != 0)
        return -1;
    subtree_cache_lookup(svc->subtrees, r.refs, r.count);
    int upper_missed = 0;
    for (size_t i = 0; i < r.count; i++)
        upper_missed |= !r.refs[i].found && r.refs[i].level >= SUBTREE_CACHE_LOWEST;
    if (tlog_store_fill_subtrees(d, r.refs, r.count, e) != 0)
        return -1;
    if (upper_missed)
        subtree_cache_keep(svc->subtrees, r.refs, r.count);
    return proof(a, b, planned_read, &r, out, e);
}

/* Where tlog_entries puts the rows it reads. */
typedef struct entries_out {
    tlog_served_entry *items;
    size_t count;
} entries_out;

static int serve_entry(const tlog_stored_entry *s, void *ctx, err *e)
{
    entries_out *out = ctx;
    if (out->count == TLOG_ENTRIES_MAX || s->len > TLOG_ENTRY_MAX)
        return err_set(e, ERR_INTERNAL, "log entry %llu does not fit", (unsigned long long)s->idx);
    tlog_served_entry *t = &out->items[out->count++];
    t->index = s->idx;
    t->len = s->len;
    memcpy(t->bytes, s->entry, s->len);
    return 0;
}

int tlog_entries(services *svc, uint64_t start, uint64_t end, tlog_served_entry *out, size_t *count, int *complete,
                 err *e)
{
    db *d = store_db(svc->store, e);
    uint64_t size;
    if (d == NULL || published_size(svc, d, end, &size, e) != 0)
        return -1;
    if (start >= end || end - start > TLOG_ENTRIES_MAX || start >= size)
        return err_set(e, ERR_INVALID, "start must be below end and below the tree size %llu, and at most %d entries",
                       (unsigned long long)size, TLOG_ENTRIES_MAX);
    uint64_t cut = end < size ? end : size;
    entries_out got = {out, 0};
    if (tlog_store_each_entry(d, start, cut, serve_entry, &got, e) != 0)
        return -1;
    if (got.count != cut - start)
        return err_set(e, ERR_INTERNAL, "the log lacks entries below its checkpoint");
    *count = got.count;
    *complete = cut == end;
    return 0;
}

int tlog_inclusion(services *svc, const char *number, uint64_t *index, uint64_t tree_size, merkle_proof *proof,
                   err *e)
{
    db *d = store_db(svc->store, e);
    uint64_t size;
    if (d == NULL || published_size(svc, d, tree_size, &size, e) != 0)
        return -1;
    if (number != NULL) {
        long long issued, revoked;
        if (tlog_store_indexes(d, number, &issued, &revoked, e) != 0)
            return -1;
        if (issued < 0)
            return 0;
        *index = (uint64_t)issued;
    }
    if (*index >= tree_size || tree_size > size)
        return err_set(e, ERR_INVALID, "the index must be below tree_size, and tree_size at most %llu",
                       (unsigned long long)size);
    return stored_proof(svc, d, merkle_inclusion_proof, *index, tree_size, proof, e) == 0 ? 1 : -1;
}

int tlog_consistency(services *svc, uint64_t first, uint64_t second, merkle_proof *proof, err *e)
{
    db *d = store_db(svc->store, e);
    uint64_t size;
    if (d == NULL || published_size(svc, d, second, &size, e) != 0)
        return -1;
    if (first == 0 || first > second || second > size)
        return err_set(e, ERR_INVALID, "0 < first <= second <= %llu is required", (unsigned long long)size);
    return stored_proof(svc, d, merkle_consistency_proof, first, second, proof, e);
}

int tlog_indexes(services *svc, const char *number, long long *issued, long long *revoked, err *e)
{
    db *d = store_db(svc->store, e);
    return d ? tlog_store_indexes(d, number, issued, revoked, e) : -1;
}
