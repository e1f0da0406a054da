/* Development keys: a root CA and a signing certificate it issues, written to the keys directory; and the
   throwaway identity that signs sample documents. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/random.h"
#include "crypto/signer.h"

#define DEV_CA_KEY_FILE "ca.key"
#define DEV_ORG "“Azərişıq” ASC"
#define SAMPLE_ORG "NÜMUNƏ / SAMPLE, not valid"
#define DAYS(n) ((long)(n) * 24 * 60 * 60)

static EVP_PKEY *new_key(const char *type)
{
    return type && strcmp(type, "rsa") == 0 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = ext && X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

static int set_name(X509_NAME *name, const char *org, const char *cn)
{
    return X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8, (const unsigned char *)"AZ", -1, -1, 0) &&
                   X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)org, -1, -1, 0) &&
                   X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0)
               ? 0
               : -1;
}

/* Issues a certificate for key, valid from a day ago for days: self-signed CA when issuer is NULL, else a signing
   certificate. */
static X509 *issue(EVP_PKEY *key, const char *org, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, long days)
{
    X509 *cert = X509_new();
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    int ok = cert && random_bytes(serial, sizeof serial) == 0 && (serial[0] &= 0x7f, 1) &&
             (bn = BN_bin2bn(serial, sizeof serial, NULL)) && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) &&
             X509_set_version(cert, 2) && X509_gmtime_adj(X509_getm_notBefore(cert), -DAYS(1)) &&
             X509_gmtime_adj(X509_getm_notAfter(cert), DAYS(days)) && X509_set_pubkey(cert, key) &&
             set_name(X509_get_subject_name(cert), org, cn) == 0 &&
             X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(cert));
    X509 *ext_issuer = issuer ? issuer : cert;
    if (ok && issuer == NULL)
        ok = add_ext(cert, ext_issuer, NID_basic_constraints, "critical,CA:TRUE") == 0 &&
             add_ext(cert, ext_issuer, NID_key_usage, "critical,keyCertSign,cRLSign") == 0;
    else if (ok)
        ok = add_ext(cert, ext_issuer, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
             add_ext(cert, ext_issuer, NID_key_usage, "critical,digitalSignature,nonRepudiation") == 0 &&
             add_ext(cert, ext_issuer, NID_authority_key_identifier, "keyid:always") == 0;
    ok = ok && add_ext(cert, ext_issuer, NID_subject_key_identifier, "hash") == 0 &&
         X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()) > 0;
    BN_free(bn);
    if (!ok) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* Writes a PEM file with the given mode, refusing to overwrite. */
static int write_pem(const char *dir, const char *file, mode_t mode, EVP_PKEY *key, X509 *cert, err *e)
{
    char path[1024];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, file) >= sizeof path)
        return err_set(e, 1, "keys directory path too long");
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int ok = f && (key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(f, cert));
    if (f ? fclose(f) != 0 : (fd >= 0 && close(fd) != 0))
        ok = 0;
    return ok ? 0 : err_set(e, 1, "cannot write %s: %s", path, strerror(errno));
}

static int key_present(const char *dir)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, SIGNER_KEY_FILE);
    return lstat(path, &st) == 0;
}

int signer_ensure_dev_keys(const char *keys_dir, const char *key_type, int *created, err *e)
{
    *created = 0;
    if (mkdir(keys_dir, 0700) != 0 && errno != EEXIST)
        return err_set(e, 1, "cannot create %s: %s", keys_dir, strerror(errno));
    if (key_present(keys_dir))
        return 0;
    int rc = -1;
    EVP_PKEY *ca_key = new_key(key_type), *key = new_key(key_type);
    X509 *ca = ca_key ? issue(ca_key, DEV_ORG, "arayis DEVELOPMENT root CA", NULL, NULL, 3650) : NULL;
    X509 *cert = ca && key ? issue(key, DEV_ORG, "arayis DEVELOPMENT document signing", ca, ca_key, 1095) : NULL;
    if (cert == NULL)
        err_set(e, 1, "cannot make development keys");
    else if (write_pem(keys_dir, DEV_CA_KEY_FILE, 0600, ca_key, NULL, e) == 0 &&
             write_pem(keys_dir, SIGNER_CA_FILE, 0644, NULL, ca, e) == 0 &&
             write_pem(keys_dir, SIGNER_CERT_FILE, 0644, NULL, cert, e) == 0 &&
             write_pem(keys_dir, SIGNER_KEY_FILE, 0600, key, NULL, e) == 0)
        rc = 0, *created = 1;
    X509_free(cert);
    X509_free(ca);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    return rc;
}

signer *signer_sample(const char *key_type, err *e)
{
    EVP_PKEY *ca_key = new_key(key_type), *key = new_key(key_type);
    X509 *ca = ca_key ? issue(ca_key, SAMPLE_ORG, "arayis sample root CA", NULL, NULL, 2) : NULL;
    X509 *cert = ca && key ? issue(key, SAMPLE_ORG, "arayis sample document signing", ca, ca_key, 2) : NULL;
    EVP_PKEY_free(ca_key);
    if (cert == NULL) {
        err_set(e, 1, "cannot make a sample signing key");
        EVP_PKEY_free(key);
        X509_free(ca);
        return NULL;
    }
    return signer_new(key, cert, ca, e);
}
