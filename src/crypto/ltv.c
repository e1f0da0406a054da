/* Collecting the chains and OCSP answers that PAdES B-LT documents carry in their DSS. */
#include "crypto/ltv.h"

#include <assert.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/signer.h"

/* What the TSA is asked to stamp when we only want to learn its certificate. */
static const char probe[] = "arayis: which certificate signs your timestamps";

/* leaf's chain to the anchors of trust, with untrusted as intermediates, verified as of now (caller frees with
   sk_X509_pop_free), or NULL. */
static STACK_OF(X509) *chain_of(X509 *leaf, X509_STORE *trust, STACK_OF(X509) *untrusted)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *chain = NULL;
    if (ctx && X509_STORE_CTX_init(ctx, trust, leaf, untrusted) == 1 && X509_verify_cert(ctx) == 1)
        chain = X509_STORE_CTX_get1_chain(ctx);
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return chain;
}

/* The chain of the current signing certificate of keys (caller frees), or NULL. */
static STACK_OF(X509) *our_chain(const keyring *keys)
{
    const keyring_cert *current = keyring_count(keys) > 0 ? keyring_get(keys, 0) : NULL;
    X509_STORE *trust = current && current->current ? keyring_trust_store(keys) : NULL;
    STACK_OF(X509) *chain = trust ? chain_of(current->x509, trust, NULL) : NULL;
    X509_STORE_free(trust);
    return chain;
}

/* The TSA's chain, from the certificates of a token it gives now (caller frees), or NULL with e set. */
static STACK_OF(X509) *tsa_chain(tsa_client *tsa, err *e)
{
    buf token = BUF_INIT;
    time_t when;
    PKCS7 *p7 = NULL;
    STACK_OF(X509) *signers = NULL, *chain = NULL;
    if (tsa_request(tsa, (const unsigned char *)probe, sizeof probe - 1, &token, &when, e) != 0)
        goto out;
    const unsigned char *p = token.data;
    if ((p7 = d2i_PKCS7(NULL, &p, (long)token.len)) == NULL || !PKCS7_type_is_signed(p7) ||
        (signers = PKCS7_get0_signers(p7, NULL, 0)) == NULL || sk_X509_num(signers) != 1 ||
        (chain = chain_of(sk_X509_value(signers, 0), tsa_client_anchors(tsa), p7->d.sign->cert)) == NULL)
        err_set(e, ERR_CRYPTO, "the TSA's certificate does not chain to its anchors");
out:
    ERR_clear_error();
    sk_X509_free(signers);
    PKCS7_free(p7);
    buf_free(&token);
    return chain;
}

static int self_signed(X509 *cert)
{
    return (X509_get_extension_flags(cert) & EXFLAG_SS) != 0;
}

int ltv_possible(const keyring *keys, ocsp_client *ocsp)
{
    STACK_OF(X509) *chain = our_chain(keys);
    char url[OCSP_URL_MAX];
    int ok = chain != NULL;
    for (int i = 0; ok && i < sk_X509_num(chain); i++)
        ok = self_signed(sk_X509_value(chain, i)) || ocsp_responder(ocsp, sk_X509_value(chain, i), 1, url);
    sk_X509_pop_free(chain, X509_free);
    return ok;
}

/* Appends the DER of cert to set's certificates. Returns 0 or -1 with e set. */
static int add_cert(ltv_set *set, X509 *cert, err *e)
{
    if (set->cert_count == LTV_MAX_CERTS)
        return err_set(e, ERR_TOO_LONG, "the chains hold more than %d certificates", LTV_MAX_CERTS);
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    int rc = len > 0 && buf_append(&set->certs[set->cert_count], der, (size_t)len) == 0 ? 0 : -1;
    OPENSSL_free(der);
    if (rc != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    set->cert_count++;
    return 0;
}

/* Adds chain's certificates (ours: our signing chain, else the TSA's) and a good OCSP answer for each one that is not
   self-signed. Returns 0 or -1. */
static int add_chain(ltv_set *set, STACK_OF(X509) *chain, int ours, ocsp_client *ocsp, err *e)
{
    for (int i = 0; i < sk_X509_num(chain); i++) {
        X509 *cert = sk_X509_value(chain, i);
        if (add_cert(set, cert, e) != 0)
            return -1;
        if (self_signed(cert) || i + 1 == sk_X509_num(chain))
            continue; /* an anchor: nothing above it to ask */
        ltv_answer *summary = &set->answers[set->ocsp_count];
        ocsp_answer a;
        int asked = ocsp_status(ocsp, cert, sk_X509_value(chain, i + 1), ours, 1, &a, e);
        signer_name_text(X509_get_subject_name(cert), summary->subject, sizeof summary->subject);
        if (asked == 0)
            return err_set(e, ERR_NOT_FOUND, "no OCSP responder is known for %s", summary->subject);
        if (asked < 0)
            return -1;
        set->ocsps[set->ocsp_count++] = a.der; /* the set's from here on */
        snprintf(summary->role, sizeof summary->role, "%s", ours ? "signer" : "tsa");
        summary->status = a.status;
        summary->this_update = a.this_update;
        summary->next_update = a.next_update;
        if (a.status != OCSP_CERT_GOOD)
            return err_set(e, ERR_UNAVAILABLE, "the OCSP responder says %s is %s", summary->subject,
                           ocsp_status_name(a.status));
    }
    return 0;
}

/* fresh_until and refresh_at from the answers. */
static void set_times(ltv_set *set)
{
    time_t latest = 0;
    for (size_t i = 0; i < set->ocsp_count; i++) {
        const ltv_answer *a = &set->answers[i];
        time_t until = a->next_update ? a->next_update : a->this_update + LTV_NO_NEXT_UPDATE_S;
        if (set->fresh_until == 0 || until < set->fresh_until)
            set->fresh_until = until;
        if (a->this_update > latest)
            latest = a->this_update;
    }
    set->refresh_at = latest + (set->fresh_until - latest) / 2;
}

ltv_set *ltv_collect(const keyring *keys, tsa_client *tsa, ocsp_client *ocsp, err *e)
{
    assert(keys != NULL && tsa != NULL && ocsp != NULL);
    ltv_set *set = calloc(1, sizeof *set);
    STACK_OF(X509) *ours = our_chain(keys), *theirs = NULL;
    if (set == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    set->refs = 1;
    if (ours == NULL) {
        err_set(e, ERR_CRYPTO, "our signing certificate does not chain to our CA");
        goto fail;
    }
    if ((theirs = tsa_chain(tsa, e)) == NULL || add_chain(set, ours, 1, ocsp, e) != 0 ||
        add_chain(set, theirs, 0, ocsp, e) != 0)
        goto fail;
    set_times(set);
    sk_X509_pop_free(ours, X509_free);
    sk_X509_pop_free(theirs, X509_free);
    return set;
fail:
    sk_X509_pop_free(ours, X509_free);
    sk_X509_pop_free(theirs, X509_free);
    ltv_release(set);
    return NULL;
}

ltv_set *ltv_retain(ltv_set *set)
{
    __atomic_add_fetch(&set->refs, 1, __ATOMIC_RELAXED);
    return set;
}

void ltv_release(ltv_set *set)
{
    if (set == NULL || __atomic_sub_fetch(&set->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    for (size_t i = 0; i < LTV_MAX_CERTS; i++) {
        buf_free(&set->certs[i]);
        buf_free(&set->ocsps[i]);
    }
    free(set);
}

/* 1 when cert's DER is one of view's certificates. */
static int holds_cert(const ltv_view *view, X509 *cert)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der), found = 0;
    for (size_t i = 0; len > 0 && !found && i < view->cert_count; i++)
        found = view->cert_lens[i] == (size_t)len && memcmp(view->certs[i], der, (size_t)len) == 0;
    OPENSSL_free(der);
    return found;
}

/* 1 when every certificate of chain is in view, and each but the anchors has a good answer there. */
static int chain_covered(const ltv_view *view, STACK_OF(X509) *chain)
{
    int n = chain ? sk_X509_num(chain) : 0, ok = n > 0;
    for (int i = 0; ok && i < n; i++) {
        X509 *cert = sk_X509_value(chain, i);
        ok = holds_cert(view, cert);
        if (!ok || self_signed(cert) || i + 1 == n)
            continue;
        ok = 0;
        for (size_t j = 0; !ok && j < view->ocsp_count; j++)
            ok = ocsp_response_good(view->ocsps[j], view->ocsp_lens[j], cert, sk_X509_value(chain, i + 1));
    }
    return ok;
}

int ltv_covers(CMS_ContentInfo *cms, X509 *signer, X509_STORE *our_trust, X509_STORE *tsa_anchors, const ltv_view *view)
{
    STACK_OF(CMS_SignerInfo) *infos = CMS_get0_SignerInfos(cms);
    CMS_SignerInfo *si = infos && sk_CMS_SignerInfo_num(infos) == 1 ? sk_CMS_SignerInfo_value(infos, 0) : NULL;
    PKCS7 *token = si && tsa_anchors ? tsa_signer_token(si) : NULL;
    STACK_OF(X509) *cms_certs = CMS_get1_certs(cms), *tsa_signers = NULL, *ours = NULL, *theirs = NULL;
    int covered = 0;
    if (token && PKCS7_type_is_signed(token) && (tsa_signers = PKCS7_get0_signers(token, NULL, 0)) != NULL &&
        sk_X509_num(tsa_signers) == 1) {
        ours = chain_of(signer, our_trust, cms_certs);
        theirs = chain_of(sk_X509_value(tsa_signers, 0), tsa_anchors, token->d.sign->cert);
        covered = chain_covered(view, ours) && chain_covered(view, theirs);
    }
    sk_X509_pop_free(ours, X509_free);
    sk_X509_pop_free(theirs, X509_free);
    sk_X509_free(tsa_signers);
    sk_X509_pop_free(cms_certs, X509_free);
    PKCS7_free(token);
    ERR_clear_error();
    return covered;
}

static time_t asn1_time(const ASN1_TIME *when)
{
    struct tm tm;
    return when && ASN1_TIME_to_tm(when, &tm) == 1 ? timegm(&tm) : 0;
}

/* Fills a from cert. Returns 0, or -1 when memory runs out. */
static int describe(X509 *cert, ltv_anchor *a)
{
    unsigned char md[32];
    unsigned md_len = 0;
    BIO *mem = BIO_new(BIO_s_mem());
    char *text = NULL;
    long n = mem && PEM_write_bio_X509(mem, cert) == 1 ? BIO_get_mem_data(mem, &text) : 0;
    int ok = n > 0 && X509_digest(cert, EVP_sha256(), md, &md_len) == 1 && md_len == sizeof md;
    *a = (ltv_anchor){.pem = BUF_INIT, .not_before = asn1_time(X509_get0_notBefore(cert)),
                      .not_after = asn1_time(X509_get0_notAfter(cert))};
    if (ok) {
        signer_name_text(X509_get_subject_name(cert), a->subject, sizeof a->subject);
        hash_hex(md, sizeof md, a->sha256);
        ok = buf_append(&a->pem, text, (size_t)n) == 0;
    }
    BIO_free(mem);
    ERR_clear_error();
    return ok ? 0 : -1;
}

size_t ltv_describe_anchors(X509_STORE *store, ltv_anchor *out, size_t cap)
{
    STACK_OF(X509) *certs = store ? X509_STORE_get1_all_certs(store) : NULL;
    size_t count = 0;
    for (int i = 0; certs && i < sk_X509_num(certs) && count < cap; i++)
        if (describe(sk_X509_value(certs, i), &out[count]) == 0)
            count++;
    sk_X509_pop_free(certs, X509_free);
    return count;
}
