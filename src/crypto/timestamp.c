/* RFC 3161 timestamps with OpenSSL's TS API over libcurl: request, checked response, CAdES embedding, later check. */
#include "crypto/timestamp.h"

#include <assert.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ts.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/capped_body.h"
#include "crypto/random.h"
#include "crypto/tsa_known.h"

#define TSA_RESPONSE_MAX (64u * 1024)     /* a TSA answer larger than this is refused */
#define TSA_SETTING_MAX 512               /* bytes of the URL and of each credential */

struct tsa_client {
    char url[TSA_SETTING_MAX], user[TSA_SETTING_MAX], password[TSA_SETTING_MAX];
    long timeout_ms;
    X509_STORE *anchors;
    pthread_mutex_t lock;                 /* guards idle and known */
    CURL *idle[TSA_POOL_MAX];             /* handles with their open connections, ready for reuse */
    size_t idle_count;
    size_t largest_token;                 /* DER bytes of the largest token had so far; changed atomically */
    tsa_known *known;                     /* the certificates of the last token that came with them */
};

X509_STORE *tsa_anchors_load(const char *path, err *e)
{
    assert(path != NULL);
    BIO *in = BIO_new_file(path, "r");
    if (in == NULL) {
        ERR_clear_error();
        err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "cannot read the TSA anchors %s", path);
        return NULL;
    }
    X509_STORE *store = X509_STORE_new();
    int count = 0;
    for (X509 *cert; store && (cert = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL; X509_free(cert))
        if (X509_STORE_add_cert(store, cert) == 1)
            count++;
    ERR_clear_error(); /* the end of the file reads as an error */
    BIO_free(in);
    if (store == NULL || count == 0) {
        X509_STORE_free(store);
        err_set(e, store ? ERR_CRYPTO : ERR_NOMEM, "no certificate in the TSA anchors %s", path);
        return NULL;
    }
    return store;
}

static int copy_setting(char *dst, const char *value)
{
    size_t n = value ? strlen(value) : 0;
    if (n >= TSA_SETTING_MAX)
        return -1;
    memcpy(dst, value ? value : "", n + 1);
    return 0;
}

tsa_client *tsa_client_new(const tsa_settings *settings, err *e)
{
    assert(settings != NULL && settings->url != NULL && settings->ca_file != NULL && settings->timeout_ms > 0);
    tsa_client *t = calloc(1, sizeof *t);
    if (t == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (copy_setting(t->url, settings->url) != 0 || copy_setting(t->user, settings->user) != 0 ||
        copy_setting(t->password, settings->password) != 0) {
        free(t);
        err_set(e, ERR_TOO_LONG, "a TSA setting is longer than %d bytes", TSA_SETTING_MAX - 1);
        return NULL;
    }
    t->timeout_ms = settings->timeout_ms;
    if ((t->anchors = tsa_anchors_load(settings->ca_file, e)) == NULL) {
        free(t);
        return NULL;
    }
    if (pthread_mutex_init(&t->lock, NULL) != 0) {
        X509_STORE_free(t->anchors);
        free(t);
        err_set(e, ERR_NOMEM, "cannot make the TSA pool lock");
        return NULL;
    }
    return t;
}

void tsa_client_free(tsa_client *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->idle_count; i++)
        curl_easy_cleanup(t->idle[i]);
    tsa_known_release(t->known);
    pthread_mutex_destroy(&t->lock);
    X509_STORE_free(t->anchors);
    free(t);
}

X509_STORE *tsa_client_anchors(const tsa_client *t)
{
    return t->anchors;
}

/* An idle handle of the pool, or a new one (NULL when curl fails). */
static CURL *handle_take(tsa_client *t)
{
    CURL *curl = NULL;
    pthread_mutex_lock(&t->lock);
    if (t->idle_count > 0)
        curl = t->idle[--t->idle_count];
    pthread_mutex_unlock(&t->lock);
    return curl ? curl : curl_easy_init();
}

/* Gives curl back to the pool, or closes it when the pool is full or its exchange failed (reused is 0). */
static void handle_give(tsa_client *t, CURL *curl, int reused)
{
    pthread_mutex_lock(&t->lock);
    if (reused && t->idle_count < TSA_POOL_MAX) {
        t->idle[t->idle_count++] = curl;
        curl = NULL;
    }
    pthread_mutex_unlock(&t->lock);
    if (curl)
        curl_easy_cleanup(curl);
}

static CURLcode exchange_options(const tsa_client *t, CURL *curl, const unsigned char *der, int len,
                                 struct curl_slist *headers, capped_body *a)
{
    CURLcode rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_URL, t->url)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https")) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, der)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, t->timeout_ms)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, capped_body_collect)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_WRITEDATA, a)) != CURLE_OK)
        return rc;
    if (t->user[0] && ((rc = curl_easy_setopt(curl, CURLOPT_USERNAME, t->user)) != CURLE_OK ||
                       (rc = curl_easy_setopt(curl, CURLOPT_PASSWORD, t->password)) != CURLE_OK))
        return rc;
    return CURLE_OK;
}

/* POSTs the DER request to the TSA and collects its answer into a->body. Returns 0 or -1 with e set
   (ERR_UNAVAILABLE, ERR_NOMEM). */
static int exchange(tsa_client *t, const unsigned char *der, int len, capped_body *a, err *e)
{
    CURL *curl = handle_take(t);
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/timestamp-query");
    long status = 0;
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    if (curl && headers && (rc = exchange_options(t, curl, der, len, headers, a)) == CURLE_OK)
        rc = curl_easy_perform(curl);
    if (rc == CURLE_OK && curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
        status = 0;
    if (curl)
        handle_give(t, curl, rc == CURLE_OK);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK)
        return err_set(e, ERR_UNAVAILABLE, "the TSA did not answer: %s",
                       a->too_long ? "its answer is too long" : curl_easy_strerror(rc));
    if (status != 200)
        return err_set(e, ERR_UNAVAILABLE, "the TSA answered HTTP %ld", status);
    return 0;
}

size_t tsa_token_room(const tsa_client *t)
{
    size_t largest = __atomic_load_n(&t->largest_token, __ATOMIC_RELAXED);
    if (largest == 0 || largest + TSA_TOKEN_MARGIN_BYTES > TSA_TOKEN_MAX_BYTES)
        return TSA_TOKEN_MAX_BYTES;
    return largest + TSA_TOKEN_MARGIN_BYTES;
}

/* Remembers a token of len bytes when it is the largest so far. */
static void note_token_size(tsa_client *t, size_t len)
{
    size_t seen = __atomic_load_n(&t->largest_token, __ATOMIC_RELAXED);
    while (len > seen && !__atomic_compare_exchange_n(&t->largest_token, &seen, len, 0, __ATOMIC_RELAXED,
                                                      __ATOMIC_RELAXED))
        ; /* seen now holds the value another thread stored: compare again */
}

/* A request for a token over the SHA-256 digest md, with nonce, asking for the TSA's certificates when cert_req.
   NULL on failure. */
static TS_REQ *make_request(const unsigned char md[32], const ASN1_INTEGER *nonce, int cert_req)
{
    TS_REQ *req = TS_REQ_new();
    TS_MSG_IMPRINT *imprint = TS_MSG_IMPRINT_new();
    X509_ALGOR *algo = X509_ALGOR_new();
    int ok = req && imprint && algo && X509_ALGOR_set0(algo, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) &&
             TS_MSG_IMPRINT_set_algo(imprint, algo) && TS_MSG_IMPRINT_set_msg(imprint, (unsigned char *)md, 32) &&
             TS_REQ_set_msg_imprint(req, imprint) && TS_REQ_set_version(req, 1) && TS_REQ_set_nonce(req, nonce) &&
             TS_REQ_set_cert_req(req, cert_req);
    X509_ALGOR_free(algo);        /* the setters copy */
    TS_MSG_IMPRINT_free(imprint);
    if (!ok) {
        TS_REQ_free(req);
        return NULL;
    }
    return req;
}

/* A fresh random 64-bit nonce, or NULL. */
static ASN1_INTEGER *new_nonce(void)
{
    unsigned char bytes[8];
    if (random_bytes(bytes, sizeof bytes) != 0)
        return NULL;
    bytes[0] &= 0x7F; /* positive, as some TSAs expect */
    BIGNUM *bn = BN_bin2bn(bytes, sizeof bytes, NULL);
    ASN1_INTEGER *nonce = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    BN_free(bn);
    return nonce;
}

static time_t generalized_time(const ASN1_GENERALIZEDTIME *when)
{
    struct tm tm;
    return when && ASN1_TIME_to_tm(when, &tm) == 1 ? timegm(&tm) : 0;
}

/* A reference to the TSA's known certificates (tsa_known_release), or NULL before a token came with them. */
static tsa_known *known_take(tsa_client *t)
{
    pthread_mutex_lock(&t->lock);
    tsa_known *k = t->known ? tsa_known_retain(t->known) : NULL;
    pthread_mutex_unlock(&t->lock);
    return k;
}

/* Learns the certificates token came with, after it passed every check with them. */
static void known_learn(tsa_client *t, PKCS7 *token)
{
    tsa_known *k = tsa_known_learn(token, t->anchors), *old;
    if (k == NULL)
        return; /* the next token comes with its certificates again */
    pthread_mutex_lock(&t->lock);
    old = t->known;
    t->known = k;
    pthread_mutex_unlock(&t->lock);
    tsa_known_release(old);
}

/* 1 when token came with certificates of its own. */
static int token_has_certs(PKCS7 *token)
{
    return PKCS7_type_is_signed(token) && token->d.sign->cert && sk_X509_num(token->d.sign->cert) > 0;
}

/* Checks resp against req (status, version, nonce, imprint), then the token's signature by a TSA certificate that
   chains to the anchors (critical timeStamping extended key usage), found among the token's own certificates or
   known ones (NULL before the first). Returns 0; 1 when only the signature failed and the token came without
   certificates of its own (the TSA may sign with another certificate now: ask again with its certificates); or -1;
   e is set for 1 and -1. */
static int check_response(const tsa_client *t, TS_REQ *req, TS_RESP *resp, tsa_known *known, err *e)
{
    TS_VERIFY_CTX *ctx = TS_REQ_to_TS_VERIFY_CTX(req, NULL);
    PKCS7 *token = TS_RESP_get_token(resp);
    X509 *signer = NULL;
    int fields_ok = ctx && TS_RESP_verify_response(ctx, resp) == 1; /* the context asks for no signature check */
    int signed_ok = fields_ok && (known ? tsa_known_verify(known, token, t->anchors)
                                        : TS_RESP_verify_signature(token, NULL, t->anchors, &signer) == 1);
    unsigned long code = ERR_peek_last_error();
    char reason[120] = "";
    if (!signed_ok && code)
        ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    X509_free(signer);
    TS_VERIFY_CTX_free(ctx);
    if (signed_ok)
        return 0;
    err_set(e, ERR_UNAVAILABLE, "the TSA's answer failed its check: %s", reason[0] ? reason : "refused");
    return fields_ok && known != NULL && !token_has_certs(token) ? 1 : -1;
}

/* Asks the TSA for a token over md, without its certificates when known holds them (parsing them in every answer
   costs more than the rest of the check), and checks the answer. Returns 0 with *resp set, 1 as check_response
   does, or -1 with e set. */
static int ask(tsa_client *t, const unsigned char md[32], tsa_known *known, TS_RESP **resp, err *e)
{
    capped_body a = {.body = BUF_INIT, .limit = TSA_RESPONSE_MAX};
    ASN1_INTEGER *nonce = new_nonce();
    TS_REQ *req = NULL;
    unsigned char *der = NULL;
    int der_len = -1, rc = -1;
    *resp = NULL;
    if (nonce == NULL) {
        err_set(e, ERR_RANDOM, "no randomness for the TSA nonce");
        goto out;
    }
    if ((req = make_request(md, nonce, known == NULL)) == NULL || (der_len = i2d_TS_REQ(req, &der)) <= 0) {
        err_set(e, ERR_NOMEM, "cannot build the timestamp request");
        goto out;
    }
    if (exchange(t, der, der_len, &a, e) != 0)
        goto out;
    const unsigned char *p = a.body.data;
    if ((*resp = d2i_TS_RESP(NULL, &p, (long)a.body.len)) == NULL) {
        err_set(e, ERR_UNAVAILABLE, "the TSA's answer is not a timestamp response");
        goto out;
    }
    rc = check_response(t, req, *resp, known, e);
out:
    if (rc != 0) {
        TS_RESP_free(*resp);
        *resp = NULL;
    }
    ERR_clear_error();
    OPENSSL_free(der);
    TS_REQ_free(req);
    ASN1_INTEGER_free(nonce);
    buf_free(&a.body);
    return rc;
}

int tsa_request(tsa_client *t, const unsigned char *data, size_t len, buf *token, time_t *gen_time, err *e)
{
    assert(t != NULL && data != NULL && token != NULL && gen_time != NULL);
    unsigned char md[32], *out = NULL;
    tsa_known *known = known_take(t);
    TS_RESP *resp = NULL;
    int out_len = -1, rc = -1;
    if (EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL) != 1) {
        err_set(e, ERR_NOMEM, "cannot build the timestamp request");
        goto out;
    }
    int asked = ask(t, md, known, &resp, e);
    if (asked == 1) { /* signed by a certificate not among the known ones: ask for the certificates */
        tsa_known_release(known);
        known = NULL;
        asked = ask(t, md, NULL, &resp, e);
    }
    if (asked != 0)
        goto out;
    PKCS7 *p7 = TS_RESP_get_token(resp);
    if (known == NULL)
        known_learn(t, p7);
    if ((known && tsa_known_complete(known, p7) != 0) || (out_len = i2d_PKCS7(p7, &out)) <= 0 ||
        buf_append(token, out, (size_t)out_len) != 0) {
        err_set(e, ERR_NOMEM, "out of memory for the timestamp token");
        goto out;
    }
    note_token_size(t, (size_t)out_len);
    *gen_time = generalized_time(TS_TST_INFO_get_time(TS_RESP_get_tst_info(resp)));
    rc = 0;
out:
    ERR_clear_error();
    OPENSSL_free(out);
    TS_RESP_free(resp);
    tsa_known_release(known);
    return rc;
}

/* The only signer of cms, or NULL. */
int tsa_stamp_signer(tsa_client *t, CMS_SignerInfo *si, err *e)
{
    assert(t != NULL && si != NULL);
    ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    buf token = BUF_INIT;
    time_t when;
    int rc = -1;
    if (tsa_request(t, ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value), &token, &when, e) != 0)
        goto out;
    if (token.len > TSA_TOKEN_MAX_BYTES) {
        err_set(e, ERR_TOO_LONG, "the timestamp token (%zu bytes) is larger than its room (%d)", token.len,
                TSA_TOKEN_MAX_BYTES);
        goto out;
    }
    if (!CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, token.data, (int)token.len)) {
        err_set(e, ERR_NOMEM, "cannot add the timestamp to the signature");
        goto out;
    }
    rc = 0;
out:
    ERR_clear_error();
    buf_free(&token);
    return rc;
}

/* The token of si's signature-time-stamp attribute, parsed, or NULL (*present tells whether there is one). */
static PKCS7 *embedded_token(CMS_SignerInfo *si, int *present)
{
    int at = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
    X509_ATTRIBUTE *attr = at >= 0 ? CMS_unsigned_get_attr(si, at) : NULL;
    ASN1_TYPE *value = attr && X509_ATTRIBUTE_count(attr) == 1 ? X509_ATTRIBUTE_get0_type(attr, 0) : NULL;
    *present = attr != NULL;
    if (value == NULL || value->type != V_ASN1_SEQUENCE)
        return NULL;
    const unsigned char *p = value->value.sequence->data;
    return d2i_PKCS7(NULL, &p, value->value.sequence->length);
}

/* A verification context holding the SHA-256 of the signature value of si as the imprint to match, or NULL. */
static TS_VERIFY_CTX *signature_imprint(CMS_SignerInfo *si)
{
    ASN1_OCTET_STRING *value = CMS_SignerInfo_get0_signature(si);
    unsigned char *md = OPENSSL_malloc(32);
    TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
    if (md && ctx && EVP_Digest(ASN1_STRING_get0_data(value), (size_t)ASN1_STRING_length(value), md, NULL,
                                EVP_sha256(), NULL) == 1) {
        TS_VERIFY_CTX_set_imprint(ctx, md, 32); /* the context owns md from here on */
        return ctx;
    }
    OPENSSL_free(md);
    TS_VERIFY_CTX_free(ctx);
    return NULL;
}

/* Fills out for a present token (NULL: unreadable) of a timestamp of what ("signature", "document"): readable, its
   time, then verified (signature, TSA chain to anchors, version, and what flag asks: the imprint or the data that
   ctx holds). Frees ctx, which may be NULL (out of memory: not valid). */
static void check_token(PKCS7 *token, TS_VERIFY_CTX *ctx, int flag, X509_STORE *anchors, const char *what,
                        tsa_token_check *out)
{
    TS_TST_INFO *info = token ? PKCS7_to_TS_TST_INFO(token) : NULL;
    if (info)
        out->gen_time = generalized_time(TS_TST_INFO_get_time(info));
    if (info == NULL || out->gen_time == 0) {
        snprintf(out->problem, sizeof out->problem, "the %s timestamp is not a readable RFC 3161 token", what);
    } else if (anchors == NULL) {
        snprintf(out->problem, sizeof out->problem, "no TSA anchors are configured to check the %s timestamp", what);
    } else {
        if (ctx && X509_STORE_up_ref(anchors) == 1) {
            TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_SIGNATURE | flag);
            TS_VERIFY_CTX_set_store(ctx, anchors); /* the context owns the reference taken */
            out->valid = TS_RESP_verify_token(ctx, token) == 1;
        }
        if (!out->valid)
            snprintf(out->problem, sizeof out->problem,
                     "the %s timestamp does not match the %s or does not chain to a trusted TSA", what, what);
    }
    ERR_clear_error();
    TS_VERIFY_CTX_free(ctx);
    TS_TST_INFO_free(info);
}

PKCS7 *tsa_signer_token(CMS_SignerInfo *si)
{
    int present;
    return embedded_token(si, &present);
}

void tsa_check_signer(CMS_SignerInfo *si, X509_STORE *anchors, tsa_token_check *out)
{
    assert(si != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    PKCS7 *token = embedded_token(si, &out->present);
    if (out->present)
        check_token(token, signature_imprint(si), TS_VFY_IMPRINT, anchors, "signature", out);
    ERR_clear_error();
    PKCS7_free(token);
}

void tsa_check_document(const unsigned char *token, size_t token_len, const unsigned char *const parts[2],
                        const size_t lens[2], X509_STORE *anchors, tsa_token_check *out)
{
    assert(token != NULL && parts != NULL && lens != NULL && out != NULL);
    memset(out, 0, sizeof *out);
    out->present = 1;
    const unsigned char *p = token;
    PKCS7 *parsed = token_len <= LONG_MAX ? d2i_PKCS7(NULL, &p, (long)token_len) : NULL;
    for (const unsigned char *q = p; parsed && q < token + token_len; q++)
        if (*q != 0) { /* only zero padding may follow the token in its room */
            PKCS7_free(parsed);
            parsed = NULL;
        }
    TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
    BIO *data = BIO_new(BIO_s_mem());
    for (int i = 0; i < 2 && data; i++)
        if (lens[i] > INT_MAX || BIO_write(data, parts[i], (int)lens[i]) != (int)lens[i]) {
            BIO_free(data);
            data = NULL;
        }
    if (ctx && data) {
        TS_VERIFY_CTX_set_data(ctx, data); /* the context owns data from here on */
        data = NULL;
    } else {
        TS_VERIFY_CTX_free(ctx);
        ctx = NULL;
    }
    BIO_free(data);
    check_token(parsed, ctx, TS_VFY_DATA, anchors, "document", out);
    PKCS7_free(parsed);
}
