/* The document check and progress lines of a database copy on the command line. */
#include "cli/copy_check.h"

#include <string.h>

#include "crypto/hash.h"

/* The certificate's stored SHA-256 must be that of the bytes the target gave back. */
static int check_document(const char *number, const char *sha256, const void *pdf, size_t len, void *ctx, err *e)
{
    copy_check *check = ctx;
    char digest[SHA256_HEX_LEN + 1];
    hash_sha256_hex(pdf, len, digest);
    if (strcmp(digest, sha256) != 0)
        return err_set(e, ERR_CONFLICT, "certificate %s: the copied document's SHA-256 is not the one stored", number);
    check->documents++;
    return 0;
}

static void print_table(const char *table, long long rows, void *ctx)
{
    copy_check *check = ctx;
    if (check->out == NULL)
        return;
    fprintf(check->out, "%s: %lld rows\n", table, rows);
    fflush(check->out);
}

copy_hooks copy_check_hooks(copy_check *check)
{
    return (copy_hooks){.progress = print_table, .check = check_document, .ctx = check};
}
