/* OCSP with OpenSSL's OCSP API over libcurl: the request with a nonce, the checked answer, and a small cache of
   answers kept until their nextUpdate. */
#include "crypto/ocsp.h"

#include <assert.h>
#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/capped_body.h"
#include "crypto/hash.h"

#define OCSP_SKEW_S 300                   /* clock skew allowed between us and the responder */

typedef struct cache_entry {
    char fingerprint[65];                 /* SHA-256 of the certificate the answer is about */
    ocsp_answer answer;
    time_t kept_at;
} cache_entry;

struct ocsp_client {
    char url[OCSP_URL_MAX];               /* "" = each certificate's AIA */
    long timeout_ms;
    pthread_mutex_t lock;                 /* guards cache */
    cache_entry cache[OCSP_CACHE_MAX];
    size_t cached;
};

ocsp_client *ocsp_client_new(const ocsp_settings *settings, err *e)
{
    assert(settings != NULL && settings->timeout_ms > 0);
    size_t n = settings->url ? strlen(settings->url) : 0;
    if (n >= OCSP_URL_MAX) {
        err_set(e, ERR_TOO_LONG, "the OCSP responder URL is longer than %d bytes", OCSP_URL_MAX - 1);
        return NULL;
    }
    ocsp_client *c = calloc(1, sizeof *c);
    if (c == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    memcpy(c->url, n ? settings->url : "", n + 1);
    c->timeout_ms = settings->timeout_ms;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void ocsp_client_free(ocsp_client *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->cached; i++)
        buf_free(&c->cache[i].answer.der);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

int ocsp_responder(const ocsp_client *c, X509 *cert, int ours, char url[OCSP_URL_MAX])
{
    if (ours && c->url[0]) {
        memcpy(url, c->url, strlen(c->url) + 1);
        return 1;
    }
    STACK_OF(OPENSSL_STRING) *aia = X509_get1_ocsp(cert);
    int found = 0;
    for (int i = 0; !found && i < sk_OPENSSL_STRING_num(aia); i++) {
        const char *u = sk_OPENSSL_STRING_value(aia, i);
        size_t n = strlen(u);
        if (n < OCSP_URL_MAX && (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0)) {
            memcpy(url, u, n + 1);
            found = 1;
        }
    }
    X509_email_free(aia); /* frees a stack of strings */
    return found;
}

static void fingerprint(X509 *cert, char out[65])
{
    unsigned char md[32];
    unsigned len = 0;
    if (X509_digest(cert, EVP_sha256(), md, &len) != 1 || len != sizeof md)
        memset(md, 0, sizeof md);
    hash_hex(md, sizeof md, out);
}

/* Copies the kept answer about fp into out when it is still before its nextUpdate. Returns 1 or 0. */
static int cache_get(ocsp_client *c, const char *fp, ocsp_answer *out, err *e)
{
    int found = 0;
    time_t now = time(NULL);
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->cached && !found; i++) {
        const ocsp_answer *a = &c->cache[i].answer;
        if (strcmp(c->cache[i].fingerprint, fp) != 0 || a->next_update <= now)
            continue;
        *out = *a;
        out->der = (buf)BUF_INIT;
        found = buf_append(&out->der, a->der.data, a->der.len) == 0 ? 1 : -1;
    }
    pthread_mutex_unlock(&c->lock);
    if (found < 0) {
        buf_free(&out->der);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    return found;
}

/* Keeps a copy of a (when it has a nextUpdate) for fp, replacing the answer kept for it or else the oldest. */
static void cache_put(ocsp_client *c, const char *fp, const ocsp_answer *a)
{
    if (a->next_update == 0)
        return;
    buf copy = BUF_INIT;
    if (buf_append(&copy, a->der.data, a->der.len) != 0)
        return; /* not kept: the next check asks again */
    pthread_mutex_lock(&c->lock);
    size_t slot = c->cached, oldest = 0;
    for (size_t i = 0; i < c->cached; i++) {
        if (strcmp(c->cache[i].fingerprint, fp) == 0)
            slot = i;
        if (c->cache[i].kept_at < c->cache[oldest].kept_at)
            oldest = i;
    }
    if (slot == OCSP_CACHE_MAX)
        slot = oldest;
    if (slot < c->cached)
        buf_free(&c->cache[slot].answer.der);
    else
        c->cached++;
    cache_entry *entry = &c->cache[slot];
    memcpy(entry->fingerprint, fp, sizeof entry->fingerprint);
    entry->answer = *a;
    entry->answer.der = copy;
    entry->kept_at = time(NULL);
    pthread_mutex_unlock(&c->lock);
}

/* POSTs the DER request to url and collects the answer. Returns 0 or -1 with e set (ERR_UNAVAILABLE). */
static int exchange(const ocsp_client *c, const char *url, const unsigned char *der, int len, capped_body *a, err *e)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/ocsp-request");
    long status = 0;
    CURLcode rc = CURLE_OUT_OF_MEMORY;
    if (curl && headers && (rc = curl_easy_setopt(curl, CURLOPT_URL, url)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https")) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, der)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->timeout_ms)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, capped_body_collect)) == CURLE_OK &&
        (rc = curl_easy_setopt(curl, CURLOPT_WRITEDATA, a)) == CURLE_OK)
        rc = curl_easy_perform(curl);
    if (rc == CURLE_OK && curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
        status = 0;
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK)
        return err_set(e, ERR_UNAVAILABLE, "the OCSP responder did not answer: %s",
                       a->too_long ? "its answer is too long" : curl_easy_strerror(rc));
    return status == 200 ? 0 : err_set(e, ERR_UNAVAILABLE, "the OCSP responder answered HTTP %ld", status);
}

static time_t generalized_time(const ASN1_GENERALIZEDTIME *when)
{
    struct tm tm;
    return when && ASN1_TIME_to_tm(when, &tm) == 1 ? timegm(&tm) : 0;
}

/* 1 when bs is signed by issuer or by a responder it delegated (id-kp-OCSPSigning), else 0. */
static int signed_for(OCSP_BASICRESP *bs, X509 *issuer)
{
    X509_STORE *store = X509_STORE_new();
    STACK_OF(X509) *certs = sk_X509_new_null();
    /* the issuer is the anchor, whether or not it is a root: its answer, or its delegate's, is what counts */
    int ok = store && certs && X509_STORE_add_cert(store, issuer) == 1 && sk_X509_push(certs, issuer) &&
             X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN) == 1 && OCSP_basic_verify(bs, certs, store, 0) > 0;
    sk_X509_free(certs);
    X509_STORE_free(store);
    ERR_clear_error();
    return ok;
}

/* Checks the basic response bs to req about id (signature by issuer or its delegated responder, nonce, times) and
   fills out's status fields. Returns 0 or -1 with e set (ERR_UNAVAILABLE). */
static int check_basic(OCSP_REQUEST *req, OCSP_BASICRESP *bs, OCSP_CERTID *id, X509 *issuer, ocsp_answer *out,
                       err *e)
{
    int status = -1, reason = -1;
    ASN1_GENERALIZEDTIME *revoked = NULL, *this_update = NULL, *next_update = NULL;
    const char *why = NULL;
    if (!signed_for(bs, issuer))
        why = "its signature does not verify against the certificate's issuer";
    else if (OCSP_check_nonce(req, bs) == 0) /* -1 (no nonce in the answer) is allowed: pre-produced answers */
        why = "the nonce differs";
    else if (OCSP_resp_find_status(bs, id, &status, &reason, &revoked, &this_update, &next_update) != 1)
        why = "it says nothing about the certificate";
    else if (OCSP_check_validity(this_update, next_update, OCSP_SKEW_S, -1) != 1)
        why = "it is not current";
    ERR_clear_error();
    if (why)
        return err_set(e, ERR_UNAVAILABLE, "the OCSP answer failed its check: %s", why);
    out->status = status == V_OCSP_CERTSTATUS_GOOD      ? OCSP_CERT_GOOD
                  : status == V_OCSP_CERTSTATUS_REVOKED ? OCSP_CERT_REVOKED
                                                        : OCSP_CERT_UNKNOWN;
    out->revoked_at = status == V_OCSP_CERTSTATUS_REVOKED ? generalized_time(revoked) : 0;
    out->reason = status == V_OCSP_CERTSTATUS_REVOKED && reason >= 0 ? reason : -1;
    out->this_update = generalized_time(this_update);
    out->next_update = next_update ? generalized_time(next_update) : 0;
    return 0;
}

int ocsp_response_good(const unsigned char *der, size_t len, X509 *cert, X509 *issuer)
{
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
    OCSP_BASICRESP *bs = resp && OCSP_response_status(resp) == OCSP_RESPONSE_STATUS_SUCCESSFUL
                             ? OCSP_response_get1_basic(resp)
                             : NULL;
    OCSP_CERTID *id = bs ? OCSP_cert_to_id(NULL, cert, issuer) : NULL;
    int status = -1;
    int good = id && signed_for(bs, issuer) &&
               OCSP_resp_find_status(bs, id, &status, NULL, NULL, NULL, NULL) == 1 &&
               status == V_OCSP_CERTSTATUS_GOOD;
    OCSP_CERTID_free(id);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    ERR_clear_error();
    return good;
}

/* Asks url about id and checks the answer into out. Returns 0 or -1 with e set. */
static int ask(const ocsp_client *c, const char *url, OCSP_CERTID *id, X509 *issuer, ocsp_answer *out, err *e)
{
    OCSP_REQUEST *req = OCSP_REQUEST_new();
    OCSP_CERTID *own = OCSP_CERTID_dup(id);
    OCSP_RESPONSE *resp = NULL;
    OCSP_BASICRESP *bs = NULL;
    unsigned char *der = NULL;
    capped_body a = {.body = BUF_INIT, .limit = OCSP_RESPONSE_MAX};
    int len = -1, rc = -1;
    if (req == NULL || own == NULL || OCSP_request_add0_id(req, own) == NULL) {
        OCSP_CERTID_free(own);
        err_set(e, ERR_NOMEM, "cannot build the OCSP request");
        goto out;
    }
    /* the request owns own from here */
    if (OCSP_request_add1_nonce(req, NULL, -1) != 1 || (len = i2d_OCSP_REQUEST(req, &der)) <= 0) {
        err_set(e, ERR_NOMEM, "cannot build the OCSP request");
        goto out;
    }
    if (exchange(c, url, der, len, &a, e) != 0)
        goto out;
    const unsigned char *p = a.body.data;
    if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)a.body.len)) == NULL || p != a.body.data + a.body.len) {
        err_set(e, ERR_UNAVAILABLE, "the OCSP responder's answer is not an OCSP response");
        goto out;
    }
    int status = OCSP_response_status(resp);
    if (status != OCSP_RESPONSE_STATUS_SUCCESSFUL || (bs = OCSP_response_get1_basic(resp)) == NULL) {
        err_set(e, ERR_UNAVAILABLE, "the OCSP responder answered %s", OCSP_response_status_str(status));
        goto out;
    }
    if (check_basic(req, bs, id, issuer, out, e) != 0)
        goto out;
    out->der = a.body;
    a.body = (buf)BUF_INIT;
    rc = 0;
out:
    ERR_clear_error();
    buf_free(&a.body);
    OPENSSL_free(der);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    OCSP_REQUEST_free(req);
    return rc;
}

int ocsp_status(ocsp_client *c, X509 *cert, X509 *issuer, int ours, int fresh, ocsp_answer *out, err *e)
{
    assert(c != NULL && cert != NULL && issuer != NULL && out != NULL);
    char url[OCSP_URL_MAX], fp[65];
    memset(out, 0, sizeof *out);
    out->der = (buf)BUF_INIT;
    if (!ocsp_responder(c, cert, ours, url))
        return 0;
    fingerprint(cert, fp);
    int kept = fresh ? 0 : cache_get(c, fp, out, e);
    if (kept != 0)
        return kept;
    OCSP_CERTID *id = OCSP_cert_to_id(NULL, cert, issuer);
    if (id == NULL) {
        ERR_clear_error();
        return err_set(e, ERR_NOMEM, "cannot name the certificate for OCSP");
    }
    int rc = ask(c, url, id, issuer, out, e);
    OCSP_CERTID_free(id);
    if (rc != 0)
        return -1;
    cache_put(c, fp, out);
    return 1;
}

size_t ocsp_cached(ocsp_client *c, ocsp_answer *out, char (*fingerprints)[65], size_t cap)
{
    size_t n = 0;
    pthread_mutex_lock(&c->lock);
    for (; n < c->cached && n < cap; n++) {
        out[n] = c->cache[n].answer;
        out[n].der = (buf)BUF_INIT;
        memcpy(fingerprints[n], c->cache[n].fingerprint, 65);
    }
    pthread_mutex_unlock(&c->lock);
    return n;
}

const char *ocsp_reason_name(int reason)
{
    /* RFC 5280 5.3.1; 7 is not used */
    static const char *const names[] = {"unspecified", "keyCompromise", "cACompromise", "affiliationChanged",
                                        "superseded", "cessationOfOperation", "certificateHold", "unspecified",
                                        "removeFromCRL", "privilegeWithdrawn", "aACompromise"};
    return reason >= 0 && (size_t)reason < sizeof names / sizeof names[0] ? names[reason] : "unspecified";
}

const char *ocsp_status_name(ocsp_cert_status status)
{
    static const char *const names[] = {[OCSP_CERT_GOOD] = "good", [OCSP_CERT_REVOKED] = "revoked",
                                        [OCSP_CERT_UNKNOWN] = "unknown"};
    return names[status];
}
