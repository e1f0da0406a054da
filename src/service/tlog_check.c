/* The store check: the entries read in pages of TLOG_CHECK_PAGE, each compared with its certificate and folded into a
   compact range, whose subtrees are compared with the stored ones as they complete. */
#include "service/tlog_check.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/merkle.h"
#include "crypto/signed_note.h"
#include "model/tlog_entry.h"
#include "store/certificates.h"
#include "store/tlog.h"

#define TLOG_CHECK_PAGE 256

/* One stored entry copied out of its page. */
typedef struct page_entry {
    uint64_t idx;
    char number[TLOG_NUMBER_MAX + 1];
    int type;
    unsigned char bytes[TLOG_ENTRY_MAX];
    size_t len;
    unsigned char leaf[MERKLE_HASH_LEN];
    int leaf_ok;                      /* the stored leaf hash was 32 bytes */
    int fits;                         /* number and bytes fitted the buffers */
} page_entry;

typedef struct check {
    db *d;
    EVP_PKEY *log_key;
    tlog_problem_fn problem;
    void *ctx;
    tlog_checked *out;
    merkle_range range;
    uint64_t checkpoint_size;
    unsigned char checkpoint_root[MERKLE_HASH_LEN];
    page_entry *page;
    size_t count;
} check;

static void report(check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(check *c, const char *fmt, ...)
{
    if (c->out->problems++ >= TLOG_CHECK_MAX_PROBLEMS)
        return;
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    c->problem(text, c->ctx);
}

static int copy_entry(const tlog_stored_entry *s, void *ctx, err *e)
{
    (void)e;
    check *c = ctx;
    page_entry *p = &c->page[c->count++];
    p->idx = s->idx;
    p->type = s->type;
    p->fits = s->number && strlen(s->number) <= TLOG_NUMBER_MAX && s->len <= TLOG_ENTRY_MAX;
    p->leaf_ok = s->leaf_hash != NULL;
    if (p->fits) {
        strcpy(p->number, s->number);
        memcpy(p->bytes, s->entry, s->len);
        p->len = s->len;
    }
    if (p->leaf_ok)
        memcpy(p->leaf, s->leaf_hash, MERKLE_HASH_LEN);
    return 0;
}

/* The entry against its certificate: issued (or revoked) as the entry says, the document's hash that of the stored
   PDF. */
static int check_certificate(check *c, const page_entry *p, const tlog_entry *entry, err *e)
{
    certificate_row row;
    int found = certificates_find(c->d, entry->number, &row, e);
    if (found < 0)
        return -1;
    unsigned char stored[32];
    if (found == 0 || row.state != CERTIFICATE_ISSUED || tlog_hex32(row.sha256, stored) != 0) {
        report(c, "entry %llu: %s is not an issued certificate", (unsigned long long)p->idx, entry->number);
        return 0;
    }
    if (memcmp(stored, entry->document_sha256, 32) != 0 || row.issued_at != entry->issued_at ||
        row.valid_until != entry->valid_until)
        report(c, "entry %llu: %s's document hash or times differ from the database", (unsigned long long)p->idx,
               entry->number);
    if (entry->type == TLOG_REVOCATION && row.revoked_at != entry->revoked_at)
        report(c, "entry %llu: %s's revocation time differs from the database", (unsigned long long)p->idx,
               entry->number);
    if (entry->type == TLOG_REVOCATION)
        return 0;
    buf pdf = BUF_INIT;
    found = certificates_read_pdf(c->d, entry->number, &pdf, e);
    unsigned char digest[32];
    if (found == 1) {
        hash_sha256(pdf.data, pdf.len, digest);
        if (memcmp(digest, entry->document_sha256, 32) != 0)
            report(c, "entry %llu: the SHA-256 of %s's stored PDF is not the entry's", (unsigned long long)p->idx,
                   entry->number);
    } else if (found == 0) {
        report(c, "entry %llu: %s has no stored PDF", (unsigned long long)p->idx, entry->number);
    }
    buf_free(&pdf);
    return found < 0 ? -1 : 0;
}

/* Folds the entry into the range. Entry i completes one subtree per trailing one bit of i, each the node of a
   left sibling the range holds (computed from the entries, never read back) and the hash below it: each must be the
   one stored. */
static int check_tree(check *c, const page_entry *p, const unsigned char leaf[MERKLE_HASH_LEN], err *e)
{
    unsigned char node[MERKLE_HASH_LEN], stored[MERKLE_HASH_LEN];
    memcpy(node, leaf, MERKLE_HASH_LEN);
    unsigned level = 0;
    for (uint64_t i = p->idx; i & 1; i >>= 1, level++) {
        merkle_node_hash(c->range.hashes[c->range.count - 1 - level], node, node);
        int found = tlog_store_subtree(c->d, level + 1, i >> 1, stored, e);
        if (found < 0)
            return -1;
        if (found == 0 || memcmp(stored, node, MERKLE_HASH_LEN) != 0)
            report(c, "the subtree hash at level %u, index %llu is not that of its entries", level + 1,
                   (unsigned long long)(i >> 1));
        c->out->subtrees++;
    }
    if (merkle_range_append(&c->range, leaf, e) != 0)
        return -1;
    if (c->range.size == c->checkpoint_size) {
        merkle_range_root(&c->range, node);
        if (memcmp(node, c->checkpoint_root, MERKLE_HASH_LEN) != 0)
            report(c, "the latest checkpoint's root is not the root of its %llu entries",
                   (unsigned long long)c->checkpoint_size);
    }
    return 0;
}

static int check_entry(check *c, const page_entry *p, err *e)
{
    tlog_entry entry;
    unsigned char leaf[MERKLE_HASH_LEN];
    c->out->entries++;
    if (p->idx != c->range.size) {
        report(c, "entry %llu is missing (the next stored one is %llu)", (unsigned long long)c->range.size,
               (unsigned long long)p->idx);
        return 1;
    }
    if (!p->fits || tlog_entry_decode(p->bytes, p->len, &entry) != 0 || strcmp(entry.number, p->number) != 0 ||
        (int)entry.type != p->type) {
        report(c, "entry %llu cannot be read or does not match its row", (unsigned long long)p->idx);
        return 1;
    }
    merkle_leaf_hash(p->bytes, p->len, leaf);
    if (!p->leaf_ok || memcmp(leaf, p->leaf, MERKLE_HASH_LEN) != 0)
        report(c, "entry %llu: the stored leaf hash is not the entry's", (unsigned long long)p->idx);
    *(entry.type == TLOG_ISSUANCE ? &c->out->certificates : &c->out->revocations) += 1;
    return check_certificate(c, p, &entry, e) == 0 && check_tree(c, p, leaf, e) == 0 ? 0 : -1;
}

/* The latest checkpoint: readable, signed by the log key, its size and root noted for the walk. */
static int check_checkpoint(check *c, EVP_PKEY *log_key, uint64_t size, err *e)
{
    buf note = BUF_INIT, verifier = BUF_INIT;
    int found = tlog_store_latest_checkpoint(c->d, &c->checkpoint_size, c->checkpoint_root, &note, e);
    checkpoint_body body;
    unsigned char key[NOTE_KEY_LEN];
    size_t text_len;
    err why = {0};
    if (found == 1) {
        c->out->checkpoint_size = c->checkpoint_size;
        if (checkpoint_parse((const char *)note.data, note.len, &body, &why) != 0 ||
            signed_note_public_key(log_key, key, &why) != 0 ||
            signed_note_verifier_key(&verifier, body.origin, key, &why) != 0 ||
            signed_note_verify((const char *)note.data, note.len, buf_cstr(&verifier), &text_len, &why) != 1)
            report(c, "the latest checkpoint does not verify with the log key: %s", why.msg);
        else if (body.size != c->checkpoint_size || memcmp(body.root, c->checkpoint_root, 32) != 0)
            report(c, "the latest checkpoint's note says another size or root than its row");
        if (c->checkpoint_size > size)
            report(c, "the latest checkpoint has %llu entries, the log %llu", (unsigned long long)c->checkpoint_size,
                   (unsigned long long)size);
        unsigned char empty[MERKLE_HASH_LEN];
        merkle_range_root(&c->range, empty); /* nothing appended yet: the empty tree's root */
        if (c->checkpoint_size == 0 && memcmp(empty, c->checkpoint_root, MERKLE_HASH_LEN) != 0)
            report(c, "the empty tree's checkpoint has another root");
    } else if (found == 0 && size > 0) {
        report(c, "the log has %llu entries and no checkpoint", (unsigned long long)size);
    }
    buf_free(&note);
    buf_free(&verifier);
    return found < 0 ? -1 : 0;
}

/* The counts: as many entries of each type as certificates issued and revoked, and no stored subtree beyond those
   the entries complete. */
static int check_counts(check *c, err *e)
{
    static const tlog_entry_type types[] = {TLOG_ISSUANCE, TLOG_REVOCATION};
    for (size_t i = 0; i < 2; i++) {
        long long certificates, entries;
        if (tlog_store_counts(c->d, types[i], &certificates, &entries, e) != 0)
            return -1;
        if (certificates != entries)
            report(c, "%lld %s certificates, %lld %s entries", certificates, i ? "revoked" : "issued", entries,
                   i ? "revocation" : "issuance");
    }
    long long stored;
    if (tlog_store_subtree_count(c->d, &stored, e) != 0)
        return -1;
    if ((unsigned long long)stored != c->out->subtrees)
        report(c, "%lld subtree hashes are stored, %llu are complete", stored, c->out->subtrees);
    return 0;
}

/* The whole check, on one snapshot: entries, subtrees and counts as of one instant while the service writes. */
static int check_snapshot(db *d, void *ctx, err *e)
{
    check *c = ctx;
    c->d = d;
    uint64_t size;
    if (tlog_store_size(d, &size, e) != 0)
        return -1;
    merkle_range_init(&c->range);
    int rc = check_checkpoint(c, c->log_key, size, e);
    for (uint64_t start = 0; rc == 0 && start < size; start += TLOG_CHECK_PAGE) {
        c->count = 0;
        rc = tlog_store_each_entry(d, start, start + TLOG_CHECK_PAGE, copy_entry, c, e);
        for (size_t i = 0; rc == 0 && i < c->count; i++)
            rc = check_entry(c, &c->page[i], e) < 0 ? -1 : 0;
    }
    if (rc == 0 && c->range.size != size)
        report(c, "the log has %llu entries in order below its largest index %llu", (unsigned long long)c->range.size,
               (unsigned long long)(size - 1));
    return rc == 0 ? check_counts(c, e) : rc;
}

int tlog_check_store(store *s, EVP_PKEY *log_key, tlog_problem_fn problem, void *ctx, tlog_checked *out, err *e)
{
    memset(out, 0, sizeof *out);
    check c = {.log_key = log_key, .problem = problem, .ctx = ctx, .out = out};
    db *d = store_db(s, e);
    if (d == NULL)
        return -1;
    if ((c.page = calloc(TLOG_CHECK_PAGE, sizeof *c.page)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = db_snapshot(d, check_snapshot, &c, e);
    free(c.page);
    return rc;
}
