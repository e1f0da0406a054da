/* The TSA's known certificates: the chain verified once, the TSA certificate trusted directly afterwards. */
#include "crypto/tsa_known.h"

#include <assert.h>
#include <openssl/err.h>
#include <openssl/ts.h>
#include <stdlib.h>
#include <time.h>

struct tsa_known {
    STACK_OF(X509) *certs;      /* the certificates the TSA's token came with, in its order */
    STACK_OF(X509) *signer;     /* the TSA certificate among them, alone */
    X509_STORE *direct;         /* that certificate as the only anchor (partial chain): its chain is verified */
    time_t until;               /* the earliest notAfter of that chain: the direct check is used before it */
    int direct_fails;           /* a token passed only the long way: the direct check is left; atomic */
    int refs;                   /* atomic */
};

/* The earliest notAfter of signer's chain to anchors with untrusted as intermediates, verified for timestamp
   signing now, or 0 when it does not verify. */
static time_t chain_end(X509 *signer, X509_STORE *anchors, STACK_OF(X509) *untrusted)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *chain = NULL;
    time_t end = 0;
    if (ctx && X509_STORE_CTX_init(ctx, anchors, signer, untrusted) == 1 &&
        X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_TIMESTAMP_SIGN) == 1 && X509_verify_cert(ctx) == 1)
        chain = X509_STORE_CTX_get1_chain(ctx);
    for (int i = 0; chain && i < sk_X509_num(chain); i++) {
        struct tm tm;
        time_t t = ASN1_TIME_to_tm(X509_get0_notAfter(sk_X509_value(chain, i)), &tm) == 1 ? timegm(&tm) : 0;
        if (t <= 0) {
            end = 0;
            break;
        }
        if (end == 0 || t < end)
            end = t;
    }
    sk_X509_pop_free(chain, X509_free);
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return end;
}

tsa_known *tsa_known_learn(PKCS7 *token, X509_STORE *anchors)
{
    assert(token != NULL && anchors != NULL);
    if (!PKCS7_type_is_signed(token) || token->d.sign->cert == NULL)
        return NULL;
    tsa_known *k = calloc(1, sizeof *k);
    STACK_OF(X509) *signers = PKCS7_get0_signers(token, NULL, 0);
    X509 *signer = signers && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
    if (k == NULL || signer == NULL)
        goto fail;
    k->refs = 1;
    if ((k->certs = X509_chain_up_ref(token->d.sign->cert)) == NULL || (k->signer = sk_X509_new_null()) == NULL ||
        !sk_X509_push(k->signer, signer))
        goto fail;
    X509_up_ref(signer); /* the reference k->signer holds */
    if ((k->until = chain_end(signer, anchors, k->certs)) == 0 || (k->direct = X509_STORE_new()) == NULL ||
        X509_STORE_add_cert(k->direct, signer) != 1 || X509_STORE_set_flags(k->direct, X509_V_FLAG_PARTIAL_CHAIN) != 1)
        goto fail;
    sk_X509_free(signers);
    return k;
fail:
    ERR_clear_error();
    sk_X509_free(signers);
    tsa_known_release(k);
    return NULL;
}

tsa_known *tsa_known_retain(tsa_known *k)
{
    __atomic_add_fetch(&k->refs, 1, __ATOMIC_RELAXED);
    return k;
}

void tsa_known_release(tsa_known *k)
{
    if (k == NULL || __atomic_sub_fetch(&k->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    sk_X509_pop_free(k->certs, X509_free);
    sk_X509_pop_free(k->signer, X509_free);
    X509_STORE_free(k->direct);
    free(k);
}

/* TS_RESP_verify_signature of token with certs and store, without keeping the signer. */
static int verify_with(PKCS7 *token, STACK_OF(X509) *certs, X509_STORE *store)
{
    X509 *signer = NULL;
    int ok = TS_RESP_verify_signature(token, certs, store, &signer) == 1;
    X509_free(signer);
    return ok;
}

int tsa_known_verify(tsa_known *k, PKCS7 *token, X509_STORE *anchors)
{
    assert(k != NULL && token != NULL && anchors != NULL);
    int direct = !__atomic_load_n(&k->direct_fails, __ATOMIC_RELAXED) && time(NULL) < k->until;
    if (direct && verify_with(token, k->signer, k->direct))
        return 1;
    ERR_clear_error();
    if (!verify_with(token, k->certs, anchors))
        return 0;
    if (direct)
        __atomic_store_n(&k->direct_fails, 1, __ATOMIC_RELAXED);
    return 1;
}

int tsa_known_complete(const tsa_known *k, PKCS7 *token)
{
    assert(k != NULL && token != NULL);
    if (token->d.sign->cert != NULL && sk_X509_num(token->d.sign->cert) > 0)
        return 0;
    for (int i = 0; i < sk_X509_num(k->certs); i++)
        if (!PKCS7_add_certificate(token, sk_X509_value(k->certs, i)))
            return -1;
    return 0;
}
