/* Taking a lease on an outbox row with one conditional UPDATE. */
#include "store/lease.h"

int lease_take(db *d, const char *sql, long long id, long long seen_ms, long long until_ms, err *e)
{
    stmt *st = db_stmt(d, sql, e);
    if (st == NULL)
        return -1;
    stmt_bind_int64(st, 1, id);
    stmt_bind_int64(st, 2, seen_ms);
    stmt_bind_int64(st, 3, until_ms);
    if (db_exec_stmt(d, st, e) != 0)
        return -1;
    return db_changes(d) == 1;
}
