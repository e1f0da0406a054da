/* The engine-neutral walk over every table that copies one database into another: keyset-paged reads of the
   source, the same rows inserted into the target, row counts compared, identity sequences moved on PostgreSQL, and
   the copied documents read back for the caller's check. */
#include "store/copy.h"

#include <assert.h>
#include <string.h>

#include "core/buf.h"

#define COPY_TEXT(x) #x
#define COPY_NUMBER(x) COPY_TEXT(x)
#define COPY_LIMIT " LIMIT " COPY_NUMBER(COPY_BATCH_ROWS)

/* The parameter lists of the inserts, by their length. */
#define PARAMS_2 "?1, ?2"
#define PARAMS_5 PARAMS_2 ", ?3, ?4, ?5"
#define PARAMS_4 PARAMS_2 ", ?3, ?4"
#define PARAMS_6 PARAMS_5 ", ?6"
#define PARAMS_8 PARAMS_6 ", ?7, ?8"
#define PARAMS_9 PARAMS_8 ", ?9"
#define PARAMS_11 PARAMS_9 ", ?10, ?11"
#define PARAMS_12 PARAMS_11 ", ?12"
#define PARAMS_20 PARAMS_12 ", ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20"
#define PARAMS_21 PARAMS_20 ", ?21"

/* One table and the statements that copy it. Statements are cached by the address of their text, so each one is a
   literal made from the pieces below. */
typedef struct copy_table {
    const char *name;
    const char *kinds;      /* one letter per column, the key first: i integer, t text, b blob */
    size_t ncolumns;
    const char *first;      /* the first batch, by key */
    const char *next;       /* the batch after the key ?1 */
    const char *insert;
    const char *count;
    const char *sequence;   /* PostgreSQL: moves the identity sequence of id past the copied ids; NULL without one */
} copy_table;

#define TABLE(name, key, rest, n, kinds, sequence)                                                                 \
    {name,                                                                                                         \
     kinds,                                                                                                        \
     n,                                                                                                            \
     "SELECT " key ", " rest " FROM " name " ORDER BY " key COPY_LIMIT,                                            \
     "SELECT " key ", " rest " FROM " name " WHERE " key " > ?1 ORDER BY " key COPY_LIMIT,                         \
     "INSERT INTO " name " (" key ", " rest ") VALUES (" PARAMS_##n ")",                                           \
     "SELECT count(*) FROM " name,                                                                                 \
     sequence}

/* A table whose key is an identity column id. */
#define TABLE_WITH_ID(name, rest, n, kinds)                                                                        \
    TABLE(name, "id", rest, n, kinds,                                                                              \
          "SELECT setval(pg_get_serial_sequence('" name "', 'id'), coalesce(max(id), 0) + 1, false) FROM " name)

/* Parents before the tables that reference them. */
static const copy_table tables[] = {
    TABLE_WITH_ID("api_keys", "name, role, key_hash, created_at, revoked_at, webhook_url, webhook_secret", 8,
                  "itttiitt"),
    TABLE("subscribers", "code",
          "subscriber_type, owner_fin, owner_voen, holder_name, address, debt_qepik, as_of, updated_at", 9,
          "ttttttiii", NULL),
    TABLE("applications", "id",
          "api_key_id, portal_reference, request_sha256, subscriber_type, subscriber_code, applicant_fin,"
          " applicant_name, birth_date, id_document, address, org_voen, org_name, mobile, email, status,"
          " rejection_code, debt_qepik, debt_as_of, submitted_at",
          20, "ti" "ttttt" "ttttt" "ttttt" "iii", NULL),
    TABLE_WITH_ID("application_events", "application_id, status, at, detail", 5, "ittit"),
    TABLE("certificate_counters", "year", "last_seq", 2, "ii", NULL),
    TABLE("certificates", "number",
          "application_id, code, issued_at, valid_until, subscriber_type, subscriber_code, holder, address, voen,"
          " debt_qepik, debt_as_of, sha256, revoked_at, revocation_reason, revoked_by, voided_at, void_reason,"
          " signature_level, claimed_until, revocation_code",
          21, "ttt" "ii" "ttttt" "ii" "t" "itt" "it" "t" "ii", NULL),
    TABLE("certificate_documents", "number", "pdf", 2, "tb", NULL),
    TABLE_WITH_ID("sms_outbox",
                  "reference, application_id, recipient, body, status, attempts, next_attempt_at, last_error,"
                  " created_at, sent_at",
                  11, "itttttiitii"),
    TABLE_WITH_ID("audit_log", "at, actor, action, target, detail", 6, "iitttt"),
    TABLE_WITH_ID("portal_events",
                  "event_id, api_key_id, application_id, type, payload, created_at, delivery, attempts,"
                  " next_attempt_at, last_error, delivered_at",
                  12, "ititttitiiti"),
    TABLE("tlog_entries", "idx", "number, type, entry, leaf_hash", 5, "itibb", NULL),
    TABLE("tlog_subtrees", "id", "hash", 2, "ib", NULL),
    TABLE("tlog_checkpoints", "tree_size", "root, note, created_at", 4, "ibti", NULL),
};

#define NTABLES (sizeof tables / sizeof tables[0])

static const char SQL_DOCUMENTS_FIRST[] = "SELECT d.number, c.sha256, d.pdf FROM certificate_documents d"
                                          " JOIN certificates c ON c.number = d.number ORDER BY d.number" COPY_LIMIT;
static const char SQL_DOCUMENTS_NEXT[] = "SELECT d.number, c.sha256, d.pdf FROM certificate_documents d"
                                         " JOIN certificates c ON c.number = d.number WHERE d.number > ?1"
                                         " ORDER BY d.number" COPY_LIMIT;

/* A keyset-paged walk: the rows of a statement in key order, one batch per run, each batch after the last key of
   the one before. */
typedef struct page_walk {
    char key_kind;          /* the kind of column 0, the key: 'i' or 't' */
    db_row_reader row;      /* called on each row */
    void *row_ctx;
    long long batch_rows;
    long long last_int;
    buf last_text;          /* the key of the batch's last row, apart from the one the running batch is bound to */
} page_walk;

static int walk_row(stmt *st, void *ctx, err *e)
{
    page_walk *w = ctx;
    if (w->row(st, w->row_ctx, e) != 0)
        return -1;
    w->batch_rows++;
    if (w->key_kind == 'i') {
        w->last_int = stmt_column_int64(st, 0);
        return 0;
    }
    const char *key = stmt_column_text(st, 0);
    w->last_text.len = 0;
    if (buf_puts(&w->last_text, key ? key : "") != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

/* Runs first, then next after each full batch, on d, calling w->row on every row. Returns 0 or -1 with e set. */
static int walk_pages(db *d, const char *first, const char *next, page_walk *w, const char *what, err *e)
{
    buf from = BUF_INIT; /* the key the running batch starts after */
    const char *sql = first;
    int rc = -1;
    do {
        stmt *st = db_stmt(d, sql, e);
        if (st == NULL)
            goto out;
        if (sql == next) {
            int bound = w->key_kind == 'i' ? stmt_bind_int64(st, 1, w->last_int)
                                           : stmt_bind_text(st, 1, buf_cstr(&from));
            if (bound != 0) {
                err_set(e, ERR_INTERNAL, "%s: cannot bind the key", what);
                goto out;
            }
        }
        w->batch_rows = 0;
        if (db_each_row(st, walk_row, w, what, e) != 0)
            goto out;
        buf swap = from;
        from = w->last_text;
        w->last_text = swap;
        sql = next;
    } while (w->batch_rows == COPY_BATCH_ROWS);
    rc = 0;
out:
    buf_free(&from);
    buf_free(&w->last_text);
    return rc;
}

/* Binds column col of the row from as parameter col + 1 of to, by its kind; NULL stays NULL. */
static int bind_column(stmt *to, stmt *from, int col, char kind)
{
    if (stmt_column_is_null(from, col))
        return stmt_bind_null(to, col + 1);
    if (kind == 'i')
        return stmt_bind_int64(to, col + 1, stmt_column_int64(from, col));
    if (kind == 'b') {
        size_t len;
        const void *data = stmt_column_blob(from, col, &len);
        return stmt_bind_blob(to, col + 1, data ? data : "", len); /* an empty blob is not NULL */
    }
    return stmt_bind_text(to, col + 1, stmt_column_text(from, col));
}

/* The copy of one table in progress. */
typedef struct table_copy {
    const copy_table *table;
    db *target;
    stmt *insert;
    long long copied;
} table_copy;

static int copy_row(stmt *row, void *ctx, err *e)
{
    table_copy *c = ctx;
    for (size_t i = 0; i < c->table->ncolumns; i++)
        if (bind_column(c->insert, row, (int)i, c->table->kinds[i]) != 0)
            return err_set(e, ERR_INTERNAL, "cannot bind column %zu", i + 1);
    if (db_exec_stmt(c->insert, e) != 0)
        return -1;
    c->copied++;
    return 0;
}

/* The number of rows of table t in d. Returns 0 or -1 with e set. */
static int count_rows(db *d, const copy_table *t, long long *rows, err *e)
{
    stmt *st = db_stmt(d, t->count, e);
    if (st == NULL)
        return -1;
    return db_one_int64(st, rows, "count rows", e);
}

/* Puts the table's name in front of the message of the failure e describes. Returns -1. */
static int fail_in(const char *table, err *e)
{
    err inner = *e;
    return err_set(e, inner.code, "table %s: %s", table, inner.msg);
}

/* The copy as a whole: both connections and the caller's hooks. */
typedef struct database_copy {
    db *source;
    db *target;
    const copy_hooks *hooks;
} database_copy;

/* Copies table t and compares its row counts; runs inside both transactions. */
static int copy_one_table(const database_copy *c, const copy_table *t, err *e)
{
    assert(strlen(t->kinds) == t->ncolumns);
    table_copy copy = {.table = t, .target = c->target};
    page_walk walk = {.key_kind = t->kinds[0], .row = copy_row, .row_ctx = &copy, .last_text = BUF_INIT};
    long long in_source = 0, in_target = 0;
    if ((copy.insert = db_stmt(c->target, t->insert, e)) == NULL ||
        walk_pages(c->source, t->first, t->next, &walk, "read the source", e) != 0 ||
        count_rows(c->source, t, &in_source, e) != 0 || count_rows(c->target, t, &in_target, e) != 0)
        return fail_in(t->name, e);
    if (in_source != copy.copied || in_target != copy.copied)
        return err_set(e, ERR_INTERNAL, "table %s: %lld rows in the source, %lld copied, %lld in the copy", t->name,
                       in_source, copy.copied, in_target);
    if (c->hooks->progress != NULL)
        c->hooks->progress(t->name, in_target, c->hooks->ctx);
    return 0;
}

/* Copies every table; runs in the source's transaction, inside the target's. */
static int copy_tables(db *source, void *ctx, err *e)
{
    (void)source;
    for (size_t i = 0; i < NTABLES; i++)
        if (copy_one_table(ctx, &tables[i], e) != 0)
            return -1;
    return 0;
}

/* Fails unless every table of d is empty. */
static int check_empty(db *d, err *e)
{
    for (size_t i = 0; i < NTABLES; i++) {
        long long rows = 0;
        if (count_rows(d, &tables[i], &rows, e) != 0)
            return fail_in(tables[i].name, e);
        if (rows > 0)
            return err_set(e, ERR_CONFLICT,
                           "the target database is not empty (table %s holds %lld rows); copy only into an empty"
                           " database", tables[i].name, rows);
    }
    return 0;
}

/* PostgreSQL hands out ids from identity sequences, which the copied ids did not advance. */
static int move_sequences(db *d, err *e)
{
    for (size_t i = 0; i < NTABLES; i++) {
        if (tables[i].sequence == NULL)
            continue;
        stmt *st = db_stmt(d, tables[i].sequence, e);
        if (st == NULL || db_exec_stmt(st, e) != 0)
            return fail_in(tables[i].name, e);
    }
    return 0;
}

static int check_document(stmt *st, void *ctx, err *e)
{
    const copy_hooks *hooks = ctx;
    size_t len;
    const void *pdf = stmt_column_blob(st, 2, &len);
    const char *number = stmt_column_text(st, 0), *sha256 = stmt_column_text(st, 1);
    return hooks->check(number ? number : "", sha256 ? sha256 : "", pdf ? pdf : "", len, hooks->ctx, e);
}

/* Hands every document of d, with its certificate's SHA-256, to hooks->check. */
static int check_documents(db *d, const copy_hooks *hooks, err *e)
{
    page_walk walk = {.key_kind = 't', .row = check_document, .row_ctx = (void *)hooks, .last_text = BUF_INIT};
    return walk_pages(d, SQL_DOCUMENTS_FIRST, SQL_DOCUMENTS_NEXT, &walk, "read the copied documents", e);
}

/* The copy's work in the target's transaction. */
static int copy_into(db *target, void *ctx, err *e)
{
    database_copy *c = ctx;
    if (check_empty(target, e) != 0 || db_transaction(c->source, copy_tables, c, e) != 0)
        return -1;
    if (!db_is_embedded(target) && move_sequences(target, e) != 0)
        return -1;
    return c->hooks->check != NULL ? check_documents(target, c->hooks, e) : 0;
}

int copy_database(db *source, db *target, const copy_hooks *hooks, err *e)
{
    assert(source != NULL && target != NULL && hooks != NULL && source != target);
    database_copy c = {source, target, hooks};
    return db_transaction(target, copy_into, &c, e);
}
