/* Statements on the sms_outbox table. next_attempt_at is kept in milliseconds. */
#include "store/outbox.h"

#include <string.h>

#include "store/db.h"

#define OUTBOX_COLUMNS "id, reference, application_id, recipient, body, status, attempts, next_attempt_at, created_at, last_error"

static const char SQL_ENQUEUE[] = "INSERT INTO sms_outbox(reference, application_id, recipient, body, status,"
                                  " next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5 * 1000, ?5)";
static const char SQL_DUE[] = "SELECT " OUTBOX_COLUMNS " FROM sms_outbox WHERE status = 'pending' AND next_attempt_at <= ?1"
                              " ORDER BY next_attempt_at, id LIMIT ?2";
static const char SQL_ATTEMPT[] = "UPDATE sms_outbox SET status = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5,"
                                  " sent_at = CASE WHEN ?2 = 'sent' THEN ?6 ELSE sent_at END WHERE id = ?1";
static const char SQL_BY_STATUS[] = "SELECT " OUTBOX_COLUMNS " FROM sms_outbox WHERE ?1 IS NULL OR status = ?1"
                                    " ORDER BY id DESC LIMIT ?2";
static const char SQL_RETRY[] = "UPDATE sms_outbox SET status = 'pending', next_attempt_at = ?2 WHERE id = ?1 AND status = 'failed'";
static const char SQL_NEXT_DUE[] = "SELECT coalesce(min(next_attempt_at), 0) FROM sms_outbox WHERE status = 'pending'";
static const char SQL_STATS[] = "SELECT count(*), min(created_at) FROM sms_outbox WHERE status = 'pending'";

int outbox_enqueue(db *d, const char *reference, const char *application_id, const char *recipient,
                   const char *body, time_t now, err *e)
{
    if (strlen(body) > OUTBOX_BODY_MAX)
        return err_set(e, ERR_TOO_LONG, "SMS text of %zu bytes is over the outbox's %d", strlen(body), OUTBOX_BODY_MAX);
    sqlite3_stmt *st = db_stmt(d, SQL_ENQUEUE, e);
    if (st == NULL)
        return -1;
    db_bind_text(st, 1, reference);
    db_bind_text(st, 2, application_id);
    db_bind_text(st, 3, recipient);
    db_bind_text(st, 4, body);
    sqlite3_bind_int64(st, 5, now);
    return db_exec_stmt(d, st, e);
}

static int read_message(sqlite3_stmt *st, outbox_message *m, err *e)
{
    m->id = sqlite3_column_int64(st, 0);
    m->attempts = sqlite3_column_int(st, 6);
    m->next_attempt_ms = sqlite3_column_int64(st, 7);
    m->created_at = (time_t)sqlite3_column_int64(st, 8);
    return db_column_copy(st, 1, m->reference, sizeof m->reference, e) != 0 ||
                   db_column_copy(st, 2, m->application_id, sizeof m->application_id, e) != 0 ||
                   db_column_copy(st, 3, m->recipient, sizeof m->recipient, e) != 0 ||
                   db_column_copy(st, 4, m->body, sizeof m->body, e) != 0 ||
                   db_column_copy(st, 5, m->status, sizeof m->status, e) != 0 ||
                   db_column_copy(st, 9, m->last_error, sizeof m->last_error, e) != 0
               ? -1
               : 0;
}

int outbox_due(db *d, long long now_ms, outbox_message *out, int max, err *e)
{
    sqlite3_stmt *st = db_stmt(d, SQL_DUE, e);
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_int(st, 2, max);
    int n = 0, rc = SQLITE_DONE, bad = 0;
    while (n < max && !bad && (rc = sqlite3_step(st)) == SQLITE_ROW)
        bad = read_message(st, &out[n++], e) != 0;
    if (bad)
        n = -1;
    else if (n < max && rc != SQLITE_DONE)
        n = db_fail(d, e, "read outbox");
    sqlite3_reset(st);
    return n;
}

int outbox_record_attempt(db *d, const outbox_message *m, const char *status, long long next_ms, const char *error,
                          time_t now, err *e)
{
    sqlite3_stmt *st = db_stmt(d, SQL_ATTEMPT, e);
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, m->id);
    db_bind_text(st, 2, status);
    sqlite3_bind_int(st, 3, m->attempts + 1);
    sqlite3_bind_int64(st, 4, next_ms);
    db_bind_text(st, 5, error);
    sqlite3_bind_int64(st, 6, now);
    return db_exec_stmt(d, st, e);
}

int outbox_each(db *d, const char *status, int limit, void (*fn)(const outbox_message *m, void *ctx), void *ctx, err *e)
{
    sqlite3_stmt *st = db_stmt(d, SQL_BY_STATUS, e);
    if (st == NULL)
        return -1;
    db_bind_text(st, 1, status);
    sqlite3_bind_int(st, 2, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        outbox_message m;
        if (read_message(st, &m, e) != 0)
            break;
        fn(&m, ctx);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        db_fail(d, e, "list outbox");
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int outbox_retry(db *d, long long id, long long now_ms, err *e)
{
    sqlite3_stmt *st = db_stmt(d, SQL_RETRY, e);
    if (st == NULL)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now_ms);
    if (db_exec_stmt(d, st, e) != 0)
        return -1;
    return sqlite3_changes(db_handle(d)) > 0;
}

int outbox_pending_stats(db *d, long long *count, time_t *oldest, err *e)
{
    sqlite3_stmt *st = db_stmt(d, SQL_STATS, e);
    if (st == NULL)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *count = sqlite3_column_int64(st, 0);
        *oldest = (time_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(d, e, "outbox stats");
}

int outbox_next_due_ms(db *d, long long *due_ms, err *e)
{
    sqlite3_stmt *st = db_stmt(d, SQL_NEXT_DUE, e);
    if (st == NULL)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *due_ms = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(d, e, "outbox next due");
}
