/* arayis verify FILE.pdf: checks a certificate's signature against our keys; exit 0 only when it is valid. */
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/buf.h"
#include "core/share.h"
#include "core/timeutil.h"
#include "crypto/keyring.h"
#include "crypto/ocsp.h"
#include "crypto/timestamp.h"
#include "pdf/sigcheck.h"

static void print_report(const char *path, const pdf_sig_report *report)
{
    printf("%s: signature %s\n", path, report->signature_valid ? "VALID" : "NOT VALID");
    if (report->signed_by[0])
        printf("signed by: %s%s\n", report->signed_by, report->signer_is_ours ? "" : " (not one of our keys)");
    if (report->number[0])
        printf("certificate: %s\n", report->number);
    if (report->level[0])
        printf("level: %s\n", report->level);
    char when[TIME_TEXT_MAX];
    if (report->timestamped_at)
        printf("timestamp: %s\n", time_format_rfc3339(report->timestamped_at, when));
    if (report->document_timestamped_at)
        printf("document timestamp: %s\n", time_format_rfc3339(report->document_timestamped_at, when));
    if (report->signed_at)
        printf("signed at: %s\n", time_format_rfc3339(report->signed_at, when));
    if (strcmp(report->revocation, "not_checked") != 0)
        printf("revocation: %s\n", report->revocation);
    if (report->revoked_at)
        printf("revoked at: %s (%s)\n", time_format_rfc3339(report->revoked_at, when), report->revocation_reason);
    if (!report->signature_valid)
        printf("reason: %s\n", report->problem);
}

int cmd_verify(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        printf("usage: arayis verify FILE.pdf [settings]\n"
               "Checks the PDF signature (CMS over the ByteRange) against the certificates in ARAYIS_KEYS_DIR,\n"
               "and its signature timestamp against the TSA anchors in ARAYIS_TSA_CA; the signing certificate's\n"
               "revocation status over OCSP (ARAYIS_OCSP_URL, else the certificate's AIA).\n"
               "Exit status: 0 valid, 1 not valid, 2 not a PDF or unreadable.\n");
        return argc < 2 ? 2 : 0;
    }
    config c;
    if (cli_config(&c, argc, argv, 2) != 0)
        return 2;
    err e = {0};
    buf pdf = BUF_INIT;
    pdf_sig_report report;
    keyring *ours = keyring_load(c.keys_dir, &e);
    X509_STORE *anchors = NULL;
    ocsp_settings o = {c.ocsp_url, c.ocsp_timeout_ms};
    ocsp_client *revocation = ours ? ocsp_client_new(&o, &e) : NULL;
    int rc = 2;
    if (ours && c.tsa_ca[0] && (anchors = tsa_anchors_load(c.tsa_ca, &e)) == NULL) {
        fprintf(stderr, "arayis: %s\n", e.msg);
        keyring_free(ours);
        ocsp_client_free(revocation);
        return 2;
    }
    if (ours && revocation && share_read_path(argv[1], SIGCHECK_MAX_BYTES, &pdf, &e) == 0 &&
        pdf_sigcheck(pdf.data, pdf.len, ours, anchors, revocation, &report, &e) == 0) {
        print_report(argv[1], &report);
        rc = report.signature_valid ? 0 : 1;
    } else {
        fprintf(stderr, "arayis: %s: %s\n", argv[1], e.msg);
    }
    buf_free(&pdf);
    X509_STORE_free(anchors);
    ocsp_client_free(revocation);
    keyring_free(ours);
    return rc;
}
