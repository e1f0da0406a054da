/* Running the store check and printing what it found. */
#include "cli/log_check.h"

#include <openssl/evp.h>
#include <stdio.h>

#include "crypto/log_key.h"
#include "service/tlog_check.h"

static void print_problem(const char *problem, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "arayis: log check: %s\n", problem);
}

int log_check_store(store *s, const config *c)
{
    err e = {0};
    tlog_checked done;
    EVP_PKEY *key = log_key_load(c->keys_dir, &e);
    int rc = key ? tlog_check_store(s, key, print_problem, NULL, &done, &e) : -1;
    EVP_PKEY_free(key);
    if (rc != 0) {
        fprintf(stderr, "arayis: log check: %s\n", e.msg);
        return 1;
    }
    printf("log check: %llu entries (%llu issuances, %llu revocations), %llu subtree hashes, checkpoint of %llu: %lu"
           " problem(s)\n",
           done.entries, done.certificates, done.revocations, done.subtrees, done.checkpoint_size, done.problems);
    return done.problems == 0 ? 0 : 1;
}
