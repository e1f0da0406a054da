/* Statements on the events table. next_attempt_at is kept in milliseconds. */
#include "store/events.h"

#include <string.h>

#include "store/lease.h"

#define EVENT_COLUMNS                                                                                                   \
    "e.id, e.event_id, e.api_key_id, e.application_id, e.type, e.payload, e.created_at, e.delivery, e.attempts,"      \
    " e.next_attempt_at, e.last_error"

/* An unknown key leaves delivery NULL, which the table refuses. */
static const char SQL_APPEND[] =
    "INSERT INTO portal_events(event_id, api_key_id, application_id, type, payload, created_at, delivery, next_attempt_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, (SELECT CASE WHEN webhook_url IS NULL THEN 'none' ELSE 'pending' END"
    " FROM api_keys WHERE id = ?2), ?6 * 1000)";
static const char SQL_DUE[] =
    "SELECT " EVENT_COLUMNS ", k.webhook_url, k.webhook_secret FROM portal_events e JOIN api_keys k ON k.id = e.api_key_id"
    " WHERE e.delivery = 'pending' AND e.next_attempt_at <= ?1 AND k.webhook_url IS NOT NULL"
    " AND NOT EXISTS (SELECT 1 FROM portal_events p WHERE p.application_id = e.application_id AND p.id < e.id"
    " AND p.delivery = 'pending') ORDER BY e.id LIMIT ?2";
static const char SQL_CLAIM[] = "UPDATE portal_events SET next_attempt_at = ?1 WHERE id IN (" LEASE_IDS ")"
                                " AND coalesce(delivery, '') = 'pending' AND next_attempt_at <= ?2 RETURNING id";
static const char SQL_ATTEMPT[] =
    "UPDATE portal_events SET delivery = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5,"
    " delivered_at = CASE WHEN ?2 = 'delivered' THEN ?6 ELSE delivered_at END WHERE id = ?1";
static const char SQL_AFTER[] =
    "SELECT " EVENT_COLUMNS " FROM portal_events e WHERE e.api_key_id = ?1 AND e.id > ?2 ORDER BY e.id LIMIT ?3";
static const char SQL_BY_DELIVERY[] =
    "SELECT " EVENT_COLUMNS " FROM portal_events e WHERE CAST(?1 AS TEXT) IS NULL OR e.delivery = ?1"
    " ORDER BY e.id DESC LIMIT ?2";
static const char SQL_RETRY[] =
    "UPDATE portal_events SET delivery = 'pending', next_attempt_at = ?2 WHERE id = ?1 AND delivery = 'failed'";
static const char SQL_NEXT_DUE[] = "SELECT coalesce(min(next_attempt_at), 0) FROM portal_events WHERE delivery = 'pending'";
static const char SQL_PENDING[] = "SELECT count(*) FROM portal_events WHERE delivery = 'pending'";

int events_append(db *d, const char *event_id, long long api_key_id, const char *application_id, event_type type,
                  const char *payload, time_t now, err *e)
{
    if (strlen(payload) > EVENT_PAYLOAD_MAX)
        return err_set(e, ERR_TOO_LONG, "event payload of %zu bytes is over %d", strlen(payload), EVENT_PAYLOAD_MAX);
    stmt *st = db_stmt(d, SQL_APPEND, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, event_id) != 0 ||
        stmt_bind_int64(st, 2, api_key_id) != 0 ||
        stmt_bind_text(st, 3, application_id) != 0 ||
        stmt_bind_text(st, 4, event_type_name(type)) != 0 ||
        stmt_bind_text(st, 5, payload) != 0 ||
        stmt_bind_int64(st, 6, now) != 0)
        return db_fail(d, e, "bind event");
    return db_exec_deferred(st, e);
}

/* Reads the event columns (the first eleven of the row). */
static int read_event(stmt *st, event_record *ev, err *e)
{
    ev->seq = stmt_column_int64(st, 0);
    ev->api_key_id = stmt_column_int64(st, 2);
    ev->type = event_type_parse(stmt_column_text(st, 4));
    ev->created_at = (time_t)stmt_column_int64(st, 6);
    ev->delivery = event_delivery_parse(stmt_column_text(st, 7));
    ev->attempts = (int)stmt_column_int64(st, 8);
    ev->next_attempt_ms = stmt_column_int64(st, 9);
    if (db_column_copy(st, 1, ev->event_id, sizeof ev->event_id, e) != 0 ||
        db_column_copy(st, 3, ev->application_id, sizeof ev->application_id, e) != 0 ||
        db_column_copy(st, 5, ev->payload, sizeof ev->payload, e) != 0 ||
        db_column_copy(st, 10, ev->last_error, sizeof ev->last_error, e) != 0)
        return -1;
    if (ev->type == EVENT_TYPE_COUNT || ev->delivery == DELIVERY_COUNT)
        return err_set(e, ERR_INVALID, "event %lld has an unknown type or delivery state", ev->seq);
    return 0;
}

/* Fills the next job of a due list. */
typedef struct job_list {
    event_job *items;
    int count;
} job_list;

static int read_job(stmt *st, void *ctx, err *e)
{
    job_list *list = ctx;
    event_job *job = &list->items[list->count];
    if (read_event(st, &job->ev, e) != 0 || db_column_copy(st, 11, job->url, sizeof job->url, e) != 0 ||
        db_column_copy(st, 12, job->secret, sizeof job->secret, e) != 0)
        return -1;
    list->count++;
    return 0;
}

int events_due(db *d, long long now_ms, event_job *out, int max, err *e)
{
    stmt *st = db_stmt(d, SQL_DUE, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_int64(st, 1, now_ms) != 0 ||
        stmt_bind_int64(st, 2, max) != 0)
        return db_fail(d, e, "bind event");
    job_list list = {out, 0};
    return db_each_row(st, read_job, &list, "read due events", e) == 0 ? list.count : -1;
}

int events_claim(db *d, const long long *seqs, int n, long long due_ms, long long until_ms, long long *taken, err *e)
{
    return lease_take(d, SQL_CLAIM, seqs, n, due_ms, until_ms, taken, e);
}

int events_record_attempt(db *d, long long seq, event_delivery delivery, int attempts, long long next_ms,
                          const char *error, time_t now, err *e)
{
    stmt *st = db_stmt(d, SQL_ATTEMPT, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_int64(st, 1, seq) != 0 ||
        stmt_bind_text(st, 2, event_delivery_name(delivery)) != 0 ||
        stmt_bind_int64(st, 3, attempts) != 0 ||
        stmt_bind_int64(st, 4, next_ms) != 0 ||
        stmt_bind_text(st, 5, error) != 0 ||
        stmt_bind_int64(st, 6, now) != 0)
        return db_fail(d, e, "bind event");
    return db_exec_deferred(st, e);
}

/* The caller's function for listed events, and its context. */
typedef struct event_visit {
    void (*fn)(const event_record *ev, void *ctx);
    void *ctx;
} event_visit;

static int visit_event(stmt *st, void *ctx, err *e)
{
    const event_visit *v = ctx;
    event_record ev;
    if (read_event(st, &ev, e) != 0)
        return -1;
    v->fn(&ev, v->ctx);
    return 0;
}

/* Runs a prepared listing and calls fn for each event. */
static int each_event(stmt *st, void (*fn)(const event_record *ev, void *ctx), void *ctx, err *e)
{
    event_visit visit = {fn, ctx};
    return db_each_row(st, visit_event, &visit, "list events", e);
}

int events_each_after(db *d, long long api_key_id, long long after, int limit,
                      void (*fn)(const event_record *ev, void *ctx), void *ctx, err *e)
{
    stmt *st = db_stmt(d, SQL_AFTER, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_int64(st, 1, api_key_id) != 0 ||
        stmt_bind_int64(st, 2, after) != 0 ||
        stmt_bind_int64(st, 3, limit) != 0)
        return db_fail(d, e, "bind event");
    return each_event(st, fn, ctx, e);
}

int events_each_by_delivery(db *d, event_delivery delivery, int limit, void (*fn)(const event_record *ev, void *ctx),
                            void *ctx, err *e)
{
    stmt *st = db_stmt(d, SQL_BY_DELIVERY, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, delivery == DELIVERY_COUNT ? NULL : event_delivery_name(delivery)) != 0 ||
        stmt_bind_int64(st, 2, limit) != 0)
        return db_fail(d, e, "bind event");
    return each_event(st, fn, ctx, e);
}

int events_retry(db *d, long long seq, long long now_ms, err *e)
{
    stmt *st = db_stmt(d, SQL_RETRY, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_int64(st, 1, seq) != 0 ||
        stmt_bind_int64(st, 2, now_ms) != 0)
        return db_fail(d, e, "bind event");
    if (db_exec_stmt(st, e) != 0)
        return -1;
    return db_changes(d) == 1;
}

/* Reads the single integer a one-row query gives. */
static int single_integer(db *d, const char *sql, long long *out, err *e)
{
    stmt *st = db_stmt(d, sql, e);
    if (st == NULL)
        return -1;
    return db_one_int64(st, out, "count events", e);
}

int events_next_due_ms(db *d, long long *due_ms, err *e)
{
    return single_integer(d, SQL_NEXT_DUE, due_ms, e);
}

int events_pending_count(db *d, long long *count, err *e)
{
    return single_integer(d, SQL_PENDING, count, e);
}
