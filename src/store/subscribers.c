/* Statements on the subscribers table. */
#include "store/subscribers.h"

#include <stdlib.h>
#include <string.h>

static const char SQL_AS_OF[] = "SELECT as_of FROM subscribers WHERE code = ?1";
static const char SQL_UPSERT[] =
    "INSERT INTO subscribers(code, subscriber_type, owner_fin, owner_voen, holder_name, address, debt_qepik, as_of,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(code) DO UPDATE SET"
    " subscriber_type = excluded.subscriber_type, owner_fin = excluded.owner_fin, owner_voen = excluded.owner_voen,"
    " holder_name = excluded.holder_name, address = excluded.address, debt_qepik = excluded.debt_qepik,"
    " as_of = excluded.as_of, updated_at = excluded.updated_at";
static const char SQL_FIND[] = "SELECT subscriber_type, owner_fin, owner_voen, holder_name, address, debt_qepik, as_of"
                               " FROM subscribers WHERE code = ?1";

static int read_as_of(stmt *st, void *ctx, err *e)
{
    (void)e;
    *(time_t *)ctx = (time_t)stmt_column_int64(st, 0);
    return 0;
}

/* Returns 1 and the stored as_of when the code exists, 0 when not, -1 on error. */
static int stored_as_of(db *d, const char *code, time_t *as_of, err *e)
{
    stmt *st = db_stmt(d, SQL_AS_OF, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, code) != 0)
        return db_fail(d, e, "bind subscriber");
    return db_step_one(st, read_as_of, as_of, "read subscriber", e);
}

int subscribers_put(db *d, const billing_record *r, time_t now, subscriber_write *result, err *e)
{
    time_t as_of = 0;
    int exists = stored_as_of(d, r->subscriber_code, &as_of, e);
    if (exists < 0)
        return -1;
    if (exists && r->as_of < as_of) {
        *result = SUBSCRIBER_STALE;
        return 0;
    }
    stmt *st = db_stmt(d, SQL_UPSERT, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, r->subscriber_code) != 0 ||
        stmt_bind_text(st, 2, billing_type_name(r->non_residential)) != 0 ||
        stmt_bind_optional_text(st, 3, r->owner_fin) != 0 ||
        stmt_bind_optional_text(st, 4, r->owner_voen) != 0 ||
        stmt_bind_text(st, 5, r->holder_name) != 0 ||
        stmt_bind_text(st, 6, r->address) != 0 ||
        stmt_bind_int64(st, 7, r->debt_qepik) != 0 ||
        stmt_bind_int64(st, 8, r->as_of) != 0 ||
        stmt_bind_int64(st, 9, now) != 0)
        return db_fail(d, e, "bind subscriber");
    if (db_exec_stmt(st, e) != 0)
        return -1;
    *result = exists ? SUBSCRIBER_UPDATED : SUBSCRIBER_CREATED;
    return 0;
}

static char *column_strdup(stmt *st, int col)
{
    const char *text = stmt_column_text(st, col);
    return text ? strdup(text) : NULL;
}

/* Reads a subscriber row into the billing_record ctx (its code already set); frees what it read on failure. */
static int read_subscriber(stmt *st, void *ctx, err *e)
{
    billing_record *r = ctx;
    int result = 0;
    if (billing_type_parse(stmt_column_text(st, 0), &r->non_residential) != 0)
        result = err_set(e, ERR_INVALID, "subscriber row with an unknown type");
    r->debt_qepik = stmt_column_int64(st, 5);
    r->as_of = (time_t)stmt_column_int64(st, 6);
    r->holder_name = column_strdup(st, 3);
    r->address = column_strdup(st, 4);
    if (result == 0 && (db_column_copy(st, 1, r->owner_fin, sizeof r->owner_fin, e) != 0 ||
                        db_column_copy(st, 2, r->owner_voen, sizeof r->owner_voen, e) != 0))
        result = -1;
    else if (result == 0 && (r->holder_name == NULL || (r->address == NULL && !stmt_column_is_null(st, 4))))
        result = err_set(e, ERR_NOMEM, "out of memory");
    if (result < 0)
        billing_record_free(r);
    return result;
}

/* The lookup of code, bound. NULL with e set (ERR_TOO_LONG for a code longer than a record holds). */
static stmt *bind_find(db *d, const char *code, err *e)
{
    if (strlen(code) >= sizeof ((billing_record *)0)->subscriber_code) {
        err_set(e, ERR_TOO_LONG, "subscriber code longer than %zu bytes",
                sizeof ((billing_record *)0)->subscriber_code - 1);
        return NULL;
    }
    stmt *st = db_stmt(d, SQL_FIND, e);
    if (st != NULL && stmt_bind_text(st, 1, code) != 0) {
        db_fail(d, e, "bind subscriber");
        return NULL;
    }
    return st;
}

int subscribers_read(stmt *st, const char *code, billing_record *r, err *e)
{
    memset(r, 0, sizeof *r);
    if (st == NULL)
        return -1;
    memcpy(r->subscriber_code, code, strlen(code) + 1); /* it fit when it was bound */
    return db_step_one(st, read_subscriber, r, "find subscriber", e);
}

int subscribers_find(db *d, const char *code, billing_record *r, err *e)
{
    return subscribers_read(bind_find(d, code, e), code, r, e);
}

stmt *subscribers_find_ahead(db *d, const char *code, err *e)
{
    return db_read_ahead(bind_find(d, code, e), e);
}
