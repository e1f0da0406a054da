/* Statements on the transparency log's tables. Every lookup is by primary key or the (number, type) index: appending
   and proofs read O(log n) rows, never a range of the tree. */
#include "store/tlog.h"

#include <stdio.h>
#include <string.h>

/* A subtree's key: its first leaf and its level (schema version 9), so that the subtrees of neighbouring leaves are
   neighbours in the table. */
#define SUBTREE_ID(level, index) ((long long)((uint64_t)(index) << (level) << 6 | (uint64_t)(level)))

static const char SQL_SIZE[] = "SELECT coalesce(max(idx) + 1, 0) FROM tlog_entries";
static const char SQL_APPEND[] = "INSERT INTO tlog_entries(idx, number, type, entry, leaf_hash) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_LEAF[] = "SELECT leaf_hash FROM tlog_entries WHERE idx = ?1";
static const char SQL_SUBTREE[] = "SELECT hash FROM tlog_subtrees WHERE id = ?1";
/* The size (level -1), then the frontier's leaf (level 0, when the size is odd) and subtrees (level l for each one
   bit l of the size: the subtree before the leaves of that bit), each as level, index, hash; one seek each. */
static const char SQL_FRONTIER[] =
    "WITH RECURSIVE size(n) AS (SELECT coalesce(max(idx) + 1, 0) FROM tlog_entries),"
    " levels(l) AS (SELECT 1 UNION ALL SELECT l + 1 FROM levels, size WHERE n >> (l + 1) > 0)"
    " SELECT -1, n, NULL FROM size"
    " UNION ALL SELECT 0, idx, leaf_hash FROM size, tlog_entries WHERE n % 2 = 1 AND idx = n - 1"
    " UNION ALL SELECT l, (n >> l) - 1, hash FROM size, levels, tlog_subtrees"
    " WHERE (n >> l) % 2 = 1 AND id = ((((n >> l) - 1) << l) << 6) | l";
/* FILL_SUBTREES ids of subtrees, then FILL_LEAVES indexes of leaves, whose hashes come back under the same ids
   (level 0: index << 6); a parameter left NULL matches nothing. One seek each, without the temporary index an IN
   list would build. */
#define FILL_SUBTREES 8
#define FILL_LEAVES 2
#define FILL_SUBTREE(n) "SELECT id, hash FROM tlog_subtrees WHERE id = ?" #n " UNION ALL "
#define FILL_LEAF(n) "SELECT idx * 64, leaf_hash FROM tlog_entries WHERE idx = ?" #n
static const char SQL_FILL[] = FILL_SUBTREE(1) FILL_SUBTREE(2) FILL_SUBTREE(3) FILL_SUBTREE(4) FILL_SUBTREE(5)
    FILL_SUBTREE(6) FILL_SUBTREE(7) FILL_SUBTREE(8) FILL_LEAF(9) " UNION ALL " FILL_LEAF(10);
static const char SQL_PUT_SUBTREE[] = "INSERT INTO tlog_subtrees(id, hash) VALUES (?1, ?2)";
static const char SQL_SUBTREE_COUNT[] = "SELECT count(*) FROM tlog_subtrees";
static const char SQL_INDEXES[] = "SELECT type, idx FROM tlog_entries WHERE number = ?1";
static const char SQL_ENTRIES[] = "SELECT idx, number, type, entry, leaf_hash FROM tlog_entries"
                                  " WHERE idx >= ?1 AND idx < ?2 ORDER BY idx";
static const char SQL_LATEST[] = "SELECT tree_size, root, note FROM tlog_checkpoints ORDER BY tree_size DESC LIMIT 1";
static const char SQL_PUT_CHECKPOINT[] = "INSERT INTO tlog_checkpoints(tree_size, root, note, created_at)"
                                         " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (tree_size) DO NOTHING";
static const char SQL_UNLOGGED_ISSUED[] =
    "SELECT number, sha256, issued_at, valid_until, revoked_at, coalesce(revocation_code, -1) FROM certificates c"
    " WHERE number > ?1 AND sha256 <> '' AND voided_at IS NULL AND NOT EXISTS"
    " (SELECT 1 FROM tlog_entries t WHERE t.number = c.number AND t.type = 1) ORDER BY number LIMIT ?2";
static const char SQL_UNLOGGED_REVOKED[] =
    "SELECT number, sha256, issued_at, valid_until, revoked_at, coalesce(revocation_code, -1) FROM certificates c"
    " WHERE number > ?1 AND sha256 <> '' AND voided_at IS NULL AND revoked_at IS NOT NULL AND NOT EXISTS"
    " (SELECT 1 FROM tlog_entries t WHERE t.number = c.number AND t.type = 2) ORDER BY number LIMIT ?2";
static const char SQL_COUNT_ISSUED[] = "SELECT count(*) FROM certificates WHERE sha256 <> '' AND voided_at IS NULL";
static const char SQL_COUNT_REVOKED[] = "SELECT count(*) FROM certificates WHERE sha256 <> '' AND voided_at IS NULL"
                                        " AND revoked_at IS NOT NULL";
static const char SQL_COUNT_ENTRIES[] = "SELECT count(*) FROM tlog_entries WHERE type = ?1";

/* The memo's keys (see db_memo_put): the log's size, and the hash of a leaf (level 0) or subtree appended by the
   running write transaction, which the next append in it reads as its sibling. */
#define MEMO_SIZE "tlog.size"

static void memo_key(char key[DB_MEMO_KEY], unsigned level, uint64_t index)
{
    snprintf(key, DB_MEMO_KEY, "tlog.%u.%llu", level, (unsigned long long)index);
}

/* Keeps the hash of the leaf (level 0) or subtree just written for the rest of the transaction. */
static void memo_hash(db *d, unsigned level, uint64_t index, const unsigned char hash[32])
{
    char key[DB_MEMO_KEY];
    memo_key(key, level, index);
    db_memo_put(d, key, hash, 32);
}

int tlog_store_size(db *d, uint64_t *size, err *e)
{
    if (db_memo_get(d, MEMO_SIZE, size, sizeof *size))
        return 0;
    stmt *st = db_stmt(d, SQL_SIZE, e);
    long long n = 0;
    if (st == NULL || db_one_int64(st, &n, "log size", e) != 0)
        return -1;
    *size = (uint64_t)n;
    db_memo_put(d, MEMO_SIZE, size, sizeof *size);
    return 0;
}

int tlog_store_append(db *d, uint64_t idx, const char *number, tlog_entry_type type, const unsigned char *entry,
                      size_t len, const unsigned char leaf_hash[32], err *e)
{
    stmt *st = db_stmt(d, SQL_APPEND, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_int64(st, 1, (long long)idx) != 0 || stmt_bind_text(st, 2, number) != 0 ||
        stmt_bind_int64(st, 3, type) != 0 || stmt_bind_blob(st, 4, entry, len) != 0 ||
        stmt_bind_blob(st, 5, leaf_hash, 32) != 0)
        return db_fail(d, e, "bind log entry");
    if (db_exec_deferred(st, e) != 0)
        return -1;
    uint64_t size = idx + 1;
    memo_hash(d, 0, idx, leaf_hash);
    db_memo_put(d, MEMO_SIZE, &size, sizeof size);
    return 0;
}

/* Copies the 32-byte blob of column col into out; another length is a broken row. */
static int copy_hash(stmt *st, int col, unsigned char out[32], err *e)
{
    size_t len;
    const void *hash = stmt_column_blob(st, col, &len);
    if (len != 32)
        return err_set(e, ERR_INTERNAL, "a stored log hash of %zu bytes", len);
    memcpy(out, hash, 32);
    return 0;
}

/* Reads the hash of column 0 into ctx. */
static int read_hash(stmt *st, void *ctx, err *e)
{
    return copy_hash(st, 0, ctx, e);
}

/* Where the rows of SQL_FRONTIER go: the size, and the hashes into the memo of d. */
typedef struct frontier_read {
    db *d;
    uint64_t *size;
} frontier_read;

static int keep_frontier_row(stmt *st, void *ctx, err *e)
{
    const frontier_read *r = ctx;
    long long level = stmt_column_int64(st, 0), index = stmt_column_int64(st, 1);
    if (level < 0) {
        *r->size = (uint64_t)index;
        return 0;
    }
    unsigned char hash[32];
    if (copy_hash(st, 2, hash, e) != 0)
        return -1;
    memo_hash(r->d, (unsigned)level, (uint64_t)index, hash);
    return 0;
}

int tlog_store_size_for_append(db *d, uint64_t *size, err *e)
{
    if (db_memo_get(d, MEMO_SIZE, size, sizeof *size))
        return 0;
    stmt *st = db_stmt(d, SQL_FRONTIER, e);
    frontier_read r = {d, size};
    if (st == NULL || db_each_row(st, keep_frontier_row, &r, "read the log's frontier", e) != 0)
        return -1;
    db_memo_put(d, MEMO_SIZE, size, sizeof *size);
    return 0;
}

int tlog_store_subtree(db *d, unsigned level, uint64_t index, unsigned char out[32], err *e)
{
    char key[DB_MEMO_KEY];
    memo_key(key, level, index);
    if (db_memo_get(d, key, out, 32))
        return 1;
    stmt *st = db_stmt(d, level == 0 ? SQL_LEAF : SQL_SUBTREE, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_int64(st, 1, level == 0 ? (long long)index : SUBTREE_ID(level, index)) != 0)
        return db_fail(d, e, "bind log subtree");
    return db_step_one(st, read_hash, out, "read log subtree", e);
}

/* The refs of one fill statement. */
typedef struct fill_round {
    tlog_subtree_ref *refs;
    size_t n;
} fill_round;

/* Marks every ref with the row's id found, with its hash. */
static int read_filled(stmt *st, void *ctx, err *e)
{
    const fill_round *r = ctx;
    uint64_t id = (uint64_t)stmt_column_int64(st, 0);
    unsigned char hash[32];
    if (copy_hash(st, 1, hash, e) != 0)
        return -1;
    for (size_t i = 0; i < r->n; i++)
        if ((uint64_t)SUBTREE_ID(r->refs[i].level, r->refs[i].index) == id) {
            memcpy(r->refs[i].hash, hash, 32);
            r->refs[i].found = 1;
        }
    return 0;
}

/* Binds the ids of up to FILL_SUBTREES subtrees and FILL_LEAVES leaves not yet found, marking them asked (found
   -1). Returns the number bound, or -1 for a bug. */
static int bind_round(stmt *st, tlog_subtree_ref *refs, size_t n)
{
    int subtrees = 0, leaves = 0;
    for (size_t i = 0; i < n; i++) {
        tlog_subtree_ref *r = &refs[i];
        int leaf = r->level == 0;
        if (r->found || (leaf ? leaves == FILL_LEAVES : subtrees == FILL_SUBTREES))
            continue;
        int param = leaf ? 1 + FILL_SUBTREES + leaves++ : 1 + subtrees++;
        if (stmt_bind_int64(st, param, leaf ? (long long)r->index : SUBTREE_ID(r->level, r->index)) != 0)
            return -1;
        r->found = -1;
    }
    for (int p = 1 + subtrees; p <= FILL_SUBTREES; p++)
        if (stmt_bind_null(st, p) != 0)
            return -1;
    for (int p = 1 + FILL_SUBTREES + leaves; p <= FILL_SUBTREES + FILL_LEAVES; p++)
        if (stmt_bind_null(st, p) != 0)
            return -1;
    return subtrees + leaves;
}

int tlog_store_fill_subtrees(db *d, tlog_subtree_ref *refs, size_t n, err *e)
{
    stmt *st = db_stmt(d, SQL_FILL, e);
    if (st == NULL)
        return -1;
    fill_round round = {refs, n};
    for (;;) {
        int asked = bind_round(st, refs, n);
        if (asked < 0)
            return db_fail(d, e, "bind log subtrees");
        if (asked == 0)
            return 0;
        if (db_each_row(st, read_filled, &round, "read log subtrees", e) != 0)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (refs[i].found == -1)
                return err_set(e, ERR_INTERNAL, "the log has no subtree hash at level %u, index %llu", refs[i].level,
                               (unsigned long long)refs[i].index);
    }
}

int tlog_store_put_subtree(db *d, unsigned level, uint64_t index, const unsigned char hash[32], err *e)
{
    stmt *st = db_stmt(d, SQL_PUT_SUBTREE, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_int64(st, 1, SUBTREE_ID(level, index)) != 0 || stmt_bind_blob(st, 2, hash, 32) != 0)
        return db_fail(d, e, "bind log subtree");
    if (db_exec_deferred(st, e) != 0)
        return -1;
    memo_hash(d, level, index, hash);
    return 0;
}

int tlog_store_subtree_count(db *d, long long *count, err *e)
{
    stmt *st = db_stmt(d, SQL_SUBTREE_COUNT, e);
    return st ? db_one_int64(st, count, "count log subtrees", e) : -1;
}

/* The two indexes of tlog_store_indexes. */
typedef struct indexes {
    long long *issued, *revoked;
} indexes;

static int read_index(stmt *st, void *ctx, err *e)
{
    (void)e;
    const indexes *x = ctx;
    *(stmt_column_int64(st, 0) == TLOG_ISSUANCE ? x->issued : x->revoked) = stmt_column_int64(st, 1);
    return 0;
}

int tlog_store_indexes(db *d, const char *number, long long *issued, long long *revoked, err *e)
{
    *issued = *revoked = -1;
    stmt *st = db_stmt(d, SQL_INDEXES, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, number) != 0)
        return db_fail(d, e, "bind log lookup");
    indexes x = {issued, revoked};
    return db_each_row(st, read_index, &x, "find log entries", e);
}

/* The caller's function for entries, and its context. */
typedef struct entry_visit {
    int (*fn)(const tlog_stored_entry *s, void *ctx, err *e);
    void *ctx;
} entry_visit;

static int visit_entry(stmt *st, void *ctx, err *e)
{
    const entry_visit *v = ctx;
    size_t leaf_len;
    tlog_stored_entry s = {(uint64_t)stmt_column_int64(st, 0), stmt_column_text(st, 1),
                           (tlog_entry_type)stmt_column_int64(st, 2), NULL, 0, NULL};
    s.entry = stmt_column_blob(st, 3, &s.len);
    s.leaf_hash = stmt_column_blob(st, 4, &leaf_len);
    if (leaf_len != 32)
        s.leaf_hash = NULL;
    return v->fn(&s, v->ctx, e);
}

int tlog_store_each_entry(db *d, uint64_t start, uint64_t end, int (*fn)(const tlog_stored_entry *s, void *ctx, err *e),
                          void *ctx, err *e)
{
    stmt *st = db_stmt(d, SQL_ENTRIES, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_int64(st, 1, (long long)start) != 0 || stmt_bind_int64(st, 2, (long long)end) != 0)
        return db_fail(d, e, "bind log entries");
    entry_visit v = {fn, ctx};
    return db_each_row(st, visit_entry, &v, "read log entries", e);
}

/* Where tlog_store_latest_checkpoint puts what it reads. */
typedef struct checkpoint_read {
    uint64_t *size;
    unsigned char *root;
    buf *note;
} checkpoint_read;

static int read_checkpoint(stmt *st, void *ctx, err *e)
{
    const checkpoint_read *r = ctx;
    size_t len;
    const void *root = stmt_column_blob(st, 1, &len);
    const char *note = stmt_column_text(st, 2);
    if (len != 32 || note == NULL)
        return err_set(e, ERR_INTERNAL, "a stored checkpoint without a 32-byte root or a note");
    *r->size = (uint64_t)stmt_column_int64(st, 0);
    memcpy(r->root, root, 32);
    if (r->note != NULL && buf_puts(r->note, note) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

int tlog_store_latest_checkpoint(db *d, uint64_t *size, unsigned char root[32], buf *note, err *e)
{
    stmt *st = db_stmt(d, SQL_LATEST, e);
    checkpoint_read r = {size, root, note};
    return st ? db_step_one(st, read_checkpoint, &r, "read checkpoint", e) : -1;
}

int tlog_store_put_checkpoint(db *d, uint64_t size, const unsigned char root[32], const char *note, time_t at, err *e)
{
    stmt *st = db_stmt(d, SQL_PUT_CHECKPOINT, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_int64(st, 1, (long long)size) != 0 || stmt_bind_blob(st, 2, root, 32) != 0 ||
        stmt_bind_text(st, 3, note) != 0 || stmt_bind_int64(st, 4, at) != 0)
        return db_fail(d, e, "bind checkpoint");
    return db_exec_stmt(st, e);
}

/* The caller's function for unlogged certificates, its context, and the rows seen. */
typedef struct unlogged_visit {
    int (*fn)(const tlog_unlogged *u, void *ctx, err *e);
    void *ctx;
    int rows;
} unlogged_visit;

static int visit_unlogged(stmt *st, void *ctx, err *e)
{
    unlogged_visit *v = ctx;
    tlog_unlogged u = {stmt_column_text(st, 0), stmt_column_text(st, 1), (time_t)stmt_column_int64(st, 2),
                       (time_t)stmt_column_int64(st, 3), (time_t)stmt_column_int64(st, 4), stmt_column_int64(st, 5)};
    v->rows++;
    return v->fn(&u, v->ctx, e);
}

int tlog_store_each_unlogged(db *d, tlog_entry_type type, const char *after, int limit,
                             int (*fn)(const tlog_unlogged *u, void *ctx, err *e), void *ctx, err *e)
{
    stmt *st = db_stmt(d, type == TLOG_ISSUANCE ? SQL_UNLOGGED_ISSUED : SQL_UNLOGGED_REVOKED, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, after) != 0 || stmt_bind_int64(st, 2, limit) != 0)
        return db_fail(d, e, "bind unlogged certificates");
    unlogged_visit v = {fn, ctx, 0};
    return db_each_row(st, visit_unlogged, &v, "list unlogged certificates", e) == 0 ? v.rows : -1;
}

int tlog_store_counts(db *d, tlog_entry_type type, long long *certificates, long long *entries, err *e)
{
    stmt *certs = db_stmt(d, type == TLOG_ISSUANCE ? SQL_COUNT_ISSUED : SQL_COUNT_REVOKED, e);
    stmt *logged = certs ? db_stmt(d, SQL_COUNT_ENTRIES, e) : NULL;
    if (logged == NULL)
        return -1;
    if (stmt_bind_int64(logged, 1, type) != 0)
        return db_fail(d, e, "bind log count");
    return db_one_int64(certs, certificates, "count certificates", e) == 0 ? db_one_int64(logged, entries, "count log entries", e)
                                                                         : -1;
}
