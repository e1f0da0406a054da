/* Appending to the audit log. */
#include "store/audit.h"

static const char SQL_APPEND[] = "INSERT INTO audit_log(at, actor, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)";

int audit_append(db *d, time_t at, const char *actor, const char *action, const char *target, const char *detail, err *e)
{
    stmt *st = db_stmt(d, SQL_APPEND, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_int64(st, 1, at) != 0 ||
        stmt_bind_text(st, 2, actor) != 0 ||
        stmt_bind_text(st, 3, action) != 0 ||
        stmt_bind_text(st, 4, target) != 0 ||
        stmt_bind_text(st, 5, detail) != 0)
        return db_fail(d, e, "bind audit entry");
    return db_exec_stmt(st, e);
}
