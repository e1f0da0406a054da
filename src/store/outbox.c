/* Statements on the sms_outbox table. next_attempt_at is kept in milliseconds. */
#include "store/outbox.h"

#include <assert.h>
#include <string.h>

#include "store/db.h"
#include "store/lease.h"

#define OUTBOX_COLUMNS "id, reference, application_id, recipient, body, status, attempts, next_attempt_at, created_at, last_error"

static const char SQL_ENQUEUE[] = "INSERT INTO sms_outbox(reference, application_id, recipient, body, status,"
                                  " next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5 * 1000, ?5)";
/* with the message's application as its portal event names it (columns 10 and 11, NULL without one), each looked up
   by its key: a join could be planned as a walk over the applications in key order, which grows with the table */
#define OWNER_COLUMN(c) "(SELECT a." c " FROM applications a WHERE a.id = o.application_id)"
static const char SQL_DUE[] = "SELECT " OUTBOX_COLUMNS ", " OWNER_COLUMN("api_key_id") ", "
                              OWNER_COLUMN("portal_reference") " FROM sms_outbox o WHERE status = 'pending'"
                              " AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2";
static const char SQL_ATTEMPT[] = "UPDATE sms_outbox SET status = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5,"
                                  " sent_at = CASE WHEN ?2 = 'sent' THEN ?6 ELSE sent_at END WHERE id = ?1";
static const char SQL_CLAIM[] = "UPDATE sms_outbox SET next_attempt_at = ?1 WHERE id IN (" LEASE_IDS ")"
                                " AND coalesce(status, '') = 'pending' AND next_attempt_at <= ?2 RETURNING id";
static const char SQL_BY_STATUS[] = "SELECT " OUTBOX_COLUMNS " FROM sms_outbox"
                                    " WHERE CAST(?1 AS TEXT) IS NULL OR status = ?1"
                                    " ORDER BY id DESC LIMIT ?2";
static const char SQL_RETRY[] = "UPDATE sms_outbox SET status = 'pending', next_attempt_at = ?2 WHERE id = ?1 AND status = 'failed'";
static const char SQL_NEXT_DUE[] = "SELECT coalesce(min(next_attempt_at), 0) FROM sms_outbox WHERE status = 'pending'";
static const char SQL_STATS[] = "SELECT count(*), min(created_at) FROM sms_outbox WHERE status = 'pending'";

int outbox_enqueue(db *d, const char *reference, const char *application_id, const char *recipient,
                   const char *body, time_t now, err *e)
{
    if (strlen(body) > OUTBOX_BODY_MAX)
        return err_set(e, ERR_TOO_LONG, "SMS text of %zu bytes is over the outbox's %d", strlen(body), OUTBOX_BODY_MAX);
    stmt *st = db_stmt(d, SQL_ENQUEUE, e);
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, reference);
    stmt_bind_text(st, 2, application_id);
    stmt_bind_text(st, 3, recipient);
    stmt_bind_text(st, 4, body);
    stmt_bind_int64(st, 5, now);
    return db_exec_deferred(st, e);
}

static int read_message(stmt *st, outbox_message *m, err *e)
{
    m->id = stmt_column_int64(st, 0);
    m->attempts = (int)stmt_column_int64(st, 6);
    m->next_attempt_ms = stmt_column_int64(st, 7);
    m->created_at = (time_t)stmt_column_int64(st, 8);
    const char *status = stmt_column_text(st, 5);
    if (status == NULL || sms_status_parse(status, &m->status) != 0)
        return err_set(e, ERR_INTERNAL, "outbox message %lld has an unknown status", m->id);
    return db_column_copy(st, 1, m->reference, sizeof m->reference, e) != 0 ||
                   db_column_copy(st, 2, m->application_id, sizeof m->application_id, e) != 0 ||
                   db_column_copy(st, 3, m->recipient, sizeof m->recipient, e) != 0 ||
                   db_column_copy(st, 4, m->body, sizeof m->body, e) != 0 ||
                   db_column_copy(st, 9, m->last_error, sizeof m->last_error, e) != 0
               ? -1
               : 0;
}

/* Where outbox_due puts the messages it reads. */
typedef struct message_array {
    outbox_message *out;
    int max;
    int n;
} message_array;

static int append_message(stmt *st, void *ctx, err *e)
{
    message_array *a = ctx;
    assert(a->n < a->max); /* the statement's LIMIT */
    outbox_message *m = &a->out[a->n++];
    m->has_application = !stmt_column_is_null(st, 10); /* an application's key is never NULL */
    m->api_key_id = stmt_column_int64(st, 10);
    if (read_message(st, m, e) != 0)
        return -1;
    return db_column_copy(st, 11, m->portal_reference, sizeof m->portal_reference, e);
}

int outbox_due(db *d, long long now_ms, outbox_message *out, int max, err *e)
{
    assert(max > 0);
    stmt *st = db_stmt(d, SQL_DUE, e);
    if (st == NULL)
        return -1;
    stmt_bind_int64(st, 1, now_ms);
    stmt_bind_int64(st, 2, max);
    message_array a = {out, max, 0};
    return db_each_row(st, append_message, &a, "read outbox", e) == 0 ? a.n : -1;
}

int outbox_claim(db *d, const long long *ids, int n, long long due_ms, long long until_ms, long long *taken, err *e)
{
    return lease_take(d, SQL_CLAIM, ids, n, due_ms, until_ms, taken, e);
}

int outbox_record_attempt(db *d, const outbox_message *m, sms_status status, long long next_ms, const char *error,
                          time_t now, err *e)
{
    stmt *st = db_stmt(d, SQL_ATTEMPT, e);
    if (st == NULL)
        return -1;
    stmt_bind_int64(st, 1, m->id);
    stmt_bind_text(st, 2, sms_status_name(status));
    stmt_bind_int64(st, 3, m->attempts + 1);
    stmt_bind_int64(st, 4, next_ms);
    stmt_bind_text(st, 5, error);
    stmt_bind_int64(st, 6, now);
    return db_exec_deferred(st, e);
}

/* The caller's function for each message outbox_each reads. */
typedef struct message_visit {
    void (*fn)(const outbox_message *m, void *ctx);
    void *ctx;
} message_visit;

static int visit_message(stmt *st, void *ctx, err *e)
{
    message_visit *v = ctx;
    outbox_message m = {0}; /* its application is not read here */
    if (read_message(st, &m, e) != 0)
        return -1;
    v->fn(&m, v->ctx);
    return 0;
}

int outbox_each(db *d, const sms_status *status, int limit, void (*fn)(const outbox_message *m, void *ctx), void *ctx,
                err *e)
{
    stmt *st = db_stmt(d, SQL_BY_STATUS, e);
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, status != NULL ? sms_status_name(*status) : NULL);
    stmt_bind_int64(st, 2, limit);
    message_visit v = {fn, ctx};
    return db_each_row(st, visit_message, &v, "list outbox", e);
}

int outbox_retry(db *d, long long id, long long now_ms, err *e)
{
    stmt *st = db_stmt(d, SQL_RETRY, e);
    if (st == NULL)
        return -1;
    stmt_bind_int64(st, 1, id);
    stmt_bind_int64(st, 2, now_ms);
    if (db_exec_stmt(st, e) != 0)
        return -1;
    return db_changes(d) > 0;
}

/* The numbers of the pending messages: how many, the oldest's creation time, the earliest next attempt. */
typedef struct pending_numbers {
    long long count;
    time_t oldest;
    long long due_ms;
} pending_numbers;

static int read_stats(stmt *st, void *ctx, err *e)
{
    (void)e;
    pending_numbers *p = ctx;
    p->count = stmt_column_int64(st, 0);
    p->oldest = (time_t)stmt_column_int64(st, 1);
    return 0;
}

static int read_next_due(stmt *st, void *ctx, err *e)
{
    (void)e;
    pending_numbers *p = ctx;
    p->due_ms = stmt_column_int64(st, 0);
    return 0;
}

/* Runs an aggregate over the pending messages, which always yields one row. Returns 0 or -1 with e set. */
static int read_aggregate(db *d, const char *sql, db_row_reader read, pending_numbers *p, const char *what, err *e)
{
    stmt *st = db_stmt(d, sql, e);
    if (st == NULL)
        return -1;
    int rc = db_step_one(st, read, p, what, e);
    return rc == 1 ? 0 : rc == 0 ? err_set(e, ERR_INTERNAL, "%s: no row", what) : -1;
}

int outbox_pending_stats(db *d, long long *count, time_t *oldest, err *e)
{
    pending_numbers p = {0};
    if (read_aggregate(d, SQL_STATS, read_stats, &p, "outbox stats", e) != 0)
        return -1;
    *count = p.count;
    *oldest = p.oldest;
    return 0;
}

int outbox_next_due_ms(db *d, long long *due_ms, err *e)
{
    pending_numbers p = {0};
    if (read_aggregate(d, SQL_NEXT_DUE, read_next_due, &p, "outbox next due", e) != 0)
        return -1;
    *due_ms = p.due_ms;
    return 0;
}
