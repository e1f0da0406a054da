/* The shared engine: libpq connections with synchronous commits, statements prepared on their first run (with the
   types of their integer and blob parameters), rows read in binary, SQLSTATE classes as error classes. */
#include "store/db.h"

#include <endian.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_engine.h"

#define PG_MAX_COLUMNS 32
#define PG_PIPELINE_MAX 256 /* statements sent before their answers are read at the latest */
#define PG_CONNECT_TIMEOUT_S "5"
/* The longest a statement may run or wait for a lock before it fails (ERR_BUSY) instead of holding a worker. */
#define PG_SESSION_SETTINGS                                                                                       \
    "SET synchronous_commit = on; SET TimeZone = 'UTC'; SET client_min_messages = warning;"                        \
    " SET statement_timeout = '30s'; SET idle_in_transaction_session_timeout = '60s';"

/* The advisory lock key of write transactions, a constant of this service's own. */
#define PG_WRITE_LOCK "7308895"

/* The type OIDs this engine names or reads (pg_type.h is a server header). */
enum { OID_BOOL = 16, OID_BYTEA = 17, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23 };

typedef struct pg_db {
    db base;
    PGconn *conn;
    unsigned next_name;         /* prepared statements are named s0, s1, ... per connection */
    int sent;                   /* statements sent in pipeline mode (pg_send, pg_read_ahead) whose answers are not
                                   read yet */
    long long next_number;      /* the number (db.statements) the next numbered one of them has */
    long long numbers[PG_PIPELINE_MAX]; /* each one's number; 0 for BEGIN and the write order, which are none */
    long long expected[PG_PIPELINE_MAX]; /* the rows each must change, -1 for any */
    struct pg_stmt *reads[PG_PIPELINE_MAX]; /* each one's statement when its rows are kept (a read ahead), else NULL */
} pg_db;

typedef struct pg_stmt {
    stmt base;
    char *text;                 /* the SQL with ?N written $N */
    char name[16];
    int prepared;
    PGresult *result;           /* the rows of the current run; NULL before it */
    int ahead;                  /* 1: sent ahead in the pipeline, its rows not come yet */
    int row;
    char numbers[PG_MAX_COLUMNS][DB_INT_TEXT]; /* integer columns read as text */
} pg_stmt;

static pg_db *pg(db *d)
{
    return (pg_db *)d;
}

static pg_stmt *pg_of(stmt *st)
{
    return (pg_stmt *)st;
}

/* The class of an SQLSTATE; a lost connection is ERR_UNAVAILABLE whatever the state. */
static err_code code_of(PGconn *conn, const char *state)
{
    if (conn == NULL || PQstatus(conn) == CONNECTION_BAD || state == NULL)
        return ERR_UNAVAILABLE;
    if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
        strcmp(state, "57P03") == 0)
        return ERR_UNAVAILABLE;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0 ||
        strcmp(state, "57014") == 0)
        return ERR_BUSY;
    if (strncmp(state, "23", 2) == 0)
        return ERR_CONFLICT;
    if (strcmp(state, "53100") == 0)
        return ERR_FULL;
    if (strcmp(state, "53200") == 0)
        return ERR_NOMEM;
    if (strcmp(state, "22001") == 0 || strcmp(state, "54000") == 0)
        return ERR_TOO_LONG;
    return ERR_IO;
}

/* The first line of libpq's message (the rest repeats the statement or hints). */
static int fail_with(PGconn *conn, const PGresult *res, err *e, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res && PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res)
                      : conn                            ? PQerrorMessage(conn)
                                                        : "out of memory";
    int len = (int)strcspn(msg, "\n");
    return err_set(e, code_of(conn, state), "%s: %.*s", what, len, msg);
}

static int pg_fail(db *d, err *e, const char *what)
{
    return fail_with(pg(d)->conn, NULL, e, what);
}

/* Whether the answer of the k-th statement of the pipeline is a failure: an error, or a count of changed rows
   other than the one it must have. */
static int answer_failed(pg_db *p, int k, PGresult *res, ExecStatusType status)
{
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        return 1;
    if (k >= p->sent || p->expected[k] < 0)
        return 0;
    const char *changed = PQcmdTuples(res);
    return (changed[0] ? atoll(changed) : 0) != p->expected[k];
}

/* Ends the pipeline: marks a sync point, reads the answers of the p->sent statements sent before it and, when own
   is not NULL, of own sent last (its rows kept in *own), then leaves pipeline mode. The first failure is reported,
   and its statement's number noted (the server skipped the statements after it). Returns 0, or -1 with e set. */
static int end_pipeline(pg_db *p, PGresult **own, const char *what, err *e)
{
    int expected = p->sent + (own != NULL), seen = 0, rc = 0, nulls = 0;
    if (PQpipelineSync(p->conn) != 1)
        rc = fail_with(p->conn, NULL, e, what);
    for (;;) {
        PGresult *res = PQgetResult(p->conn);
        if (res == NULL) {
            /* a NULL ends each statement's answers; two in a row: nothing more will come (connection lost) */
            if (++nulls > 1 || PQstatus(p->conn) == CONNECTION_BAD) {
                if (rc == 0)
                    rc = fail_with(p->conn, NULL, e, what);
                break;
            }
            continue;
        }
        nulls = 0;
        ExecStatusType status = PQresultStatus(res);
        if (status == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        int k = seen++;
        pg_stmt *read = k < p->sent ? p->reads[k] : NULL;
        if (rc == 0 && answer_failed(p, k, res, status)) {
            p->base.failed_statement = k < p->sent ? p->numbers[k] : p->base.statements;
            rc = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK
                     ? err_set(e, ERR_CONFLICT, "a write changed %s rows, not %lld", PQcmdTuples(res), p->expected[k])
                     : fail_with(p->conn, res, e, read ? "read" : k < p->sent ? "write" : what);
        }
        if (own != NULL && k == expected - 1 && rc == 0)
            *own = res;
        else if (read != NULL && rc == 0)
            read->result = res; /* the rows wait for their reader */
        else
            PQclear(res);
    }
    for (int k = 0; k < p->sent; k++) /* a read whose answer failed or never came runs when it is stepped */
        if (p->reads[k] != NULL) {
            p->reads[k]->ahead = 0;
            p->reads[k]->row = -1;
            p->reads[k] = NULL;
        }
    p->sent = 0;
    if (PQexitPipelineMode(p->conn) != 1 && rc == 0)
        rc = fail_with(p->conn, NULL, e, what);
    return rc;
}

/* Reads the answers of the statements sent in pipeline mode, if any (see end_pipeline). */
static int settle(pg_db *p, err *e)
{
    return PQpipelineStatus(p->conn) == PQ_PIPELINE_OFF ? 0 : end_pipeline(p, NULL, "write", e);
}

/* Runs SQL text without parameters; returns 0 when it succeeded. */
static int run_plain(db *d, const char *sql, const char *what, err *e)
{
    if (settle(pg(d), e) != 0)
        return -1;
    PGresult *res = PQexec(pg(d)->conn, sql);
    ExecStatusType status = PQresultStatus(res);
    int rc = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? 0 : fail_with(pg(d)->conn, res, e, what);
    PQclear(res);
    return rc;
}

static int pg_exec_sql(db *d, const char *sql, err *e)
{
    return run_plain(d, sql, "sql", e);
}

static void pg_disconnect(db *d)
{
    PQfinish(pg(d)->conn);
    free(d);
}

static db *pg_connect(const char *target, pthread_mutex_t *writer, err *e)
{
    pg_db *p = calloc(1, sizeof *p);
    if (p == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    p->base.engine = &db_engine_postgres;
    p->base.writer = writer;
    /* The target's own settings come last and win over these defaults. */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const values[] = {PG_CONNECT_TIMEOUT_S, "arayis", target, NULL};
    p->conn = PQconnectdbParams(keys, values, 1);
    if (p->conn == NULL || PQstatus(p->conn) != CONNECTION_OK) {
        fail_with(p->conn, NULL, e, "connect to PostgreSQL");
        goto fail;
    }
    if (run_plain(&p->base, PG_SESSION_SETTINGS, "set up the PostgreSQL session", e) != 0)
        goto fail;
    return &p->base;
fail:
    pg_disconnect(&p->base);
    return NULL;
}

static int pg_broken(db *d)
{
    return PQstatus(pg(d)->conn) != CONNECTION_OK;
}

/* sql with each ?N parameter written $N, outside quoted text. NULL when out of memory. */
static char *dollar_parameters(const char *sql)
{
    char *out = strdup(sql);
    if (out == NULL)
        return NULL;
    char quote = 0;
    for (char *c = out; *c; c++) {
        if (quote) {
            if (*c == quote)
                quote = 0;
        } else if (*c == '\'' || *c == '"') {
            quote = *c;
        } else if (*c == '?' && c[1] >= '0' && c[1] <= '9') {
            *c = '$';
        }
    }
    return out;
}

static stmt *pg_prepare(db *d, const char *sql, err *e)
{
    pg_stmt *st = calloc(1, sizeof *st);
    if (st == NULL || (st->text = dollar_parameters(sql)) == NULL) {
        free(st);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    snprintf(st->name, sizeof st->name, "s%u", pg(d)->next_name++);
    st->base.owner = d;
    st->base.sql = sql;
    return &st->base;
}

static void pg_finalize(stmt *st)
{
    pg_stmt *s = pg_of(st);
    PQclear(s->result);
    free(s->text);
    free(s);
}

/* Prepares the statement on the server, typing integer and blob parameters (text is left for the server to infer
   from where it is used). Returns 0 or -1 with e set. */
static int prepare_on_server(pg_stmt *s, const char *what, err *e)
{
    Oid types[DB_MAX_PARAMS];
    for (int i = 0; i < s->base.nparams; i++) {
        db_param_type t = s->base.params[i].type;
        types[i] = t == DB_PARAM_INT64 ? OID_INT8 : t == DB_PARAM_BLOB ? OID_BYTEA : 0;
    }
    PGconn *conn = pg(s->base.owner)->conn;
    PGresult *res = PQprepare(conn, s->name, s->text, s->base.nparams, types);
    int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : fail_with(conn, res, e, what);
    PQclear(res);
    if (rc == 0)
        s->prepared = 1;
    return rc;
}

/* The statement's parameters as libpq takes them (integers as text, blobs in binary). */
typedef struct pg_params {
    const char *values[DB_MAX_PARAMS];
    int lengths[DB_MAX_PARAMS], formats[DB_MAX_PARAMS];
} pg_params;

static void params_of(const pg_stmt *s, pg_params *out)
{
    for (int i = 0; i < s->base.nparams; i++) {
        const db_param *p = &s->base.params[i];
        out->values[i] = p->type == DB_PARAM_NULL ? NULL : p->type == DB_PARAM_INT64 ? p->text : p->data;
        out->lengths[i] = (int)p->len;
        out->formats[i] = p->type == DB_PARAM_BLOB;
    }
}

/* Sends s on its parameters in pipeline mode; when libpq cannot, the pipeline is ended (its answers dropped).
   Returns 0 or -1 with e set. */
static int send_prepared(pg_stmt *s, const char *what, err *e)
{
    pg_params args;
    params_of(s, &args);
    pg_db *p = pg(s->base.owner);
    if (PQsendQueryPrepared(p->conn, s->name, s->base.nparams, args.values, args.lengths, args.formats, 1) == 1)
        return 0;
    err ignored = {0};
    settle(p, &ignored);
    return fail_with(p->conn, NULL, e, what);
}

/* Prepares s on the server unless it is, after reading what the pipeline owes (preparing waits for its answer).
   Returns 0 or -1 with e set. */
static int ensure_prepared(pg_stmt *s, const char *what, err *e)
{
    return s->prepared ? 0 : settle(pg(s->base.owner), e) == 0 ? prepare_on_server(s, what, e) : -1;
}

/* Runs the prepared statement on its parameters; its rows (binary) are kept in s->result. In pipeline mode it goes
   after the statements sent before it, and one round trip answers them all. */
static int run(pg_stmt *s, const char *what, err *e)
{
    db *d = s->base.owner;
    PGconn *conn = pg(d)->conn;
    if (PQpipelineStatus(conn) == PQ_PIPELINE_OFF) {
        pg_params args;
        params_of(s, &args);
        s->result = PQexecPrepared(conn, s->name, s->base.nparams, args.values, args.lengths, args.formats, 1);
        ExecStatusType status = PQresultStatus(s->result);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
            return fail_with(conn, s->result, e, what);
    } else if (send_prepared(s, what, e) != 0 || end_pipeline(pg(d), &s->result, what, e) != 0) {
        return -1;
    }
    const char *changed = PQcmdTuples(s->result);
    d->changes = changed[0] ? atoll(changed) : 0;
    s->row = -1;
    return 0;
}

static int pg_step(stmt *st, const char *what, err *e)
{
    pg_stmt *s = pg_of(st);
    err others = {0};
    if (s->ahead) /* the rows sent for; when they did not come (a query before it failed), it runs now */
        settle(pg(st->owner), &others);
    if (s->result == NULL && (ensure_prepared(s, what, e) != 0 || run(s, what, e) != 0))
        return -1;
    s->row++;
    return s->row < PQntuples(s->result) ? 1 : 0;
}

/* Enters pipeline mode; the first numbered statement sent in it has number first. Returns 0 or -1 with e set. */
static int enter_pipeline(pg_db *p, long long first, const char *what, err *e)
{
    if (PQenterPipelineMode(p->conn) != 1)
        return fail_with(p->conn, NULL, e, what);
    p->next_number = first;
    return 0;
}

/* Sends s in pipeline mode, its answer to be read by the next statement that waits; read: s keeps its rows then.
   Returns 0 or -1 with e set. */
static int send_in_pipeline(pg_stmt *s, long long changes, pg_stmt *read, const char *what, err *e)
{
    pg_db *p = pg(s->base.owner);
    if (ensure_prepared(s, what, e) != 0 || (p->sent == PG_PIPELINE_MAX && settle(p, e) != 0))
        return -1;
    if (PQpipelineStatus(p->conn) == PQ_PIPELINE_OFF && enter_pipeline(p, s->base.owner->statements, what, e) != 0)
        return -1;
    if (send_prepared(s, what, e) != 0)
        return -1;
    p->numbers[p->sent] = p->next_number++;
    p->reads[p->sent] = read;
    p->expected[p->sent++] = changes;
    return 0;
}

/* 1 when the pipeline holds queries read ahead, outside a transaction. */
static int reading_ahead(const pg_db *p)
{
    return PQpipelineStatus(p->conn) != PQ_PIPELINE_OFF && p->sent > 0 && p->reads[0] != NULL;
}

/* Inside a transaction: sends the statement in pipeline mode without waiting for its answer, which the next
   statement that waits reads (1). Outside one (or in one that failed) it is left to run at once (0). */
static int pg_send(stmt *st, long long changes, err *e)
{
    pg_db *p = pg(st->owner);
    if ((PQpipelineStatus(p->conn) == PQ_PIPELINE_OFF && PQtransactionStatus(p->conn) != PQTRANS_INTRANS) ||
        reading_ahead(p))
        return 0;
    return send_in_pipeline(pg_of(st), changes, NULL, "write", e) == 0 ? 1 : -1;
}

/* Outside a transaction: sends the query in pipeline mode; its rows come with the answers of the next statement
   that waits, its own step included. Inside one it is left to run when stepped. */
static int pg_read_ahead(stmt *st, err *e)
{
    pg_stmt *s = pg_of(st);
    pg_db *p = pg(st->owner);
    if (!(reading_ahead(p) || PQtransactionStatus(p->conn) == PQTRANS_IDLE) || s->result != NULL || s->ahead)
        return 0;
    if (send_in_pipeline(s, -1, s, "read", e) != 0)
        return -1;
    s->ahead = 1;
    return 0;
}

static void pg_reset(stmt *st)
{
    pg_stmt *s = pg_of(st);
    err ignored = {0};
    if (s->ahead) /* its rows are still to come: taken, and dropped with the rest */
        settle(pg(st->owner), &ignored);
    PQclear(s->result);
    s->result = NULL;
}

/* A big-endian integer column of 1, 2, 4 or 8 bytes. */
static long long binary_integer(const char *v, Oid type)
{
    switch (type) {
    case OID_BOOL:
        return v[0] != 0;
    case OID_INT2: {
        uint16_t x;
        memcpy(&x, v, sizeof x);
        return (int16_t)be16toh(x);
    }
    case OID_INT4: {
        uint32_t x;
        memcpy(&x, v, sizeof x);
        return (int32_t)be32toh(x);
    }
    default: {
        uint64_t x;
        memcpy(&x, v, sizeof x);
        return (int64_t)be64toh(x);
    }
    }
}

static int integer_type(Oid type)
{
    return type == OID_BOOL || type == OID_INT2 || type == OID_INT4 || type == OID_INT8;
}

static int pg_column_is_null(stmt *st, int col)
{
    pg_stmt *s = pg_of(st);
    return PQgetisnull(s->result, s->row, col);
}

static long long pg_column_int64(stmt *st, int col)
{
    pg_stmt *s = pg_of(st);
    if (PQgetisnull(s->result, s->row, col))
        return 0;
    const char *v = PQgetvalue(s->result, s->row, col);
    Oid type = PQftype(s->result, col);
    return integer_type(type) ? binary_integer(v, type) : atoll(v);
}

static const char *pg_column_text(stmt *st, int col)
{
    pg_stmt *s = pg_of(st);
    if (PQgetisnull(s->result, s->row, col))
        return NULL;
    Oid type = PQftype(s->result, col);
    if (!integer_type(type) || col >= PG_MAX_COLUMNS)
        return PQgetvalue(s->result, s->row, col); /* libpq ends every value with a NUL */
    snprintf(s->numbers[col], sizeof s->numbers[col], "%lld", pg_column_int64(st, col));
    return s->numbers[col];
}

static const void *pg_column_blob(stmt *st, int col, size_t *len)
{
    pg_stmt *s = pg_of(st);
    if (PQgetisnull(s->result, s->row, col)) {
        *len = 0;
        return NULL;
    }
    *len = (size_t)PQgetlength(s->result, s->row, col);
    return PQgetvalue(s->result, s->row, col);
}

static const char *pg_column_name(stmt *st, int col)
{
    return PQfname(pg_of(st)->result, col);
}

/* Sends text (no parameters) in pipeline mode, entered if need be, answered with the statements sent after it;
   when libpq cannot, the pipeline is ended (its answers dropped). It is not numbered: a failure of it names none of
   the statements (it is the transaction's). Returns 0 or -1 with e set. */
static int send_unnumbered(pg_db *p, const char *text, const char *what, err *e)
{
    if (p->sent == PG_PIPELINE_MAX && settle(p, e) != 0)
        return -1;
    if (PQpipelineStatus(p->conn) == PQ_PIPELINE_OFF && enter_pipeline(p, p->base.statements + 1, what, e) != 0)
        return -1;
    if (PQsendQueryParams(p->conn, text, 0, NULL, NULL, NULL, NULL, 1) != 1) {
        err ignored = {0};
        settle(p, &ignored);
        return fail_with(p->conn, NULL, e, what);
    }
    p->numbers[p->sent] = 0;
    p->reads[p->sent] = NULL;
    p->expected[p->sent++] = -1;
    return 0;
}

/* BEGIN goes out in the pipeline ahead of the transaction's first statements. */
static int pg_begin(db *d, err *e)
{
    pg_db *p = pg(d);
    return settle(p, e) == 0 ? send_unnumbered(p, "BEGIN", "begin", e) : -1;
}

/* The write order is one cluster-wide lock, kept to the transaction's end, so that the ordered parts of all nodes'
   transactions follow one another as the committer's groups do on SQLite, and no two of them wait on each other's
   rows. It goes out in the pipeline too: the server runs the statements after it as soon as it has the lock, without
   a round trip to the client in between. */
static int pg_take_order(db *d, err *e)
{
    return send_unnumbered(pg(d), "SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")", "take the write order", e);
}

/* The writes waiting in the pipeline are answered first: one that changed other rows than it must (a count only the
   client checks) fails the transaction before COMMIT is sent. */
static int pg_commit(db *d, err *e)
{
    if (settle(pg(d), e) != 0)
        return -1;
    /* COMMIT of a transaction in error rolls it back and still answers success: refuse that first. */
    if (PQtransactionStatus(pg(d)->conn) != PQTRANS_INTRANS) {
        err_set(e, PQstatus(pg(d)->conn) == CONNECTION_OK ? ERR_IO : ERR_UNAVAILABLE,
                "commit: the transaction was already given up");
        return -1;
    }
    return run_plain(d, "COMMIT", "commit", e);
}

static void pg_rollback(db *d)
{
    err ignored = {0};
    settle(pg(d), &ignored);
    PGTransactionStatusType t = PQtransactionStatus(pg(d)->conn);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
        run_plain(d, "ROLLBACK", "rollback", &ignored);
}

static int pg_in_transaction(db *d)
{
    PGTransactionStatusType t = PQtransactionStatus(pg(d)->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

const db_engine db_engine_postgres = {
    .name = "postgresql",
    .embedded = 0,
    .connect = pg_connect,
    .broken = pg_broken,
    .disconnect = pg_disconnect,
    .exec_sql = pg_exec_sql,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .step = pg_step,
    .send = pg_send,
    .read_ahead = pg_read_ahead,
    .reset = pg_reset,
    .column_int64 = pg_column_int64,
    .column_text = pg_column_text,
    .column_blob = pg_column_blob,
    .column_is_null = pg_column_is_null,
    .column_name = pg_column_name,
    .begin = pg_begin,
    .take_order = pg_take_order,
    .begin_snapshot_sql = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    .commit = pg_commit,
    .rollback = pg_rollback,
    .in_transaction = pg_in_transaction,
    .fail = pg_fail,
};
