/* Taking a lease on a batch of outbox rows with one conditional UPDATE. */
#include "store/lease.h"

#include <assert.h>

/* Where lease_take puts the ids the statement returns. */
typedef struct taken_ids {
    long long *ids;
    int n;
} taken_ids;

static int read_taken(stmt *st, void *ctx, err *e)
{
    taken_ids *t = ctx;
    if (t->n == LEASE_BATCH_MAX)
        return err_set(e, ERR_INTERNAL, "a lease statement returned more rows than it was given");
    t->ids[t->n++] = stmt_column_int64(st, 0);
    return 0;
}

int lease_take(db *d, const char *sql, const long long *ids, int n, long long due_ms, long long until_ms,
               long long *taken, err *e)
{
    assert(n >= 0 && n <= LEASE_BATCH_MAX);
    stmt *st = db_stmt(d, sql, e);
    if (st == NULL)
        return -1;
    stmt_bind_int64(st, 1, until_ms);
    stmt_bind_int64(st, 2, due_ms);
    for (int i = 0; i < LEASE_BATCH_MAX; i++)
        if ((i < n ? stmt_bind_int64(st, i + 3, ids[i]) : stmt_bind_null(st, i + 3)) != 0)
            return db_fail(d, e, "bind lease");
    taken_ids t = {taken, 0};
    return db_each_row(st, read_taken, &t, "take lease", e) == 0 ? t.n : -1;
}
