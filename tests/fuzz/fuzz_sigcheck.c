/* Fuzzes the PDF signature checker used by arayis verify and the public upload endpoint. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "crypto/keyring.h"
#include "crypto/signer.h"
#include "pdf/sigcheck.h"

static keyring *ours;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char dir[] = "/tmp/arayis-fuzz-keys-XXXXXX";
    int created;
    err e = {0};
    if (mkdtemp(dir) == NULL || signer_ensure_dev_keys(dir, NULL, &created, &e) != 0 || (ours = keyring_load(dir, &e)) == NULL)
        abort();
    char cmd[sizeof dir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir); /* the keyring is in memory now */
    if (system(cmd) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pdf_sig_report report;
    err e = {0};
    pdf_sigcheck(data, size, ours, NULL, NULL, &report, &e);
    return 0;
}
