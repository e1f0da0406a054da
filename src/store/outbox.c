/* Statements on the sms_outbox table. */
#include "store/outbox.h"

static const char SQL_ENQUEUE[] = "INSERT INTO sms_outbox(reference, application_id, recipient, body, status,"
                                  " next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5)";

int outbox_enqueue(db *d, const char *reference, const char *application_id, const char *recipient,
                   const char *body, time_t now, err *e)
{
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
