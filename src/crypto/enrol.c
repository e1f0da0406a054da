/* Certificate requests signed by the signing key wherever it lives, and checked installation of the answer. */
#include "crypto/enrol.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/path.h"
#include "crypto/hash.h"
#include "crypto/signer.h"
#include "crypto/signing_key.h"

#define ENROL_CHAIN_MAX 16        /* certificates read from a chain file */

/* Fills name from "/K=V/K=V…" (UTF-8 values, no "/" inside one). Returns 0 or -1 with e set (ERR_INVALID). */
static int parse_subject(X509_NAME *name, const char *text, err *e)
{
    char *copy = strdup(text), *save = NULL;
    if (copy == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = text[0] == '/' ? 0 : -1, entries = 0;
    for (char *part = strtok_r(copy, "/", &save); rc == 0 && part != NULL; part = strtok_r(NULL, "/", &save)) {
        char *eq = strchr(part, '=');
        if (eq == NULL || eq == part || eq[1] == '\0') {
            rc = -1;
            break;
        }
        *eq = '\0';
        rc = X509_NAME_add_entry_by_txt(name, part, MBSTRING_UTF8, (const unsigned char *)eq + 1, -1, -1, 0) ? 0 : -1;
        entries++;
    }
    free(copy);
    ERR_clear_error();
    return rc == 0 && entries > 0 ? 0 : err_set(e, ERR_INVALID, "ARAYIS_SIGNER_SUBJECT is not of the form /C=AZ/O=…/CN=…");
}

/* The signature algorithm of a SHA-256 signature by key: ecdsa-with-SHA256, or sha256WithRSAEncryption. */
static X509_ALGOR *signature_algorithm(EVP_PKEY *key)
{
    X509_ALGOR *alg = X509_ALGOR_new();
    int rsa = EVP_PKEY_is_a(key, "RSA");
    if (alg != NULL && !X509_ALGOR_set0(alg, OBJ_nid2obj(rsa ? NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA256),
                                        rsa ? V_ASN1_NULL : V_ASN1_UNDEF, NULL)) {
        X509_ALGOR_free(alg);
        alg = NULL;
    }
    return alg;
}

/* Signs the request's body with the signing key (which may be a token's) and checks the result with pub. */
static int sign_request(X509_REQ *req, signing_key *key, EVP_PKEY *pub, err *e)
{
    unsigned char *tbs = NULL, *sig = NULL;
    size_t sig_len = 0;
    X509_ALGOR *alg = signature_algorithm(pub);
    ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();
    int rc = -1, tbs_len;
    if (alg == NULL || bits == NULL || !X509_REQ_set1_signature_algo(req, alg) ||
        (tbs_len = i2d_re_X509_REQ_tbs(req, &tbs)) <= 0) {
        err_set(e, ERR_CRYPTO, "cannot encode the certificate request");
        goto out;
    }
    if (signing_key_sign(key, tbs, (size_t)tbs_len, &sig, &sig_len, e) != 0)
        goto out;
    if (!ASN1_BIT_STRING_set(bits, sig, (int)sig_len)) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    /* a signature is whole bytes: no unused bits, said explicitly as DER requires */
    bits->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
    bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
    X509_REQ_set0_signature(req, bits);
    bits = NULL;
    rc = X509_REQ_verify(req, pub) == 1 ? 0 : err_set(e, ERR_CRYPTO, "the key's signature of the request does not verify");
out:
    ERR_clear_error();
    ASN1_BIT_STRING_free(bits);
    X509_ALGOR_free(alg);
    OPENSSL_free(tbs);
    OPENSSL_free(sig);
    return rc;
}

/* Asks for the key usages of a document signing certificate. */
static int request_key_usage(X509_REQ *req)
{
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
    X509_EXTENSION *ku = X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage, "critical,digitalSignature,nonRepudiation");
    int ok = exts && ku && sk_X509_EXTENSION_push(exts, ku) && X509_REQ_add_extensions(req, exts);
    if (!ok || exts == NULL)
        X509_EXTENSION_free(ku);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    return ok ? 0 : -1;
}

/* Opens path for a new file of mode (never an existing one). Returns the stream, or NULL with e set. */
static FILE *create_file(const char *path, mode_t mode, err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        err_set(e, ERR_IO, "cannot create %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return f;
}

int enrol_write_csr(const config *c, const char *path, err *e)
{
    assert(c != NULL && path != NULL);
    signing_key *key = signing_key_open(c, e);
    EVP_PKEY *pub = key ? signing_key_public(key, e) : NULL;
    X509_REQ *req = X509_REQ_new();
    FILE *f = NULL;
    int rc = -1;
    if (pub == NULL || req == NULL)
        goto out;
    if (!X509_REQ_set_version(req, X509_REQ_VERSION_1) || !X509_REQ_set_pubkey(req, pub) ||
        request_key_usage(req) != 0) {
        err_set(e, ERR_CRYPTO, "cannot make the certificate request");
        goto out;
    }
    if (parse_subject(X509_REQ_get_subject_name(req), c->signer_subject, e) != 0 || sign_request(req, key, pub, e) != 0 ||
        (f = create_file(path, 0644, e)) == NULL)
        goto out;
    int ok = PEM_write_X509_REQ(f, req);
    if (fclose(f) != 0 || !ok)
        err_set(e, ERR_IO, "cannot write %s", path);
    else
        rc = 0;
out:
    X509_REQ_free(req);
    EVP_PKEY_free(pub);
    signing_key_free(key);
    return rc;
}

/* Reads up to ENROL_CHAIN_MAX PEM certificates of path. Returns a stack (caller frees), or NULL with e set. */
static STACK_OF(X509) *read_chain(const char *path, err *e)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    STACK_OF(X509) *chain = sk_X509_new_null();
    X509 *x;
    while (chain && sk_X509_num(chain) < ENROL_CHAIN_MAX && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
        if (!sk_X509_push(chain, x))
            X509_free(x);
    fclose(f); /* opened for reading: nothing to flush */
    ERR_clear_error();
    if (chain == NULL || sk_X509_num(chain) == 0) {
        sk_X509_free(chain);
        err_set(e, ERR_CRYPTO, "no certificate in %s", path);
        return NULL;
    }
    return chain;
}

/* Checks cert is a document signing certificate of the configured key, valid now. Returns 0 or -1 with e set. */
static int check_cert(const config *c, X509 *cert, err *e)
{
    signing_key *key = signing_key_open(c, e);
    EVP_PKEY *pub = key ? signing_key_public(key, e) : NULL;
    int rc = -1;
    if (pub == NULL)
        goto out;
    if (EVP_PKEY_eq(X509_get0_pubkey(cert), pub) != 1)
        err_set(e, ERR_INVALID, "the certificate is not for the signing key (%s)",
                signing_key_is_token(key) ? "the token key" : "the key file");
    else if (X509_check_ca(cert) != 0)
        err_set(e, ERR_INVALID, "the certificate is a CA certificate, not a document signing one");
    else if (!(X509_get_extension_flags(cert) & EXFLAG_KUSAGE) ||
             !(X509_get_key_usage(cert) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
        err_set(e, ERR_INVALID, "the certificate's key usage allows neither digitalSignature nor nonRepudiation");
    else if (X509_cmp_current_time(X509_get0_notBefore(cert)) >= 0)
        err_set(e, ERR_INVALID, "the certificate is not valid yet");
    else if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0)
        err_set(e, ERR_INVALID, "the certificate has expired");
    else
        rc = 0;
out:
    ERR_clear_error();
    EVP_PKEY_free(pub);
    signing_key_free(key);
    return rc;
}

/* The certificate of candidates that issued and signed cert, or NULL. */
static X509 *find_issuer(X509 *cert, STACK_OF(X509) *candidates)
{
    for (int i = 0; i < sk_X509_num(candidates); i++) {
        X509 *ca = sk_X509_value(candidates, i);
        if (X509_check_issued(ca, cert) == X509_V_OK && X509_verify(cert, X509_get0_pubkey(ca)) == 1)
            return ca;
    }
    ERR_clear_error();
    return NULL;
}

/* keys_dir/retired/<first 16 hex digits of the fingerprint>.crt for cert. Returns 0 or -1 with e set. */
static int retired_path(const char *keys_dir, X509 *cert, char *out, size_t size, err *e)
{
    unsigned char *der = NULL;
    int len = i2d_X509(cert, &der);
    char hex[65], name[32], dir[1024];
    if (len <= 0)
        return err_set(e, ERR_CRYPTO, "cannot encode a certificate");
    hash_sha256_hex(der, (size_t)len, hex);
    OPENSSL_free(der);
    snprintf(name, sizeof name, "%.16s.crt", hex);
    return path_join(dir, sizeof dir, keys_dir, SIGNER_RETIRED_DIR, e) == 0 ? path_join(out, size, dir, name, e) : -1;
}

/* Writes cert to path through a temporary file and a rename. Returns 0 or -1 with e set. */
static int replace_pem(const char *path, X509 *cert, err *e)
{
    char tmp[1100];
    if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp)
        return err_set(e, ERR_TOO_LONG, "the path %s is too long", path);
    unlink(tmp); /* a leftover of an interrupted install, if any: nothing else writes this name */
    FILE *f = create_file(tmp, 0644, e);
    if (f == NULL)
        return -1;
    int ok = PEM_write_X509(f, cert);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        ok = 0;
    if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) {
        int saved = errno;
        unlink(tmp);
        return err_set(e, ERR_IO, "cannot write %s: %s", path, strerror(saved));
    }
    return 0;
}

/* Keeps the current certificate at path (if any, and unless it equals keep) in retired/. Sets out to where it went,
   "" when nothing moved. Returns 0 or -1 with e set. */
static int retire(const char *keys_dir, const char *path, X509 *keep, char *out, size_t size, err *e)
{
    char dir[1024];
    out[0] = '\0';
    X509 *old = signer_read_cert(path, e);
    if (old == NULL)
        return e->code == ERR_NOT_FOUND ? (err_clear(e), 0) : -1;
    int rc = 0;
    if (X509_cmp(old, keep) != 0) {
        if (path_join(dir, sizeof dir, keys_dir, SIGNER_RETIRED_DIR, e) != 0 ||
            (mkdir(dir, 0755) != 0 && errno != EEXIST))
            rc = err_set(e, ERR_IO, "cannot create %s: %s", dir, strerror(errno));
        else if (retired_path(keys_dir, old, out, size, e) != 0 || replace_pem(out, old, e) != 0)
            rc = -1;
    }
    X509_free(old);
    return rc;
}

int enrol_install_cert(const config *c, const char *cert_path, const char *chain_path, enrol_installed *out, err *e)
{
    assert(c != NULL && cert_path != NULL && out != NULL);
    char cert_file[1024], ca_file[1024], was_retired[1100], ignored[1100];
    memset(out, 0, sizeof *out);
    X509 *cert = signer_read_cert(cert_path, e);
    STACK_OF(X509) *chain = NULL;
    int rc = -1;
    if (cert == NULL || check_cert(c, cert, e) != 0 || path_join(cert_file, sizeof cert_file, c->keys_dir, SIGNER_CERT_FILE, e) != 0 ||
        path_join(ca_file, sizeof ca_file, c->keys_dir, SIGNER_CA_FILE, e) != 0)
        goto out;
    if ((chain = read_chain(chain_path ? chain_path : ca_file, e)) == NULL)
        goto out;
    X509 *ca = find_issuer(cert, chain);
    if (ca == NULL) {
        err_set(e, ERR_INVALID, "the certificate was not issued by %s", chain_path ? chain_path : ca_file);
        goto out;
    }
    if (retire(c->keys_dir, cert_file, cert, out->retired, sizeof out->retired, e) != 0 ||
        retire(c->keys_dir, ca_file, ca, ignored, sizeof ignored, e) != 0)
        goto out;
    if (retired_path(c->keys_dir, cert, was_retired, sizeof was_retired, e) != 0)
        goto out;
    if (unlink(was_retired) != 0 && errno != ENOENT) {
        err_set(e, ERR_IO, "cannot remove %s: %s", was_retired, strerror(errno));
        goto out;
    }
    if (replace_pem(ca_file, ca, e) != 0 || replace_pem(cert_file, cert, e) != 0)
        goto out;
    signer_name_text(X509_get_subject_name(cert), out->subject, sizeof out->subject);
    rc = 0;
out:
    sk_X509_pop_free(chain, X509_free);
    X509_free(cert);
    return rc;
}
