/* Log entries made from certificates, appended with the subtree hashes they complete: entry i completes one subtree
   per trailing one bit of i, each the node of the stored left sibling and the hash just made. */
#include "service/tlog_append.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/merkle.h"
#include "store/tlog.h"

int tlog_stored_subtree(void *ctx, unsigned level, uint64_t index, unsigned char out[32], err *e)
{
    int found = tlog_store_subtree(ctx, level, index, out, e);
    if (found == 0)
        return err_set(e, ERR_INTERNAL, "the log has no subtree hash at level %u, index %llu", level,
                       (unsigned long long)index);
    return found == 1 ? 0 : -1;
}

/* Appends entry at index idx with the subtrees it completes. */
static int append_at(db *d, uint64_t idx, const tlog_entry *entry, err *e)
{
    unsigned char bytes[TLOG_ENTRY_MAX], hash[MERKLE_HASH_LEN], sibling[MERKLE_HASH_LEN];
    size_t len = tlog_entry_encode(entry, bytes);
    if (len == 0)
        return err_set(e, ERR_INVALID, "certificate %s cannot be logged", entry->number);
    merkle_leaf_hash(bytes, len, hash);
    if (tlog_store_append(d, idx, entry->number, entry->type, bytes, len, hash, e) != 0)
        return -1;
    unsigned level = 0;
    for (uint64_t i = idx; i & 1; i >>= 1, level++) {
        if (tlog_stored_subtree(d, level, i - 1, sibling, e) != 0)
            return -1;
        merkle_node_hash(sibling, hash, hash);
        if (tlog_store_put_subtree(d, level + 1, i >> 1, hash, e) != 0)
            return -1;
    }
    return 0;
}

static int append(db *d, const tlog_entry *entry, err *e)
{
    uint64_t size;
    return tlog_store_size_for_append(d, &size, e) == 0 ? append_at(d, size, entry, e) : -1;
}

/* The issuance entry of a certificate. */
static int issuance_of(const tlog_appender *a, const char *number, const char *sha256_hex, time_t issued_at,
                       time_t valid_until, tlog_entry *entry, err *e)
{
    memset(entry, 0, sizeof *entry);
    entry->type = TLOG_ISSUANCE;
    if (strlen(number) > TLOG_NUMBER_MAX || tlog_hex32(sha256_hex, entry->document_sha256) != 0)
        return err_set(e, ERR_INVALID, "certificate %s has no number or document hash the log can hold", number);
    strcpy(entry->number, number);
    entry->issued_at = issued_at;
    entry->valid_until = valid_until;
    memcpy(entry->signing_key_id, a->signing_key_id, sizeof entry->signing_key_id);
    return 0;
}

int tlog_append_issuance(db *d, const tlog_appender *a, const char *number, const char *sha256_hex, time_t issued_at,
                         time_t valid_until, err *e)
{
    tlog_entry entry;
    if (!a->enabled)
        return 0;
    return issuance_of(a, number, sha256_hex, issued_at, valid_until, &entry, e) == 0 ? append(d, &entry, e) : -1;
}

/* Reads the stored entry at ctx's index into the tlog_entry ctx points at. */
static int read_entry(const tlog_stored_entry *s, void *ctx, err *e)
{
    if (tlog_entry_decode(s->entry, s->len, ctx) != 0)
        return err_set(e, ERR_INTERNAL, "log entry %llu cannot be read", (unsigned long long)s->idx);
    return 0;
}

/* The issuance entry of number, as stored, into entry. */
static int issuance_entry(db *d, const char *number, tlog_entry *entry, err *e)
{
    long long issued, revoked;
    if (tlog_store_indexes(d, number, &issued, &revoked, e) != 0)
        return -1;
    if (issued < 0)
        return err_set(e, ERR_CONFLICT, "certificate %s has no issuance entry", number);
    entry->type = 0;
    if (tlog_store_each_entry(d, (uint64_t)issued, (uint64_t)issued + 1, read_entry, entry, e) != 0)
        return -1;
    return entry->type == TLOG_ISSUANCE ? 0 : err_set(e, ERR_INTERNAL, "log entry %lld is lost", issued);
}

/* The revocation entry of u: its issuance entry's fields (that entry appended first when it has none, from u: issued
   while the log was off), then u's revocation time and code. */
static int revocation_of(db *d, const tlog_appender *a, const tlog_unlogged *u, revocation_code code, tlog_entry *entry,
                         err *e)
{
    long long issued, revoked;
    if (tlog_store_indexes(d, u->number, &issued, &revoked, e) != 0)
        return -1;
    if (issued < 0 && (issuance_of(a, u->number, u->sha256, u->issued_at, u->valid_until, entry, e) != 0 ||
                       append(d, entry, e) != 0))
        return -1;
    if (issuance_entry(d, u->number, entry, e) != 0)
        return -1;
    entry->type = TLOG_REVOCATION;
    entry->revoked_at = u->revoked_at;
    entry->reason = code;
    return 0;
}

int tlog_append_revocation(db *d, const tlog_appender *a, const certificate_row *c, revocation_code code, err *e)
{
    tlog_entry entry;
    if (!a->enabled)
        return 0;
    tlog_unlogged u = {c->number, c->sha256, c->issued_at, c->valid_until, c->revoked_at, code};
    return revocation_of(d, a, &u, code, &entry, e) == 0 ? append(d, &entry, e) : -1;
}

/* A certificate the backfill appends, copied out of the listing before anything is written. */
typedef struct unlogged_row {
    char number[TLOG_NUMBER_MAX + 1];
    char sha256[65];
    time_t issued_at, valid_until, revoked_at;
    long long revocation_code;
} unlogged_row;

/* One batch of the backfill: the type it appends, where it stands, the rows it lists. */
typedef struct backfill_batch {
    const tlog_appender *a;
    tlog_entry_type type;
    char from[TLOG_NUMBER_MAX + 1];    /* the batch lists numbers after this one */
    char after[TLOG_NUMBER_MAX + 1];   /* the last number listed */
    unlogged_row *rows;                /* room for TLOG_BACKFILL_BATCH */
    int count;
} backfill_batch;

static int collect_unlogged(const tlog_unlogged *u, void *ctx, err *e)
{
    backfill_batch *b = ctx;
    unlogged_row *r = &b->rows[b->count];
    if (strlen(u->number) > TLOG_NUMBER_MAX || strlen(u->sha256) >= sizeof r->sha256)
        return err_set(e, ERR_INVALID, "certificate %s cannot be logged", u->number);
    strcpy(r->number, u->number);
    strcpy(r->sha256, u->sha256);
    r->issued_at = u->issued_at;
    r->valid_until = u->valid_until;
    r->revoked_at = u->revoked_at;
    r->revocation_code = u->revocation_code;
    strcpy(b->after, u->number);
    b->count++;
    return 0;
}

/* Appends one listed row; *size is the log's size, kept across the batch. */
static int backfill_row(db *d, const backfill_batch *b, const unlogged_row *r, uint64_t *size, err *e)
{
    tlog_entry entry;
    if (b->type == TLOG_ISSUANCE)
        return issuance_of(b->a, r->number, r->sha256, r->issued_at, r->valid_until, &entry, e) == 0
                   ? append_at(d, (*size)++, &entry, e)
                   : -1;
    revocation_code code;
    if (revocation_code_of(r->revocation_code, &code) != 0)
        code = REVOCATION_UNSPECIFIED; /* revoked before the log knew reason codes */
    tlog_unlogged u = {r->number, r->sha256, r->issued_at, r->valid_until, r->revoked_at, r->revocation_code};
    /* revocation_of may append the issuance first: the size is read again */
    return revocation_of(d, b->a, &u, code, &entry, e) == 0 && tlog_store_size_for_append(d, size, e) == 0
               ? append_at(d, (*size)++, &entry, e)
               : -1;
}

/* Lists the next batch under the write lock and appends it. */
static int write_batch(db *d, void *ctx, err *e)
{
    backfill_batch *b = ctx;
    uint64_t size;
    b->count = 0; /* from the batch's start each time: the write may run again (see store_write) */
    strcpy(b->after, b->from);
    if (tlog_store_each_unlogged(d, b->type, b->from, TLOG_BACKFILL_BATCH, collect_unlogged, b, e) < 0 ||
        tlog_store_size_for_append(d, &size, e) != 0)
        return -1;
    for (int i = 0; i < b->count; i++)
        if (backfill_row(d, b, &b->rows[i], &size, e) != 0)
            return -1;
    return 0;
}

int tlog_backfill(store *s, const tlog_appender *a, tlog_backfilled *out, err *e)
{
    *out = (tlog_backfilled){0, 0};
    if (!a->enabled)
        return 0;
    backfill_batch b = {a, TLOG_ISSUANCE, "", "", calloc(TLOG_BACKFILL_BATCH, sizeof(unlogged_row)), 0};
    if (b.rows == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    db *d = store_db(s, e);
    int rc = d != NULL ? 0 : -1;
    static const tlog_entry_type order[] = {TLOG_ISSUANCE, TLOG_REVOCATION};
    for (size_t t = 0; rc == 0 && t < 2; t++) {
        b.type = order[t];
        b.from[0] = '\0';
        /* as many entries as certificates of the type means each has its one: no search under the write lock */
        long long certificates = 0, entries = 0;
        if ((rc = tlog_store_counts(d, b.type, &certificates, &entries, e)) != 0 || entries == certificates)
            continue;
        do {
            rc = store_write(s, write_batch, &b, e);
            if (rc == 0) {
                *(b.type == TLOG_ISSUANCE ? &out->issuances : &out->revocations) += b.count;
                strcpy(b.from, b.after);
            }
        } while (rc == 0 && b.count == TLOG_BACKFILL_BATCH);
    }
    free(b.rows);
    return rc;
}
