/* Statements on the applications and application_events tables. */
#include "store/applications.h"

#define APP_COLUMNS                                                                                     \
    "id, api_key_id, portal_reference, request_sha256, subscriber_type, subscriber_code, status,"      \
    " rejection_code, debt_qepik, debt_as_of, submitted_at"

static const char SQL_INSERT[] =
    "INSERT INTO applications(id, api_key_id, portal_reference, request_sha256, subscriber_type, subscriber_code,"
    " status, rejection_code, debt_qepik, debt_as_of, submitted_at, applicant_fin, applicant_name, birth_date,"
    " id_document, address, org_voen, org_name, mobile, email)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";
static const char SQL_UPDATE[] =
    "UPDATE applications SET status = ?2, rejection_code = ?3, debt_qepik = ?4, debt_as_of = ?5 WHERE id = ?1";
static const char SQL_BY_ID[] = "SELECT " APP_COLUMNS " FROM applications WHERE id = ?1";
static const char SQL_BY_REFERENCE[] =
    "SELECT " APP_COLUMNS " FROM applications WHERE api_key_id = ?1 AND portal_reference = ?2";
static const char SQL_MOBILE[] = "SELECT mobile FROM applications WHERE id = ?1";
static const char SQL_EVENT[] = "INSERT INTO application_events(application_id, status, at, detail) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_EVENT_PAIR[] = "INSERT INTO application_events(application_id, status, at, detail)"
                                     " VALUES (?1, ?2, ?4, NULL), (?1, ?3, ?4, NULL)";
static const char SQL_EVENTS[] = "SELECT status, at FROM application_events WHERE application_id = ?1 ORDER BY id";

static void bind_state(stmt *st, int status_index, const application_row *row)
{
    stmt_bind_text(st, status_index, application_status_name(row->status));
    stmt_bind_text(st, status_index + 1, application_rejection_name(row->rejection));
    if (row->has_debt) {
        stmt_bind_int64(st, status_index + 2, row->debt_qepik);
        stmt_bind_int64(st, status_index + 3, row->debt_as_of);
    }
}

int applications_insert(db *d, const application_row *row, const applicant_data *who, err *e)
{
    stmt *st = db_stmt(d, SQL_INSERT, e);
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, row->id);
    stmt_bind_int64(st, 2, row->api_key_id);
    stmt_bind_optional_text(st, 3, row->portal_reference);
    stmt_bind_text(st, 4, row->request_sha256);
    stmt_bind_text(st, 5, billing_type_name(row->non_residential));
    stmt_bind_text(st, 6, row->subscriber_code);
    bind_state(st, 7, row);
    stmt_bind_int64(st, 11, row->submitted_at);
    const char *values[] = {who->fin,     who->full_name, who->birth_date, who->id_document, who->address,
                            who->org_voen, who->org_name,  who->mobile,     who->email};
    for (int i = 0; i < 9; i++)
        stmt_bind_text(st, 12 + i, values[i]);
    return db_exec_deferred(st, e);
}

int applications_update(db *d, const application_row *row, err *e)
{
    stmt *st = db_stmt(d, SQL_UPDATE, e);
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, row->id);
    bind_state(st, 2, row);
    return db_exec_deferred(st, e);
}

/* Reads the type, status and rejection reason by name; a name this build does not know is refused. */
static int read_state(stmt *st, application_row *row, err *e)
{
    if (billing_type_parse(stmt_column_text(st, 4), &row->non_residential) != 0 ||
        application_status_parse(stmt_column_text(st, 6), &row->status) != 0 ||
        application_rejection_parse(stmt_column_text(st, 7), &row->rejection) != 0)
        return err_set(e, ERR_INTERNAL, "application %s has a subscriber type, status or rejection reason this "
                       "version does not know", row->id);
    return 0;
}

static int read_row(stmt *st, void *ctx, err *e)
{
    application_row *row = ctx;
    row->api_key_id = stmt_column_int64(st, 1);
    row->has_debt = !stmt_column_is_null(st, 8);
    row->debt_qepik = stmt_column_int64(st, 8);
    row->debt_as_of = (time_t)stmt_column_int64(st, 9);
    row->submitted_at = (time_t)stmt_column_int64(st, 10);
    return db_column_copy(st, 0, row->id, sizeof row->id, e) != 0 ||
                   db_column_copy(st, 2, row->portal_reference, sizeof row->portal_reference, e) != 0 ||
                   db_column_copy(st, 3, row->request_sha256, sizeof row->request_sha256, e) != 0 ||
                   db_column_copy(st, 5, row->subscriber_code, sizeof row->subscriber_code, e) != 0 ||
                   read_state(st, row, e) != 0
               ? -1
               : 0;
}

int applications_find(db *d, const char *id, application_row *row, err *e)
{
    stmt *st = db_stmt(d, SQL_BY_ID, e);
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, id);
    return db_step_one(st, read_row, row, "find application", e);
}

int applications_find_by_reference(db *d, long long api_key_id, const char *reference, application_row *row, err *e)
{
    stmt *st = db_stmt(d, SQL_BY_REFERENCE, e);
    if (st == NULL)
        return -1;
    stmt_bind_int64(st, 1, api_key_id);
    stmt_bind_text(st, 2, reference);
    return db_step_one(st, read_row, row, "find application", e);
}

/* Where applications_mobile copies the number. */
typedef struct text_out {
    char *text;
    size_t size;
} text_out;

static int read_first_text(stmt *st, void *ctx, err *e)
{
    text_out *out = ctx;
    return db_column_copy(st, 0, out->text, out->size, e);
}

int applications_mobile(db *d, const char *id, char *mobile, size_t size, err *e)
{
    stmt *st = db_stmt(d, SQL_MOBILE, e);
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, id);
    text_out out = {mobile, size};
    return db_step_one(st, read_first_text, &out, "read mobile", e);
}

int application_events_append(db *d, const char *id, const char *status, time_t at, const char *detail, err *e)
{
    stmt *st = db_stmt(d, SQL_EVENT, e);
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, id);
    stmt_bind_text(st, 2, status);
    stmt_bind_int64(st, 3, at);
    stmt_bind_text(st, 4, detail);
    return db_exec_deferred(st, e);
}

int application_events_append_pair(db *d, const char *id, const char *first, const char *second, time_t at, err *e)
{
    stmt *st = db_stmt(d, SQL_EVENT_PAIR, e);
    if (st == NULL)
        return -1;
    stmt_bind_text(st, 1, id);
    stmt_bind_text(st, 2, first);
    stmt_bind_text(st, 3, second);
    stmt_bind_int64(st, 4, at);
    return db_exec_deferred(st, e);
}

/* The caller's function for each event application_events_each reads. */
typedef struct event_visit {
    void (*fn)(const char *status, time_t at, void *ctx);
    void *ctx;
} event_visit;

static int visit_event(stmt *st, void *ctx, err *e)
{
    (void)e;
    event_visit *v = ctx;
    v->fn(stmt_column_text(st, 0), (time_t)stmt_column_int64(st, 1), v->ctx);
    return 0;
}

/* The history's query for application id, bound. NULL with e set. */
static stmt *bind_events(db *d, const char *id, err *e)
{
    stmt *st = db_stmt(d, SQL_EVENTS, e);
    if (st != NULL)
        stmt_bind_text(st, 1, id);
    return st;
}

int application_events_read(stmt *st, void (*fn)(const char *status, time_t at, void *ctx), void *ctx, err *e)
{
    event_visit v = {fn, ctx};
    return st != NULL ? db_each_row(st, visit_event, &v, "read history", e) : -1;
}

int application_events_each(db *d, const char *id, void (*fn)(const char *status, time_t at, void *ctx), void *ctx, err *e)
{
    return application_events_read(bind_events(d, id, e), fn, ctx, e);
}

stmt *application_events_ahead(db *d, const char *id, err *e)
{
    return db_read_ahead(bind_events(d, id, e), e);
}
