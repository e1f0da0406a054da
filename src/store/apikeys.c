/* Statements on the api_keys table. */
#include "store/apikeys.h"


static const char SQL_INSERT[] = "INSERT INTO api_keys(name, role, key_hash, created_at) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_FIND[] = "SELECT id, name, role, created_at, revoked_at, webhook_url FROM api_keys"
                               " WHERE key_hash = ?1 AND revoked_at IS NULL";
static const char SQL_ALL[] = "SELECT id, name, role, created_at, revoked_at, webhook_url FROM api_keys ORDER BY id";
static const char SQL_WEBHOOK[] =
    "UPDATE api_keys SET webhook_url = ?2 WHERE name = ?1 AND revoked_at IS NULL AND role = 'portal'";
static const char SQL_SECRET[] = "UPDATE api_keys SET webhook_secret = ?2 WHERE name = ?1 AND webhook_secret IS NULL";
static const char SQL_REVOKE[] = "UPDATE api_keys SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL";

int apikeys_insert(db *d, const char *name, apikey_role role, const char *hash, time_t now, err *e)
{
    stmt *st = db_stmt(d, SQL_INSERT, e);
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, name);
    stmt_bind_text(st, 2, apikey_role_name(role));
    stmt_bind_text(st, 3, hash);
    stmt_bind_int64(st, 4, now);
    return db_exec_stmt(st, e);
}

static int read_row(stmt *st, void *ctx, err *e)
{
    apikey_row *row = ctx;
    row->id = stmt_column_int64(st, 0);
    row->role = apikey_role_parse(stmt_column_text(st, 2));
    row->created_at = (time_t)stmt_column_int64(st, 3);
    row->revoked_at = (time_t)stmt_column_int64(st, 4);
    return db_column_copy(st, 1, row->name, sizeof row->name, e) != 0 ||
                   db_column_copy(st, 5, row->webhook_url, sizeof row->webhook_url, e) != 0
               ? -1
               : 0;
}

int apikeys_find_active(db *d, const char *hash, apikey_row *row, err *e)
{
    stmt *st = db_stmt(d, SQL_FIND, e);
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, hash);
    return db_step_one(st, read_row, row, "find key", e);
}

/* The caller's function for each key apikeys_each reads. */
typedef struct key_visit {
    void (*fn)(const apikey_row *row, void *ctx);
    void *ctx;
} key_visit;

static int visit_key(stmt *st, void *ctx, err *e)
{
    key_visit *v = ctx;
    apikey_row row;
    if (read_row(st, &row, e) != 0)
        return -1;
    v->fn(&row, v->ctx);
    return 0;
}

int apikeys_each(db *d, void (*fn)(const apikey_row *row, void *ctx), void *ctx, err *e)
{
    stmt *st = db_stmt(d, SQL_ALL, e);
    if (st == NULL)
        return -1;
    key_visit v = {fn, ctx};
    return db_each_row(st, visit_key, &v, "list keys", e);
}

int apikeys_revoke(db *d, const char *name, time_t now, err *e)
{
    stmt *st = db_stmt(d, SQL_REVOKE, e);
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, name);
    stmt_bind_int64(st, 2, now);
    if (db_exec_stmt(st, e) != 0)
        return -1;
    return db_changes(d) > 0;
}

/* Runs an UPDATE of the named key with two text parameters. Returns 1 when a row changed, 0 none, -1 error. */
static int update_named(db *d, const char *sql, const char *name, const char *value, err *e)
{
    stmt *st = db_stmt(d, sql, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, name) != 0 || stmt_bind_text(st, 2, value) != 0)
        return db_fail(d, e, "bind key");
    if (db_exec_stmt(st, e) != 0)
        return -1;
    return db_changes(d) == 1;
}

int apikeys_set_webhook(db *d, const char *name, const char *url, const char *secret, int *secret_given, err *e)
{
    int found = update_named(d, SQL_WEBHOOK, name, url, e);
    if (found != 1)
        return found;
    int given = update_named(d, SQL_SECRET, name, secret, e);
    if (given < 0)
        return -1;
    *secret_given = given;
    return 1;
}
