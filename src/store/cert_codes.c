/* The statement reading a certificate's verification code by number, or a neighbour's when the number is unknown. */
#include "store/cert_codes.h"

#include <string.h>

/* Landing on a row either way keeps the work alike: seek, decode one record, read the same two values. */
static const char SQL_CODE[] = "SELECT code, number = ?1 AND sha256 <> '' FROM certificates WHERE number <= ?1"
                               " ORDER BY number DESC LIMIT 1";

int cert_codes_find(db *d, const char *number, char code[CERT_CODE_LEN + 1], err *e)
{
    sqlite3_stmt *st = db_stmt(d, SQL_CODE, e);
    if (st == NULL)
        return -1;
    if (db_bind_text(st, 1, number) != SQLITE_OK)
        return db_fail(d, e, "bind certificate number");
    int rc = sqlite3_step(st), result = 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = db_fail(d, e, "find certificate code");
    else if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) != CERT_CODE_LEN)
        result = err_set(e, ERR_CONFLICT, "a stored verification code is not %d characters", CERT_CODE_LEN);
    else if (rc == SQLITE_ROW) {
        memcpy(code, sqlite3_column_text(st, 0), CERT_CODE_LEN + 1);
        result = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return result;
}
