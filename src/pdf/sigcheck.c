/* PDF signature checking: the last /ByteRange of the file, its shape (the whole file but one hex string, which
   follows /Contents), the signing time from the signature timestamp or else the signature dictionary's /M, the CMS
   inside that string verified with OpenSSL against our keyring as of that time, and the certificate number from
   /Reason. Every read is bounded by
   the buffer; nothing recurses. */
#include "pdf/sigcheck.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"
#include "crypto/ltv.h"
#include "crypto/signer.h"
#include "crypto/timestamp.h"
#include "pdf/scan.h"
#include "pdf/update_rules.h"

#define SIGCHECK_TAIL 1024                /* where %%EOF must be */
#define SIGCHECK_MAX_CMS (256u * 1024)    /* largest signature accepted */
#define SIGCHECK_MAX_REASON 512           /* bytes of /Reason read */
#define SIGCHECK_MAX_DSS_ITEM (64u * 1024) /* largest certificate or OCSP answer read from a DSS */
#define SIGCHECK_STREAM_HEAD 512          /* bytes from "N 0 obj" in which a stream's dictionary must end */

static void problem(pdf_sig_report *report, const char *text)
{
    snprintf(report->problem, sizeof report->problem, "%s", text);
}

/* The first /ByteRange of the file (the signature's: what follows its revision may only add validation data and
   document timestamps): the range and where its key is. Returns 0 or -1. */
static int parse_byte_range(const unsigned char *pdf, size_t len, pdf_byte_range *r, size_t *key)
{
    const unsigned char *p = memmem(pdf, len, "/ByteRange", 10);
    if (p == NULL)
        return -1;
    *key = (size_t)(p - pdf);
    return pdf_byte_range_read(p + 10, pdf + len, r);
}

static int hex_value(unsigned char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes the n hex digits at hex into der (n / 2 bytes, at most cap). Returns the byte count, or 0. */
static size_t decode_hex(const unsigned char *hex, size_t n, unsigned char *der, size_t cap)
{
    if (n % 2 != 0 || n / 2 > cap)
        return 0;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return 0;
        der[i / 2] = (unsigned char)(hi << 4 | lo);
    }
    return n / 2;
}

/* Parses the DER CMS; everything after it in the placeholder must be zero padding. */
static CMS_ContentInfo *parse_cms(const unsigned char *der, size_t len)
{
    const unsigned char *p = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    for (const unsigned char *q = p; cms && q < der + len; q++)
        if (*q != 0) {
            CMS_ContentInfo_free(cms);
            return NULL;
        }
    return cms;
}

/* The object "num 0 obj" defined last in the n bytes at pdf: where its body starts, or NULL. */
static const unsigned char *find_object(const unsigned char *pdf, size_t n, size_t num)
{
    char head[32];
    int m = snprintf(head, sizeof head, "%zu 0 obj", num);
    while (m > 0 && n > 0) {
        const unsigned char *at = pdf_scan_find_last(pdf, n, head);
        if (at == NULL)
            return NULL;
        if (at == pdf || pdf_scan_is_space(at[-1]))
            return at + m;
        n = (size_t)(at - pdf);
    }
    return NULL;
}

/* The data of the stream object num: *data and *n, within the len bytes at pdf. Its /Length is a number or a
   reference to one. Returns 0 or -1. */
static int stream_data(const unsigned char *pdf, size_t len, size_t num, const unsigned char **data, size_t *n)
{
    const unsigned char *end = pdf + len, *body = find_object(pdf, len, num), *p, *at;
    size_t window = body ? (size_t)(end - body) : 0, length, length_obj;
    window = window < SIGCHECK_STREAM_HEAD ? window : SIGCHECK_STREAM_HEAD;
    const unsigned char *keyword = body ? memmem(body, window, "stream", 6) : NULL;
    if (keyword == NULL || (at = memmem(body, (size_t)(keyword - body), "/Length", 7)) == NULL)
        return -1;
    p = at + 7;
    const unsigned char *value = p;
    if (pdf_scan_ref(&p, keyword, &length_obj) == 0) {
        if ((value = find_object(pdf, len, length_obj)) == NULL)
            return -1;
    }
    if (pdf_scan_size(&value, end, &length) != 0 || length > SIGCHECK_MAX_DSS_ITEM)
        return -1;
    p = keyword + 6;
    if (p < end && *p == '\r')
        p++;
    if (p >= end || *p++ != '\n' || length > (size_t)(end - p))
        return -1;
    *data = p;
    *n = length;
    return 0;
}

/* Reads the array of stream references after key in the DSS dictionary at dss (up to dss_end) into items. Returns
   the count (0 when the key is absent or malformed). */
static size_t dss_streams(const unsigned char *pdf, size_t len, const unsigned char *dss, const unsigned char *dss_end,
                          const char *key, const unsigned char **items, size_t *lens, size_t cap)
{
    const unsigned char *p = memmem(dss, (size_t)(dss_end - dss), key, strlen(key));
    size_t count = 0, num;
    if (p == NULL)
        return 0;
    p = pdf_scan_skip_space(p + strlen(key), dss_end);
    if (p == dss_end || *p++ != '[')
        return 0;
    while ((p = pdf_scan_skip_space(p, dss_end)) < dss_end && *p != ']') {
        if (count == cap || pdf_scan_ref(&p, dss_end, &num) != 0 || stream_data(pdf, len, num, &items[count], &lens[count]) != 0)
            return 0;
        count++;
    }
    return count;
}

/* The validation data of the last /DSS dictionary (direct in the catalog, or referred to from it) of the len bytes
   at pdf. Returns 1 when
   one was read, else 0. */
static int read_dss(const unsigned char *pdf, size_t len, ltv_view *view)
{
    memset(view, 0, sizeof *view);
    const unsigned char *end = pdf + len, *dss = NULL;
    size_t num;
    /* the key, not the name /DSS as a value (/Type /DSS): the one followed by a dictionary or a reference to one */
    for (size_t n = len; dss == NULL && n > 0;) {
        const unsigned char *at = pdf_scan_find_last(pdf, n, "/DSS");
        if (at == NULL)
            return 0;
        const unsigned char *value = pdf_scan_skip_space(at + 4, end), *after = value;
        if (pdf_scan_ref(&after, end, &num) == 0 && (value = find_object(pdf, len, num)) != NULL)
            value = pdf_scan_skip_space(value, end);
        if (value && end - value >= 2 && memcmp(value, "<<", 2) == 0)
            dss = value;
        n = (size_t)(at - pdf);
    }
    const unsigned char *dss_end = dss ? pdf_scan_value_end(dss, end) : NULL;
    if (dss_end == NULL)
        return 0;
    size_t cap = sizeof view->certs / sizeof view->certs[0];
    view->cert_count = dss_streams(pdf, len, dss, dss_end, "/Certs", view->certs, view->cert_lens, cap);
    view->ocsp_count = dss_streams(pdf, len, dss, dss_end, "/OCSPs", view->ocsps, view->ocsp_lens, cap);
    return view->cert_count > 0 && view->ocsp_count > 0;
}

/* Why the CMS does not make a valid signature of ours, or NULL when it does. */
static const char *cms_problem(int verified, const keyring_cert *ours, time_t signed_at)
{
    if (ours && (signed_at < ours->not_before || signed_at > ours->not_after))
        return "the signature was made outside the validity of its signing certificate";
    if (!verified)
        return "the signature does not match the signed bytes or does not chain to our CA";
    return ours ? NULL : "the signer is not one of our signing certificates";
}

/* The signing time and level from the signature timestamp of cms's only signer, if it has one: a valid token's time
   replaces the claimed /M. Returns 0, or -1 with the problem set when the token is present but does not verify. */
static int apply_timestamp(CMS_ContentInfo *cms, X509_STORE *tsa_anchors, pdf_sig_report *report)
{
    STACK_OF(CMS_SignerInfo) *infos = CMS_get0_SignerInfos(cms);
    CMS_SignerInfo *si = infos && sk_CMS_SignerInfo_num(infos) == 1 ? sk_CMS_SignerInfo_value(infos, 0) : NULL;
    tsa_token_check check = {0};
    if (si != NULL)
        tsa_check_signer(si, tsa_anchors, &check);
    if (check.present && !check.valid) {
        problem(report, check.problem);
        return -1;
    }
    if (check.valid) {
        report->signed_at = report->timestamped_at = check.gen_time;
        snprintf(report->level, sizeof report->level, "B-T");
    }
    return 0;
}

/* The issuer of signer as our trust store sees it, with the CMS's certificates as intermediates (caller frees), or
   NULL. */
static X509 *issuer_of(X509 *signer, X509_STORE *trust, CMS_ContentInfo *cms)
{
    STACK_OF(X509) *untrusted = CMS_get1_certs(cms), *chain = NULL;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    X509 *issuer = NULL;
    if (ctx && X509_STORE_CTX_init(ctx, trust, signer, untrusted) == 1 && X509_verify_cert(ctx) == 1 &&
        (chain = X509_STORE_CTX_get1_chain(ctx)) != NULL && sk_X509_num(chain) >= 2) {
        issuer = sk_X509_value(chain, 1);
        if (X509_up_ref(issuer) != 1)
            issuer = NULL;
    }
    sk_X509_pop_free(chain, X509_free);
    X509_STORE_CTX_free(ctx);
    sk_X509_pop_free(untrusted, X509_free);
    return issuer;
}

/* Applies the revocation rule to a signature that is otherwise valid. Returns 0 (report updated), or -1 with e set
   when no answer could be had. */
static int apply_revocation(ocsp_client *revocation, X509 *signer, X509 *issuer, pdf_sig_report *report, err *e)
{
    ocsp_answer answer;
    int asked = issuer ? ocsp_status(revocation, signer, issuer, 1, 0, &answer, e) : 0;
    if (asked <= 0)
        return asked;
    buf_free(&answer.der);
    snprintf(report->revocation, sizeof report->revocation, "%s", ocsp_status_name(answer.status));
    if (answer.status == OCSP_CERT_UNKNOWN) {
        problem(report, "the OCSP responder does not know the signing certificate");
        report->signature_valid = 0;
        return 0;
    }
    if (answer.status != OCSP_CERT_REVOKED)
        return 0;
    report->revoked_at = answer.revoked_at;
    snprintf(report->revocation_reason, sizeof report->revocation_reason, "%s", ocsp_reason_name(answer.reason));
    /* a leaked key can sign with any /M: only a timestamp proves a signature older than the compromise */
    int compromised = answer.reason == OCSP_REVOKED_STATUS_KEYCOMPROMISE ||
                      answer.reason == OCSP_REVOKED_STATUS_CACOMPROMISE;
    if (compromised && report->timestamped_at == 0)
        problem(report, "the signing certificate was revoked for key compromise and the signature has no timestamp");
    else if (report->signed_at >= answer.revoked_at)
        problem(report, "the signing certificate was revoked before the signature was made");
    else
        return 0;
    report->signature_valid = 0;
    return 0;
}

/* Returns 0, or -1 with e set when the revocation status could not be had. */
static int verify_cms(const unsigned char *pdf, size_t len, const pdf_byte_range *r, const unsigned char *der, size_t der_len,
                      const keyring *ours, X509_STORE *tsa_anchors, ocsp_client *revocation, pdf_sig_report *report,
                      err *e)
{
    CMS_ContentInfo *cms = parse_cms(der, der_len);
    X509_STORE *trust = keyring_trust_store(ours);
    BIO *data = BIO_new(BIO_s_mem());
    STACK_OF(X509) *signers = NULL;
    X509 *issuer = NULL;
    int rc = 0;
    if (cms == NULL || trust == NULL || data == NULL || BIO_write(data, pdf, (int)r->b) != (int)r->b ||
        BIO_write(data, pdf + r->c, (int)r->d) != (int)r->d) {
        problem(report, "the signature is not a readable CMS structure");
        goto done;
    }
    if (apply_timestamp(cms, tsa_anchors, report) != 0)
        goto done;
    /* the chain is checked as of the signing time: a retired certificate still verifies what it signed while it
       was valid, and nothing signed before or after its validity */
    X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(trust), report->signed_at);
    X509_STORE_set_purpose(trust, X509_PURPOSE_ANY);
    int verified = CMS_verify(cms, NULL, trust, data, NULL, CMS_BINARY | CMS_DETACHED) == 1;
    signers = CMS_get0_signers(cms);
    X509 *signer = signers && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
    if (signer)
        signer_name_text(X509_get_subject_name(signer), report->signed_by, sizeof report->signed_by);
    int index = signer ? keyring_find(ours, signer) : -1;
    report->signer_is_ours = index >= 0;
    const char *why = cms_problem(verified, index >= 0 ? keyring_get(ours, (size_t)index) : NULL, report->signed_at);
    report->signature_valid = why == NULL;
    if (why)
        problem(report, why);
    else if (revocation != NULL)
        rc = apply_revocation(revocation, signer, issuer = issuer_of(signer, trust, cms), report, e);
    ltv_view view;
    if (rc == 0 && report->signature_valid && report->timestamped_at && read_dss(pdf, len, &view) &&
        ltv_covers(cms, signer, trust, tsa_anchors, &view))
        snprintf(report->level, sizeof report->level, "B-LT");
done:
    ERR_clear_error();
    X509_free(issuer);
    sk_X509_free(signers);
    BIO_free(data);
    X509_STORE_free(trust);
    CMS_ContentInfo_free(cms);
    return rc;
}

/* The ASCII of a PDF string at p: hex (<…>, UTF-16BE when it starts with FE FF) or literal ((…)); other
   characters become spaces. Writes at most size - 1 characters. */
static void string_ascii(const unsigned char *p, const unsigned char *end, char *out, size_t size)
{
    unsigned char bytes[SIGCHECK_MAX_REASON];
    size_t n = 0, o = 0;
    if (p < end && *p == '<') {
        const unsigned char *close = memchr(p, '>', (size_t)(end - p));
        n = close ? decode_hex(p + 1, (size_t)(close - p - 1), bytes, sizeof bytes) : 0;
    } else if (p < end && *p == '(') {
        for (p++; p < end && *p != ')' && n < sizeof bytes; p++)
            bytes[n++] = *p;
    }
    int utf16 = n >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF;
    for (size_t i = utf16 ? 2 : 0; i + (size_t)utf16 < n && o + 1 < size; i += 1 + (size_t)utf16) {
        unsigned unit = utf16 ? (unsigned)bytes[i] << 8 | bytes[i + 1] : bytes[i];
        out[o++] = unit >= 0x21 && unit < 0x7F ? (char)unit : ' ';
    }
    out[o] = '\0';
}

/* "AZI-2026-000001": capitals, dash, four digits, dash, digits. */
static int is_number(const char *s, size_t n)
{
    size_t i = 0, start;
    while (i < n && s[i] >= 'A' && s[i] <= 'Z')
        i++;
    if (i == 0 || i + 7 > n || s[i] != '-' || s[i + 5] != '-')
        return 0;
    for (start = i + 1; start < n; start++)
        if (start != i + 5 && (s[start] < '0' || s[start] > '9'))
            return 0;
    return 1;
}

/* The first word of the last /Reason in the signed part that looks like a certificate number. */
static void read_number(const unsigned char *pdf, size_t signed_len, pdf_sig_report *report)
{
    char text[SIGCHECK_MAX_REASON], *rest = NULL;
    const unsigned char *at = pdf_scan_find_last(pdf, signed_len, "/Reason");
    if (at == NULL)
        return;
    string_ascii(pdf_scan_skip_space(at + strlen("/Reason"), pdf + signed_len), pdf + signed_len, text, sizeof text);
    for (char *word = strtok_r(text, " ", &rest); word; word = strtok_r(NULL, " ", &rest)) {
        size_t n = strlen(word);
        if (n < sizeof report->number && is_number(word, n)) {
            memcpy(report->number, word, n + 1);
            return;
        }
    }
}

/* The signing time of the signature dictionary: the last /M before its /ByteRange (at range_key), a date string.
   Returns 0 when there is none. */
static time_t read_signing_time(const unsigned char *pdf, size_t range_key)
{
    for (size_t n = range_key; n > 0;) {
        const unsigned char *at = pdf_scan_find_last(pdf, n, "/M");
        if (at == NULL)
            return 0;
        const unsigned char *value = pdf_scan_skip_space(at + 2, pdf + range_key), *close = NULL;
        time_t t;
        if (value < pdf + range_key && *value == '(')
            close = memchr(value, ')', (size_t)(pdf + range_key - value));
        if (close)
            return time_parse_pdf_date((const char *)value + 1, (size_t)(close - value - 1), &t) == 0 ? t : 0;
        n = (size_t)(at - pdf);
    }
    return 0;
}

/* Checks the document timestamps of updates against tsa_anchors. Returns 0 (report->document_timestamped_at set to
   the last one's time), or -1 with the problem set when one does not verify. der has SIGCHECK_MAX_CMS bytes. */
static int check_document_timestamps(const unsigned char *pdf, const pdf_updates *updates, X509_STORE *tsa_anchors,
                                     unsigned char *der, pdf_sig_report *report)
{
    for (size_t i = 0; i < updates->timestamp_count; i++) {
        const pdf_byte_range *r = &updates->timestamps[i].range;
        const unsigned char *parts[2] = {pdf, pdf + r->c};
        const size_t lens[2] = {r->b, r->d};
        size_t n = decode_hex(pdf + r->b + 1, r->c - r->b - 2, der, SIGCHECK_MAX_CMS);
        tsa_token_check check;
        tsa_check_document(der, n, parts, lens, tsa_anchors, &check);
        if (n == 0 || !check.valid) {
            problem(report, n == 0 ? "the document timestamp is not hexadecimal or too large" : check.problem);
            return -1;
        }
        report->document_timestamped_at = check.gen_time;
    }
    return 0;
}

/* Checks what follows the signed revision [0, signed_len): report->signed_len set when it is allowed (document
   timestamps verified), else the problem set and -1. */
static int check_updates(const unsigned char *pdf, size_t signed_len, size_t len, X509_STORE *tsa_anchors,
                         unsigned char *der, pdf_sig_report *report)
{
    pdf_updates updates;
    if (pdf_updates_check(pdf, signed_len, len, &updates) != 0) {
        snprintf(report->problem, sizeof report->problem, "the file was changed after it was signed: %s",
                 updates.problem);
        return -1;
    }
    if (check_document_timestamps(pdf, &updates, tsa_anchors, der, report) != 0)
        return -1;
    report->signed_len = signed_len;
    return 0;
}

int pdf_sigcheck(const unsigned char *pdf, size_t len, const keyring *ours, X509_STORE *tsa_anchors,
                 ocsp_client *revocation, pdf_sig_report *report, err *e)
{
    memset(report, 0, sizeof *report);
    snprintf(report->revocation, sizeof report->revocation, "not_checked");
    if (len > SIGCHECK_MAX_BYTES)
        return err_set(e, ERR_TOO_LONG, "the file is larger than %u bytes", SIGCHECK_MAX_BYTES);
    size_t tail = len < SIGCHECK_TAIL ? len : SIGCHECK_TAIL, key;
    if (len < 16 || memcmp(pdf, "%PDF-", 5) != 0 || pdf_scan_find_last(pdf + len - tail, tail, "%%EOF") == NULL)
        return err_set(e, ERR_INVALID, "not a complete PDF file");
    pdf_byte_range r;
    if (parse_byte_range(pdf, len, &r, &key) != 0) {
        problem(report, "the file carries no signature");
        return 0;
    }
    if (!pdf_byte_range_shape_ok(pdf, len, &r)) {
        problem(report, "the signed byte ranges do not cover the whole file but the signature");
        return 0;
    }
    unsigned char *der = malloc(SIGCHECK_MAX_CMS);
    if (der == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = 0;
    if (check_updates(pdf, r.c + r.d, len, tsa_anchors, der, report) != 0)
        goto out;
    size_t der_len = decode_hex(pdf + r.b + 1, r.c - r.b - 2, der, SIGCHECK_MAX_CMS);
    report->signature_present = der_len > 0;
    report->signed_at = read_signing_time(pdf, key);
    snprintf(report->level, sizeof report->level, "B-B");
    if (der_len == 0)
        problem(report, "the signature contents are not hexadecimal or too large");
    else if (report->signed_at == 0)
        problem(report, "the signature dictionary has no signing time (/M)");
    else
        rc = verify_cms(pdf, len, &r, der, der_len, ours, tsa_anchors, revocation, report, e);
    read_number(pdf, r.b, report);
out:
    free(der);
    return rc;
}
