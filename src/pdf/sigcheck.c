/* PDF signature checking: locate the last signature dictionary, validate its ByteRange, verify the CMS. */
#include "pdf/sigcheck.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/signer.h"

#define SIGCHECK_TAIL 1024
#define SIGCHECK_MAX_CMS (256u * 1024)

typedef struct byte_range {
    size_t a, b, c, d;        /* [a, a+b) and [c, c+d) */
} byte_range;

static const unsigned char *find_last(const unsigned char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = n >= m ? n - m + 1 : 0; i-- > 0;)
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0;
}

/* Reads a non-negative decimal at *p (after white space), not past end. Returns 0 or -1. */
static int read_size(const unsigned char **p, const unsigned char *end, size_t *out)
{
    while (*p < end && is_space(**p))
        (*p)++;
    size_t v = 0, digits = 0;
    for (; *p < end && **p >= '0' && **p <= '9' && digits < 12; (*p)++, digits++)
        v = v * 10 + (size_t)(**p - '0');
    *out = v;
    return digits > 0 && digits < 12 ? 0 : -1;
}

static int parse_byte_range(const unsigned char *pdf, size_t len, byte_range *r)
{
    const unsigned char *p = find_last(pdf, len, "/ByteRange");
    if (p == NULL)
        return -1;
    const unsigned char *end = pdf + len;
    p += strlen("/ByteRange");
    while (p < end && is_space(*p))
        p++;
    if (p == end || *p++ != '[' || read_size(&p, end, &r->a) || read_size(&p, end, &r->b) ||
        read_size(&p, end, &r->c) || read_size(&p, end, &r->d))
        return -1;
    while (p < end && is_space(*p))
        p++;
    return p < end && *p == ']' ? 0 : -1;
}

static int hex_value(unsigned char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Checks the range shape and decodes the /Contents hex between them. Returns the DER length or 0. */
static size_t contents_der(const unsigned char *pdf, size_t len, const byte_range *r, unsigned char *der, size_t cap,
                           pdf_sig_report *report)
{
    if (r->a != 0 || r->b >= r->c || r->c > len || r->d != len - r->c || pdf[r->b] != '<' || pdf[r->c - 1] != '>') {
        snprintf(report->problem, sizeof report->problem, "the signed byte ranges do not cover the whole file");
        return 0;
    }
    size_t hex_len = r->c - 1 - (r->b + 1), n = 0;
    const unsigned char *hex = pdf + r->b + 1;
    for (size_t i = 0; i + 1 < hex_len + 1 && n < cap; i += 2) {
        int hi = hex_value(hex[i]), lo = i + 1 < hex_len ? hex_value(hex[i + 1]) : -1;
        if (hi < 0 || lo < 0) {
            snprintf(report->problem, sizeof report->problem, "the signature contents are not hexadecimal");
            return 0;
        }
        der[n++] = (unsigned char)(hi << 4 | lo);
    }
    return n;
}

static void verify_cms(const unsigned char *pdf, const byte_range *r, const unsigned char *der, size_t der_len,
                       const keyring *ours, pdf_sig_report *report)
{
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)der_len);
    X509_STORE *trust = keyring_trust_store(ours);
    BIO *data = BIO_new(BIO_s_mem());
    STACK_OF(X509) *signers = NULL;
    if (cms == NULL || trust == NULL || data == NULL || BIO_write(data, pdf, (int)r->b) != (int)r->b ||
        BIO_write(data, pdf + r->c, (int)r->d) != (int)r->d) {
        snprintf(report->problem, sizeof report->problem, "the signature is not a readable CMS structure");
        goto done;
    }
    /* our own certificate list is the authority, so a since-expired retired certificate still verifies */
    X509_VERIFY_PARAM_set_flags(X509_STORE_get0_param(trust), X509_V_FLAG_NO_CHECK_TIME);
    X509_STORE_set_purpose(trust, X509_PURPOSE_ANY);
    int verified = CMS_verify(cms, NULL, trust, data, NULL, CMS_BINARY | CMS_DETACHED) == 1;
    signers = CMS_get0_signers(cms);
    X509 *signer = signers && sk_X509_num(signers) > 0 ? sk_X509_value(signers, 0) : NULL;
    if (signer)
        signer_name_text(X509_get_subject_name(signer), report->signed_by, sizeof report->signed_by);
    report->signer_is_ours = signer && keyring_find(ours, signer) >= 0;
    report->signature_valid = verified && report->signer_is_ours;
    if (!report->signature_valid)
        snprintf(report->problem, sizeof report->problem, "%s",
                 !verified ? "the signature does not match the signed bytes or does not chain to our CA"
                           : "the signer is not one of our signing certificates");
done:
    ERR_clear_error();
    sk_X509_free(signers);
    BIO_free(data);
    X509_STORE_free(trust);
    CMS_ContentInfo_free(cms);
}

int pdf_sigcheck(const unsigned char *pdf, size_t len, const keyring *ours, pdf_sig_report *report, err *e)
{
    memset(report, 0, sizeof *report);
    size_t tail = len < SIGCHECK_TAIL ? len : SIGCHECK_TAIL;
    if (len > SIGCHECK_MAX_BYTES)
        return err_set(e, 1, "the file is larger than %u bytes", SIGCHECK_MAX_BYTES);
    if (len < 16 || memcmp(pdf, "%PDF-", 5) != 0 || find_last(pdf + len - tail, tail, "%%EOF") == NULL)
        return err_set(e, 1, "not a complete PDF file");
    byte_range r;
    if (parse_byte_range(pdf, len, &r) != 0) {
        snprintf(report->problem, sizeof report->problem, "the file carries no signature");
        return 0;
    }
    unsigned char *der = malloc(SIGCHECK_MAX_CMS);
    if (der == NULL)
        return err_set(e, 1, "out of memory");
    size_t der_len = contents_der(pdf, len, &r, der, SIGCHECK_MAX_CMS, report);
    report->signature_present = der_len > 0;
    if (der_len > 0)
        verify_cms(pdf, &r, der, der_len, ours, report);
    free(der);
    return 0;
}
