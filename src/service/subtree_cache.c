/* Upper subtree hashes in one array per level, indexed by the subtree's index; an all-zero slot is empty (no SHA-256
   output is all zeros in practice). Readers share a lock; a keep takes it alone. */
#include "service/subtree_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/merkle.h"

typedef unsigned char hash_slot[MERKLE_HASH_LEN];

/* The slots of one level. */
typedef struct level_slots {
    hash_slot *slots;
    uint64_t capacity;
} level_slots;

struct subtree_cache {
    pthread_rwlock_t lock;
    level_slots levels[MERKLE_MAX_LEVELS];
};

static const hash_slot empty_slot;

subtree_cache *subtree_cache_new(err *e)
{
    subtree_cache *c = calloc(1, sizeof *c);
    if (c == NULL || pthread_rwlock_init(&c->lock, NULL) != 0) {
        free(c);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    return c;
}

void subtree_cache_free(subtree_cache *c)
{
    if (c == NULL)
        return;
    for (size_t l = 0; l < MERKLE_MAX_LEVELS; l++)
        free(c->levels[l].slots);
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

/* 1 when hashes of ref's level are kept. */
static int level_kept(const tlog_subtree_ref *ref)
{
    return ref->level >= SUBTREE_CACHE_LOWEST && ref->level < MERKLE_MAX_LEVELS;
}

/* The slot of ref, or NULL when its level is not kept or its index beyond the level's slots. */
static unsigned char *slot_of(subtree_cache *c, const tlog_subtree_ref *ref)
{
    if (!level_kept(ref))
        return NULL;
    level_slots *l = &c->levels[ref->level];
    return ref->index < l->capacity ? l->slots[ref->index] : NULL;
}

void subtree_cache_lookup(subtree_cache *c, tlog_subtree_ref *refs, size_t n)
{
    pthread_rwlock_rdlock(&c->lock);
    for (size_t i = 0; i < n; i++) {
        const unsigned char *slot = refs[i].found ? NULL : slot_of(c, &refs[i]);
        if (slot != NULL && memcmp(slot, empty_slot, sizeof empty_slot) != 0) {
            memcpy(refs[i].hash, slot, MERKLE_HASH_LEN);
            refs[i].found = 1;
        }
    }
    pthread_rwlock_unlock(&c->lock);
}

/* Grows the slots of ref's level to hold its index (doubling, new slots empty). Returns 0, or -1 out of memory. */
static int grow_for(subtree_cache *c, const tlog_subtree_ref *ref)
{
    level_slots *l = &c->levels[ref->level];
    if (ref->index >= SIZE_MAX / sizeof(hash_slot) / 2)
        return -1;
    uint64_t want = l->capacity ? l->capacity : 64;
    while (want <= ref->index)
        want *= 2;
    if (want == l->capacity)
        return 0;
    if (want > SIZE_MAX / sizeof(hash_slot))
        return -1;
    hash_slot *grown = realloc(l->slots, (size_t)want * sizeof(hash_slot));
    if (grown == NULL)
        return -1;
    memset(grown + l->capacity, 0, (size_t)(want - l->capacity) * sizeof(hash_slot));
    l->slots = grown;
    l->capacity = want;
    return 0;
}

void subtree_cache_keep(subtree_cache *c, const tlog_subtree_ref *refs, size_t n)
{
    pthread_rwlock_wrlock(&c->lock);
    for (size_t i = 0; i < n; i++) {
        const tlog_subtree_ref *r = &refs[i];
        if (r->found != 1 || !level_kept(r) || grow_for(c, r) != 0)
            continue;
        memcpy(c->levels[r->level].slots[r->index], r->hash, MERKLE_HASH_LEN);
    }
    pthread_rwlock_unlock(&c->lock);
}
