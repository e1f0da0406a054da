/* The hashes of the transparency log's upper complete subtrees, kept in memory as proofs read them: a subtree inside
   a signed checkpoint never changes, and every proof passes through the upper levels. */
#ifndef ARAYIS_SERVICE_SUBTREE_CACHE_H
#define ARAYIS_SERVICE_SUBTREE_CACHE_H

#include <stddef.h>

#include "core/err.h"
#include "store/tlog.h"

/* The lowest level kept: a subtree of 64 leaves or more, so that the cache holds at most one hash for every 32
   entries of the log (1 MB for a million entries). */
#define SUBTREE_CACHE_LOWEST 6

typedef struct subtree_cache subtree_cache;

/* An empty cache, or NULL with e set. */
subtree_cache *subtree_cache_new(err *e);

/* c may be NULL. */
void subtree_cache_free(subtree_cache *c);

/* Fills the refs the cache holds (marking them found). */
void subtree_cache_lookup(subtree_cache *c, tlog_subtree_ref *refs, size_t n);

/* Keeps the found refs of the cached levels. Only hashes of subtrees inside a signed checkpoint may be kept (read
   after the checkpoint, from committed rows). Out of memory keeps fewer; nothing fails. */
void subtree_cache_keep(subtree_cache *c, const tlog_subtree_ref *refs, size_t n);

#endif
