/* Signing keys on OpenSSL: loading with permission checks, development key generation, CMS (CAdES) signing. */
#include "crypto/signer.h"

#include <assert.h>
#include <errno.h>
#include <openssl/asn1t.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/path.h"
#include "crypto/signing_key.h"

#define SIGNER_SUBJECT_MAX 512

struct signer {
    signing_key *private_key;        /* a key file's key in memory, or a token's */
    EVP_PKEY *key;                   /* the public half, from the certificate */
    X509 *cert;
    STACK_OF(X509) *chain;
    char subject[SIGNER_SUBJECT_MAX];
    size_t max_signature;
};

static int openssl_fail(err *e, const char *what)
{
    unsigned long code = ERR_get_error();
    char reason[160] = "";
    if (code)
        ERR_error_string_n(code, reason, sizeof reason);
    ERR_clear_error();
    return err_set(e, ERR_CRYPTO, "%s%s%s", what, code ? ": " : "", reason);
}

/* The class of a failed open or stat: a missing file, or any other I/O failure. */
static err_code file_error(int errnum)
{
    return errnum == ENOENT ? ERR_NOT_FOUND : ERR_IO;
}

X509 *signer_read_cert(const char *path, err *e)
{
    assert(path != NULL);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        err_set(e, file_error(errno), "cannot read certificate %s", path);
        return NULL;
    }
    X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f); /* opened for reading: nothing to flush */
    if (cert == NULL)
        err_set(e, ERR_CRYPTO, "cannot read certificate %s", path);
    return cert;
}

/* Accepts EC P-256 and RSA 2048/3072 keys only. */
static int key_type_allowed(EVP_PKEY *key)
{
    if (EVP_PKEY_is_a(key, "EC")) {
        char curve[32] = "";
        EVP_PKEY_get_utf8_string_param(key, "group", curve, sizeof curve, NULL);
        return strcmp(curve, "prime256v1") == 0 || strcmp(curve, "P-256") == 0;
    }
    int bits = EVP_PKEY_get_bits(key);
    return EVP_PKEY_is_a(key, "RSA") && (bits == 2048 || bits == 3072);
}

void signer_free(signer *s)
{
    if (s == NULL)
        return;
    signing_key_free(s->private_key);
    EVP_PKEY_free(s->key);
    X509_free(s->cert);
    sk_X509_pop_free(s->chain, X509_free);
    free(s);
}

int signer_name_text(X509_NAME *name, char *out, size_t size)
{
    BIO *b = BIO_new(BIO_s_mem());
    unsigned long flags = (XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_DN_REV | XN_FLAG_FN_SN | ASN1_STRFLGS_RFC2253) & ~ASN1_STRFLGS_ESC_MSB;
    int n = b && X509_NAME_print_ex(b, name, 0, flags) >= 0 ? BIO_read(b, out, (int)size - 1) : -1;
    out[n > 0 ? n : 0] = '\0';
    BIO_free(b);
    return n > 0 ? 0 : -1;
}

static int measure_signature(signer *s, err *e)
{
    static const unsigned char probe[] = "probe";
    const unsigned char *parts[] = {probe};
    size_t lens[] = {sizeof probe};
    buf der = BUF_INIT;
    if (signer_sign_detached(s, parts, lens, 1, NULL, &der, e) != 0)
        return -1;
    s->max_signature = der.len + 16; /* ECDSA values vary by a few bytes; the rest is fixed */
    buf_free(&der);
    return 0;
}

/* Checks that the private key made a signature the certificate's public key accepts. Returns 0 or -1 with e set. */
static int check_pair(signer *s, err *e)
{
    static const unsigned char probe[] = "arayis key pair probe";
    unsigned char *sig = NULL;
    size_t sig_len = 0;
    if (signing_key_sign(s->private_key, probe, sizeof probe, &sig, &sig_len, e) != 0)
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, s->key) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, probe, sizeof probe) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(sig);
    ERR_clear_error();
    return ok ? 0 : err_set(e, ERR_CRYPTO, "the signing certificate does not belong to the signing key");
}

/* A signer for private_key with cert issued by ca; takes all three, also on failure. Returns NULL with e set. */
static signer *assemble(signing_key *private_key, X509 *cert, X509 *ca, err *e)
{
    signer *s = calloc(1, sizeof *s);
    STACK_OF(X509) *chain = sk_X509_new_null();
    if (s == NULL || chain == NULL || !sk_X509_push(chain, ca)) {
        err_set(e, ERR_NOMEM, "out of memory");
        free(s);
        sk_X509_free(chain);
        signing_key_free(private_key);
        X509_free(cert);
        X509_free(ca);
        return NULL;
    }
    s->private_key = private_key;
    s->cert = cert;
    s->chain = chain;
    if ((s->key = X509_get_pubkey(cert)) == NULL) {
        openssl_fail(e, "cannot read the signing certificate's public key");
        goto fail;
    }
    if (!key_type_allowed(s->key)) {
        err_set(e, ERR_INVALID, "the signing key must be EC P-256 or RSA 2048/3072");
        goto fail;
    }
    if (check_pair(s, e) != 0)
        goto fail;
    if (signer_name_text(X509_get_subject_name(s->cert), s->subject, sizeof s->subject) != 0) {
        openssl_fail(e, "cannot read the signing certificate's subject");
        goto fail;
    }
    if (measure_signature(s, e) != 0)
        goto fail;
    return s;
fail:
    signer_free(s);
    return NULL;
}

signer *signer_new(EVP_PKEY *key, X509 *cert, X509 *ca, err *e)
{
    assert(key != NULL && cert != NULL && ca != NULL);
    signing_key *private_key = signing_key_of_pkey(key);
    if (private_key == NULL) {
        X509_free(cert);
        X509_free(ca);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    return assemble(private_key, cert, ca, e);
}

signer *signer_open(const config *c, err *e)
{
    assert(c != NULL);
    char path[1024];
    X509 *cert = NULL, *ca = NULL;
    signing_key *private_key = signing_key_open(c, e);
    if (private_key == NULL)
        return NULL;
    if (path_join(path, sizeof path, c->keys_dir, SIGNER_CERT_FILE, e) != 0 || (cert = signer_read_cert(path, e)) == NULL) {
        if (e && e->code == ERR_NOT_FOUND && signing_key_is_token(private_key))
            err_set(e, ERR_NOT_FOUND, "the token key has no certificate: %s is missing; make a request with "
                                      "'arayis csr' and install the answer with 'arayis keys install-cert'", path);
        goto fail;
    }
    if (path_join(path, sizeof path, c->keys_dir, SIGNER_CA_FILE, e) != 0 || (ca = signer_read_cert(path, e)) == NULL)
        goto fail;
    return assemble(private_key, cert, ca, e);
fail:
    signing_key_free(private_key);
    X509_free(cert);
    return NULL;
}

signer *signer_load(const char *keys_dir, err *e)
{
    assert(keys_dir != NULL);
    config c;
    config_defaults(&c);
    if (strlen(keys_dir) >= sizeof c.keys_dir) {
        err_set(e, ERR_TOO_LONG, "the keys directory's path is longer than %zu bytes", sizeof c.keys_dir - 1);
        return NULL;
    }
    memcpy(c.keys_dir, keys_dir, strlen(keys_dir) + 1);
    return signer_open(&c, e);
}

int signer_ready(const signer *s, err *e)
{
    return signing_key_ready(s->private_key, e);
}

const char *signer_key_type(const signer *s)
{
    return EVP_PKEY_is_a(s->key, "RSA") ? "rsa" : "ec";
}

const char *signer_subject(const signer *s)
{
    return s->subject;
}

size_t signer_max_signature_size(const signer *s)
{
    return s->max_signature;
}

/* SignedAttributes as DER (SET OF Attribute, sorted): the bytes a CMS signer signs (RFC 5652, 5.4). */
typedef STACK_OF(X509_ATTRIBUTE) signed_attrs;
ASN1_ITEM_TEMPLATE(signed_attrs) = ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SET_ORDER, 0, signed_attrs, X509_ATTRIBUTE)
static_ASN1_ITEM_TEMPLATE_END(signed_attrs)

static int digest_parts(const unsigned char *const *parts, const size_t *lens, size_t n, unsigned char md[32])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < n; i++)
        ok = EVP_DigestUpdate(ctx, parts[i], lens[i]);
    ok = ok && EVP_DigestFinal_ex(ctx, md, NULL);
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : -1;
}

/* Signs the DER of si's signed attributes with the private key and stores the signature in si. OpenSSL's own
   CMS_SignerInfo_sign would add a signing-time attribute, which PAdES baseline leaves out (the time is /M), and
   needs the private key in memory, which a token never gives. Returns 0 or -1 with e set. */
static int sign_attributes(CMS_SignerInfo *si, signing_key *key, err *e)
{
    signed_attrs *attrs = sk_X509_ATTRIBUTE_new_null();
    unsigned char *der = NULL, *sig = NULL;
    size_t sig_len = 0;
    int der_len = -1, rc = -1;
    for (int i = 0; attrs && i < CMS_signed_get_attr_count(si); i++)
        sk_X509_ATTRIBUTE_push(attrs, CMS_signed_get_attr(si, i));
    if (attrs == NULL || (der_len = ASN1_item_i2d((ASN1_VALUE *)attrs, &der, ASN1_ITEM_rptr(signed_attrs))) <= 0)
        openssl_fail(e, "cannot encode the signed attributes");
    else if (signing_key_sign(key, der, (size_t)der_len, &sig, &sig_len, e) == 0)
        rc = ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)sig_len) ? 0
                                                                                     : err_set(e, ERR_NOMEM, "out of memory");
    OPENSSL_free(sig);
    OPENSSL_free(der);
    sk_X509_ATTRIBUTE_free(attrs);
    return rc;
}

int signer_sign_detached(const signer *s, const unsigned char *const *parts, const size_t *lens, size_t n,
                         tsa_client *tsa, buf *out, err *e)
{
    unsigned char md[32], *der = NULL;
    unsigned int flags = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY | CMS_NOSMIMECAP;
    CMS_SignerInfo *si = NULL;
    CMS_ContentInfo *cms = digest_parts(parts, lens, n, md) == 0 ? CMS_sign(NULL, NULL, s->chain, NULL, flags) : NULL;
    int rc = -1;
    if (cms == NULL || (si = CMS_add1_signer(cms, s->cert, s->key, EVP_sha256(), flags | CMS_CADES)) == NULL ||
        !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) ||
        !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, md, sizeof md)) {
        openssl_fail(e, "CMS signing failed");
        goto fail;
    }
    if (sign_attributes(si, s->private_key, e) != 0 || (tsa != NULL && tsa_stamp_signer(tsa, si, e) != 0))
        goto fail;
    int len = i2d_CMS_ContentInfo(cms, &der);
    if (len <= 0 || buf_append(out, der, (size_t)len) != 0) {
        openssl_fail(e, "CMS signing failed");
        goto fail;
    }
    rc = 0;
fail:
    OPENSSL_free(der);
    CMS_ContentInfo_free(cms);
    return rc;
}
