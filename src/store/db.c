/* The engine-neutral half of a database connection: the per-thread pool, the statement cache, parameter binding,
   stepping through rows and transactions; the engine does the rest (db_sqlite.c, db_postgres.c). */
#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_engine.h"

struct db_pool {
    const db_engine *engine;
    char *target;
    pthread_key_t key;
    /* Writers of this process queue here (SQLite; see db_begin). */
    pthread_mutex_t writer;
};

/* The write transaction's memo (see db_memo_put). */
typedef struct db_memo {
    size_t count;                 /* slots in use */
    size_t oldest;                /* the slot a new key takes once all are in use */
    struct {
        char key[DB_MEMO_KEY];
        unsigned char value[DB_MEMO_VALUE];
        size_t len;
    } slots[DB_MEMO_SLOTS];
} db_memo;

static void db_free(void *p)
{
    db *d = p;
    if (d == NULL)
        return;
    free(d->memo);
    for (size_t i = 0; i < d->nstmts; i++)
        d->engine->finalize(d->stmts[i]);
    d->engine->disconnect(d);
}

db_pool *db_pool_new(const db_engine *engine, const char *target, err *e)
{
    db_pool *p = calloc(1, sizeof *p);
    if (p == NULL || (p->target = strdup(target)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    p->engine = engine;
    if (pthread_key_create(&p->key, db_free) != 0) {
        err_set(e, ERR_NOMEM, "cannot make a per-thread connection key");
        goto fail;
    }
    if (pthread_mutex_init(&p->writer, NULL) != 0) {
        pthread_key_delete(p->key);
        err_set(e, ERR_NOMEM, "cannot make the writer lock");
        goto fail;
    }
    return p;
fail:
    if (p != NULL)
        free(p->target);
    free(p);
    return NULL;
}

void db_pool_free(db_pool *p)
{
    if (p == NULL)
        return;
    db_free(pthread_getspecific(p->key));
    pthread_setspecific(p->key, NULL);
    pthread_key_delete(p->key);
    pthread_mutex_destroy(&p->writer);
    free(p->target);
    free(p);
}

pthread_mutex_t *db_pool_writer(db_pool *p)
{
    return &p->writer;
}

const db_engine *db_pool_engine(const db_pool *p)
{
    return p->engine;
}

db *db_pool_get(db_pool *p, err *e)
{
    db *d = pthread_getspecific(p->key);
    if (d != NULL && !d->engine->broken(d))
        return d;
    if (d != NULL) {
        pthread_setspecific(p->key, NULL);
        db_free(d);
    }
    d = p->engine->connect(p->target, &p->writer, e);
    if (d != NULL)
        d->failed_statement = -1;
    if (d != NULL && pthread_setspecific(p->key, d) != 0) {
        db_free(d);
        err_set(e, ERR_NOMEM, "cannot keep connection");
        return NULL;
    }
    return d;
}

const db_engine *db_engine_of(const db *d)
{
    return d->engine;
}

int db_is_embedded(const db *d)
{
    return d->engine->embedded;
}

int db_exec_sql(db *d, const char *sql, err *e)
{
    return d->engine->exec_sql(d, sql, e);
}

/* Forgets the statement's parameters and rows. */
static void stmt_reset(stmt *st)
{
    st->owner->engine->reset(st);
    for (int i = 0; i < st->nparams; i++)
        st->params[i].type = DB_PARAM_NULL;
    st->nparams = 0;
}

stmt *db_stmt(db *d, const char *sql, err *e)
{
    for (size_t i = 0; i < d->nstmts; i++) {
        if (d->stmts[i]->sql == sql) {
            stmt_reset(d->stmts[i]);
            return d->stmts[i];
        }
    }
    if (d->nstmts == DB_STMT_CACHE) {
        err_set(e, ERR_INTERNAL, "statement cache full: more than %d statements", DB_STMT_CACHE);
        return NULL;
    }
    stmt *st = d->engine->prepare(d, sql, e);
    if (st == NULL)
        return NULL;
    d->stmts[d->nstmts++] = st;
    return st;
}

/* The parameter at a 1-based index, counted as bound. NULL for an index out of range. */
static db_param *param_at(stmt *st, int index)
{
    if (index < 1 || index > DB_MAX_PARAMS)
        return NULL;
    if (index > st->nparams)
        st->nparams = index;
    return &st->params[index - 1];
}

int stmt_bind_null(stmt *st, int index)
{
    db_param *p = param_at(st, index);
    if (p == NULL)
        return -1;
    p->type = DB_PARAM_NULL;
    return 0;
}

int stmt_bind_text(stmt *st, int index, const char *text)
{
    db_param *p = param_at(st, index);
    if (p == NULL)
        return -1;
    *p = (db_param){.type = text ? DB_PARAM_TEXT : DB_PARAM_NULL, .data = text, .len = text ? strlen(text) : 0};
    return 0;
}

int stmt_bind_optional_text(stmt *st, int index, const char *text)
{
    return stmt_bind_text(st, index, text && text[0] ? text : NULL);
}

int stmt_bind_int64(stmt *st, int index, long long value)
{
    db_param *p = param_at(st, index);
    if (p == NULL)
        return -1;
    p->type = DB_PARAM_INT64;
    p->value = value;
    snprintf(p->text, sizeof p->text, "%lld", value);
    return 0;
}

int stmt_bind_blob(stmt *st, int index, const void *data, size_t len)
{
    db_param *p = param_at(st, index);
    if (p == NULL)
        return -1;
    *p = (db_param){.type = DB_PARAM_BLOB, .data = data, .len = len};
    return 0;
}

long long stmt_column_int64(stmt *st, int col)
{
    return st->owner->engine->column_int64(st, col);
}

const char *stmt_column_text(stmt *st, int col)
{
    return st->owner->engine->column_text(st, col);
}

const void *stmt_column_blob(stmt *st, int col, size_t *len)
{
    return st->owner->engine->column_blob(st, col, len);
}

int stmt_column_is_null(stmt *st, int col)
{
    return st->owner->engine->column_is_null(st, col);
}

const char *stmt_column_name(stmt *st, int col)
{
    return st->owner->engine->column_name(st, col);
}

int db_column_copy(stmt *st, int col, char *dst, size_t size, err *e)
{
    const char *text = stmt_column_text(st, col);
    size_t n = text ? strlen(text) : 0;
    dst[0] = '\0';
    if (n >= size)
        return err_set(e, ERR_TOO_LONG, "column %s holds %zu bytes, more than the %zu it may have",
                       stmt_column_name(st, col), n, size - 1);
    if (n > 0)
        memcpy(dst, text, n);
    dst[n] = '\0';
    return 0;
}

/* Numbers the statement about to run on st's connection. */
static void count_statement(stmt *st)
{
    st->owner->statements++;
}

/* Notes, when the engine has not named an earlier one, that the statement just numbered failed. Returns -1. */
static int note_failure(stmt *st)
{
    if (st->owner->failed_statement < 0)
        st->owner->failed_statement = st->owner->statements;
    return -1;
}

int db_step_one(stmt *st, db_row_reader read, void *ctx, const char *what, err *e)
{
    count_statement(st);
    int result = st->owner->engine->step(st, what, e);
    if (result < 0)
        note_failure(st);
    if (result == 1 && read(st, ctx, e) != 0)
        result = -1;
    stmt_reset(st);
    return result;
}

static int read_int64(stmt *st, void *ctx, err *e)
{
    (void)e;
    *(long long *)ctx = stmt_column_int64(st, 0);
    return 0;
}

int db_one_int64(stmt *st, long long *out, const char *what, err *e)
{
    int found = db_step_one(st, read_int64, out, what, e);
    return found == 1 ? 0 : found == 0 ? err_set(e, ERR_INTERNAL, "%s: no row", what) : -1;
}

int db_each_row(stmt *st, db_row_reader fn, void *ctx, const char *what, err *e)
{
    int rc = 0, result = 0;
    count_statement(st);
    while (result == 0 && (rc = st->owner->engine->step(st, what, e)) == 1)
        result = fn(st, ctx, e);
    if (result == 0 && rc < 0)
        result = note_failure(st);
    stmt_reset(st);
    return result;
}

stmt *db_read_ahead(stmt *st, err *e)
{
    if (st == NULL)
        return NULL;
    const db_engine *engine = st->owner->engine;
    return engine->read_ahead == NULL || engine->read_ahead(st, e) == 0 ? st : NULL;
}

int db_exec_stmt(stmt *st, err *e)
{
    count_statement(st);
    int rc = st->owner->engine->step(st, "write", e);
    if (rc < 0)
        note_failure(st);
    stmt_reset(st);
    return rc < 0 ? -1 : 0;
}

int db_exec_checked(stmt *st, long long changes, err *e)
{
    db *d = st->owner;
    count_statement(st);
    int rc = d->engine->send != NULL ? d->engine->send(st, changes, e) : 0;
    if (rc == 0) { /* not deferred: run now */
        rc = d->engine->step(st, "write", e) < 0 ? -1 : 1;
        if (rc == 1 && changes >= 0 && d->changes != changes)
            rc = err_set(e, ERR_CONFLICT, "a write changed %lld rows, not %lld", d->changes, changes);
    }
    if (rc < 0)
        note_failure(st);
    stmt_reset(st);
    return rc < 0 ? -1 : 0;
}

int db_exec_deferred(stmt *st, err *e)
{
    return db_exec_checked(st, -1, e);
}

long long db_statement_count(const db *d)
{
    return d->statements;
}

long long db_failed_statement(const db *d)
{
    return d->failed_statement;
}

void db_forget_failure(db *d)
{
    d->failed_statement = -1;
}

long long db_changes(db *d)
{
    return d->changes;
}

/* Ends the memo with the transaction it belonged to. */
static void memo_forget(db *d)
{
    d->writing = 0;
    if (d->memo != NULL)
        d->memo->count = d->memo->oldest = 0;
}

int db_begin_unordered(db *d, err *e)
{
    memo_forget(d);
    if (d->engine->begin(d, e) != 0)
        return -1;
    d->writing = 1;
    return 0;
}

int db_take_order(db *d, err *e)
{
    return d->engine->take_order != NULL ? d->engine->take_order(d, e) : 0;
}

int db_begin(db *d, err *e)
{
    if (db_begin_unordered(d, e) != 0)
        return -1;
    if (db_take_order(d, e) == 0)
        return 0;
    db_rollback(d);
    return -1;
}

int db_commit(db *d, err *e)
{
    memo_forget(d);
    return d->engine->commit(d, e);
}

void db_rollback(db *d)
{
    memo_forget(d);
    d->engine->rollback(d);
}

/* The slot of key, m->count when none. */
static size_t memo_find(const db_memo *m, const char *key)
{
    size_t i = 0;
    while (i < m->count && strcmp(m->slots[i].key, key) != 0)
        i++;
    return i;
}

void db_memo_put(db *d, const char *key, const void *value, size_t len)
{
    if (!d->writing || strlen(key) >= DB_MEMO_KEY || len > DB_MEMO_VALUE)
        return;
    if (d->memo == NULL && (d->memo = calloc(1, sizeof *d->memo)) == NULL)
        return; /* out of memory: the database answers instead */
    db_memo *m = d->memo;
    size_t i = memo_find(m, key);
    if (i == m->count && m->count < DB_MEMO_SLOTS) {
        m->count++;
    } else if (i == m->count) {
        i = m->oldest;
        m->oldest = (m->oldest + 1) % DB_MEMO_SLOTS;
    }
    strcpy(m->slots[i].key, key);
    memcpy(m->slots[i].value, value, len);
    m->slots[i].len = len;
}

int db_memo_get(db *d, const char *key, void *value, size_t len)
{
    if (!d->writing || d->memo == NULL)
        return 0;
    size_t i = memo_find(d->memo, key);
    if (i == d->memo->count || d->memo->slots[i].len != len)
        return 0;
    memcpy(value, d->memo->slots[i].value, len);
    return 1;
}

int db_in_transaction(db *d)
{
    return d->engine->in_transaction(d);
}

int db_transaction(db *d, store_work work, void *ctx, err *e)
{
    if (db_begin(d, e) != 0)
        return -1;
    int rc = work(d, ctx, e);
    if (rc == 0)
        rc = db_commit(d, e);
    if (rc != 0)
        db_rollback(d);
    return rc;
}

int db_snapshot(db *d, store_work work, void *ctx, err *e)
{
    if (db_exec_sql(d, d->engine->begin_snapshot_sql, e) != 0)
        return -1;
    int rc = work(d, ctx, e);
    db_rollback(d);
    return rc;
}

int db_fail(db *d, err *e, const char *what)
{
    if (d == NULL)
        return err_set(e, ERR_NOMEM, "%s: out of memory", what);
    return d->engine->fail(d, e, what);
}
