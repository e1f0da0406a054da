/* The statement reading a certificate's verification code by number, or a neighbour's when the number is unknown. */
#include "store/cert_codes.h"

#include <string.h>

/* Landing on a row either way keeps the work alike: seek, decode one record, read the same two values. */
static const char SQL_CODE[] = "SELECT code, number = ?1 AND sha256 <> '' FROM certificates WHERE number <= ?1"
                               " ORDER BY number DESC LIMIT 1";

/* Where read_code puts the code it read and whether the row was the number asked for (1) or a neighbour (0). */
typedef struct code_lookup {
    char *code;
    int exact;
} code_lookup;

static int read_code(stmt *st, void *ctx, err *e)
{
    code_lookup *l = ctx;
    const char *code = stmt_column_text(st, 0);
    if (code == NULL || strlen(code) != CERT_CODE_LEN)
        return err_set(e, ERR_CONFLICT, "a stored verification code is not %d characters", CERT_CODE_LEN);
    memcpy(l->code, code, CERT_CODE_LEN + 1);
    l->exact = (int)stmt_column_int64(st, 1);
    return 0;
}

int cert_codes_find(db *d, const char *number, char code[CERT_CODE_LEN + 1], err *e)
{
    stmt *st = db_stmt(d, SQL_CODE, e);
    if (st == NULL)
        return -1;
    if (stmt_bind_text(st, 1, number) != 0)
        return db_fail(d, e, "bind certificate number");
    code_lookup l = {code, 0};
    int rc = db_step_one(st, read_code, &l, "find certificate code", e);
    return rc < 0 ? -1 : l.exact;
}
