/* Set-based seeding (a recursive CTE on SQLite, generate_series on PostgreSQL): a million rows in seconds. */
#include "store/seed.h"

#include <time.h>

static const char SQL_APPLICATIONS[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)"
    " INSERT INTO applications(id, api_key_id, request_sha256, subscriber_type, subscriber_code, applicant_fin,"
    " applicant_name, birth_date, mobile, status, debt_qepik, debt_as_of, submitted_at)"
    " SELECT printf('SEED%022d', i), ?2, '', 'residential', '1234567890', '5ABC7D9', 'Məmmədov Əli',"
    " '1985-04-12', '+994501234567', 'issued', 0, ?3, ?3 FROM n";
static const char SQL_CERTIFICATES[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)"
    " INSERT INTO certificates(number, application_id, code, issued_at, valid_until, subscriber_type, subscriber_code,"
    " holder, address, voen, debt_qepik, debt_as_of, sha256)"
    " SELECT printf('AZI-%04d-%06d', 2020 + (i - 1) / 900000, (i - 1) % 900000 + 1), printf('SEED%022d', i),"
    " printf('B%015d', i), ?2, ?2 + 365 * 86400, 'residential', '1234567890', 'Məmmədov Əli Şükür oğlu',"
    " 'Bakı şəhəri', NULL, 0, ?2, printf('%064d', i) FROM n";
/* The same rows on PostgreSQL, which has generate_series and lpad where SQLite has a recursive CTE and printf. */
static const char SQL_APPLICATIONS_PG[] =
    "INSERT INTO applications(id, api_key_id, request_sha256, subscriber_type, subscriber_code, applicant_fin,"
    " applicant_name, birth_date, mobile, status, debt_qepik, debt_as_of, submitted_at)"
    " SELECT 'SEED' || lpad(i::text, 22, '0'), ?2, '', 'residential', '1234567890', '5ABC7D9', 'Məmmədov Əli',"
    " '1985-04-12', '+994501234567', 'issued', 0, ?3, ?3 FROM generate_series(1, ?1) AS n(i)";
static const char SQL_CERTIFICATES_PG[] =
    "INSERT INTO certificates(number, application_id, code, issued_at, valid_until, subscriber_type, subscriber_code,"
    " holder, address, voen, debt_qepik, debt_as_of, sha256)"
    " SELECT 'AZI-' || (2020 + (i - 1) / 900000) || '-' || lpad(((i - 1) % 900000 + 1)::text, 6, '0'),"
    " 'SEED' || lpad(i::text, 22, '0'), 'B' || lpad(i::text, 15, '0'), ?2, ?2 + 365 * 86400, 'residential',"
    " '1234567890', 'Məmmədov Əli Şükür oğlu', 'Bakı şəhəri', NULL, 0, ?2, lpad(i::text, 64, '0')"
    " FROM generate_series(1, ?1) AS n(i)";
static const char SQL_COUNTERS[] =
    "INSERT INTO certificate_counters(year, last_seq)"
    " SELECT CAST(substr(number, 5, 4) AS INTEGER), max(CAST(substr(number, 10) AS INTEGER)) FROM certificates"
    " WHERE true GROUP BY substr(number, 5, 4) ON CONFLICT(year) DO UPDATE SET last_seq = excluded.last_seq";

/* What the seeding statements are bound to. */
typedef struct seed_plan {
    long long count;
    long long api_key_id;
    time_t now;
} seed_plan;

/* Runs the three seeding statements. Runs inside the seeding transaction. */
static int seed_rows(db *d, void *ctx, err *e)
{
    const seed_plan *plan = ctx;
    int embedded = db_is_embedded(d);
    stmt *apps = db_stmt(d, embedded ? SQL_APPLICATIONS : SQL_APPLICATIONS_PG, e);
    stmt *certs = apps ? db_stmt(d, embedded ? SQL_CERTIFICATES : SQL_CERTIFICATES_PG, e) : NULL;
    stmt *counters = certs ? db_stmt(d, SQL_COUNTERS, e) : NULL;
    if (counters == NULL)
        return -1;
    stmt_bind_int64(apps, 1, plan->count);
    stmt_bind_int64(apps, 2, plan->api_key_id);
    stmt_bind_int64(apps, 3, plan->now);
    stmt_bind_int64(certs, 1, plan->count);
    stmt_bind_int64(certs, 2, plan->now);
    if (db_exec_stmt(apps, e) != 0 || db_exec_stmt(certs, e) != 0)
        return -1;
    return db_exec_stmt(counters, e);
}

int seed_certificates(db *d, long long count, long long api_key_id, err *e)
{
    seed_plan plan = {count, api_key_id, time(NULL)};
    return db_transaction(d, seed_rows, &plan, e);
}
