/* arayis verify FILE.pdf: checks a certificate's signature against our keys; exit 0 only when valid. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "cli/commands.h"
#include "crypto/keyring.h"
#include "pdf/sigcheck.h"

/* Reads at most limit bytes of path into out; returns 0, or -1 when unreadable or larger. */
static int read_file(const char *path, size_t limit, buf *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    char chunk[65536];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = out->len + n > limit || buf_append(out, chunk, n) != 0 ? -1 : 0;
    if (ferror(f))
        rc = -1;
    fclose(f);
    return rc;
}

int cmd_verify(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        printf("usage: arayis verify FILE.pdf [settings]\n"
               "Checks the PDF signature (CMS over the ByteRange) against the certificates in ARAYIS_KEYS_DIR.\n"
               "Exit status: 0 valid, 1 not valid, 2 not a PDF or unreadable.\n");
        return argc < 2 ? 2 : 0;
    }
    config c;
    if (cli_config(&c, argc, argv, 2) != 0)
        return 2;
    err e = {0};
    buf pdf = BUF_INIT;
    keyring *ours = keyring_load(c.keys_dir, &e);
    pdf_sig_report report;
    int rc = 2;
    if (ours == NULL)
        fprintf(stderr, "arayis: %s\n", e.msg);
    else if (read_file(argv[1], SIGCHECK_MAX_BYTES, &pdf) != 0)
        fprintf(stderr, "arayis: cannot read %s (or it is over %u bytes)\n", argv[1], SIGCHECK_MAX_BYTES);
    else if (pdf_sigcheck(pdf.data, pdf.len, ours, &report, &e) != 0)
        fprintf(stderr, "arayis: %s: %s\n", argv[1], e.msg);
    else {
        printf("%s: signature %s\n", argv[1], report.signature_valid ? "VALID" : "NOT VALID");
        if (report.signed_by[0])
            printf("signed by: %s%s\n", report.signed_by, report.signer_is_ours ? "" : " (not one of our keys)");
        if (!report.signature_valid)
            printf("reason: %s\n", report.problem);
        rc = report.signature_valid ? 0 : 1;
    }
    buf_free(&pdf);
    keyring_free(ours);
    return rc;
}
