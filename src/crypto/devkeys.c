/* Development keys: a root CA and a signing certificate it issues, written to the keys directory; and the
   throwaway identity that signs sample documents. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/path.h"
#include "crypto/enrol.h"
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

/* A random positive 128-bit serial number for cert. Returns 0, or -1 with e set (ERR_RANDOM, ERR_CRYPTO). */
static int set_serial(X509 *cert, err *e)
{
    unsigned char serial[16];
    if (random_bytes(serial, sizeof serial) != 0)
        return err_set(e, ERR_RANDOM, "no randomness for a certificate serial number");
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    int ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
    BN_free(bn);
    return ok ? 0 : err_set(e, ERR_CRYPTO, "cannot set a certificate serial number");
}

/* Version, validity from a day ago for days, public key, subject and issuer names. Returns 0 or -1. */
static int set_identity(X509 *cert, EVP_PKEY *key, const char *org, const char *cn, X509 *issuer, long days)
{
    if (!X509_set_version(cert, 2) || !X509_gmtime_adj(X509_getm_notBefore(cert), -DAYS(1)) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert), DAYS(days)) || !X509_set_pubkey(cert, key))
        return -1;
    if (set_name(X509_get_subject_name(cert), org, cn) != 0)
        return -1;
    return X509_set_issuer_name(cert, X509_get_subject_name(issuer ? issuer : cert)) ? 0 : -1;
}

/* The extensions of a self-signed CA (issuer NULL) or of a signing certificate issued by issuer. Returns 0 or -1. */
static int add_extensions(X509 *cert, X509 *issuer)
{
    X509 *ext_issuer = issuer ? issuer : cert;
    if (issuer == NULL) {
        if (add_ext(cert, ext_issuer, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
            add_ext(cert, ext_issuer, NID_key_usage, "critical,keyCertSign,cRLSign") != 0)
            return -1;
    } else if (add_ext(cert, ext_issuer, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
               add_ext(cert, ext_issuer, NID_key_usage, "critical,digitalSignature,nonRepudiation") != 0 ||
               add_ext(cert, ext_issuer, NID_authority_key_identifier, "keyid:always") != 0) {
        return -1;
    }
    return add_ext(cert, ext_issuer, NID_subject_key_identifier, "hash");
}

/* Issues a certificate for key, valid from a day ago for days: self-signed CA when issuer is NULL, else a signing
   certificate. Returns NULL with e set (ERR_RANDOM, ERR_CRYPTO). */
static X509 *issue(EVP_PKEY *key, const char *org, const char *cn, X509 *issuer, EVP_PKEY *issuer_key, long days,
                   err *e)
{
    X509 *cert = X509_new();
    if (cert == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (set_serial(cert, e) != 0)
        goto fail;
    if (set_identity(cert, key, org, cn, issuer, days) != 0 || add_extensions(cert, issuer) != 0 ||
        X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()) <= 0) {
        err_set(e, ERR_CRYPTO, "cannot issue the certificate \"%s\"", cn);
        goto fail;
    }
    return cert;
fail:
    X509_free(cert);
    return NULL;
}

int signer_write_pem(const char *dir, const char *file, mode_t mode, EVP_PKEY *key, X509 *cert, err *e)
{
    char path[1024];
    if (path_join(path, sizeof path, dir, file, e) != 0)
        return -1;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    if (fd < 0)
        return err_set(e, ERR_IO, "cannot write %s: %s", path, strerror(errno));
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        int saved = errno;
        close(fd);
        return err_set(e, ERR_IO, "cannot write %s: %s", path, strerror(saved));
    }
    int ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(f, cert);
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : err_set(e, ERR_IO, "cannot write %s: %s", path, strerror(errno));
}

/* 1 when dir holds a signing key file (of any kind: signer_load judges it), 0 when it does not, -1 with e set when
   the path does not fit. */
static int key_present(const char *dir, err *e)
{
    char path[1024];
    struct stat st;
    if (path_join(path, sizeof path, dir, SIGNER_KEY_FILE, e) != 0)
        return -1;
    return lstat(path, &st) == 0;
}

/* Makes the development CA and signing certificate and writes the four files. Returns 0 or -1 with e set. */
static int write_dev_keys(const char *keys_dir, const char *key_type, err *e)
{
    int rc = -1;
    X509 *ca = NULL, *cert = NULL;
    EVP_PKEY *ca_key = new_key(key_type), *key = new_key(key_type);
    if (ca_key == NULL || key == NULL) {
        err_set(e, ERR_CRYPTO, "cannot make development keys");
        goto out;
    }
    if ((ca = issue(ca_key, DEV_ORG, "arayis DEVELOPMENT root CA", NULL, NULL, 3650, e)) == NULL ||
        (cert = issue(key, DEV_ORG, "arayis DEVELOPMENT document signing", ca, ca_key, 1095, e)) == NULL)
        goto out;
    if (signer_write_pem(keys_dir, DEV_CA_KEY_FILE, 0600, ca_key, NULL, e) != 0 ||
        signer_write_pem(keys_dir, SIGNER_CA_FILE, 0644, NULL, ca, e) != 0 ||
        signer_write_pem(keys_dir, SIGNER_CERT_FILE, 0644, NULL, cert, e) != 0 ||
        signer_write_pem(keys_dir, SIGNER_KEY_FILE, 0600, key, NULL, e) != 0)
        goto out;
    rc = 0;
out:
    X509_free(cert);
    X509_free(ca);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    return rc;
}

int signer_ensure_dev_keys(const char *keys_dir, const char *key_type, int *created, err *e)
{
    assert(keys_dir != NULL && created != NULL);
    *created = 0;
    if (mkdir(keys_dir, 0700) != 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "cannot create %s: %s", keys_dir, strerror(errno));
    int present = key_present(keys_dir, e);
    if (present != 0)
        return present > 0 ? 0 : -1;
    if (write_dev_keys(keys_dir, key_type, e) != 0)
        return -1;
    *created = 1;
    return 0;
}

signer *signer_sample(const char *key_type, err *e)
{
    X509 *ca = NULL, *cert = NULL;
    EVP_PKEY *ca_key = new_key(key_type), *key = new_key(key_type);
    if (ca_key == NULL || key == NULL) {
        err_set(e, ERR_CRYPTO, "cannot make a sample signing key");
        goto fail;
    }
    if ((ca = issue(ca_key, SAMPLE_ORG, "arayis sample root CA", NULL, NULL, 2, e)) == NULL ||
        (cert = issue(key, SAMPLE_ORG, "arayis sample document signing", ca, ca_key, 2, e)) == NULL)
        goto fail;
    EVP_PKEY_free(ca_key);
    return signer_new(key, cert, ca, e); /* takes key, cert and ca */
fail:
    X509_free(ca);
    EVP_PKEY_free(key);
    EVP_PKEY_free(ca_key);
    return NULL;
}

/* Reads the development CA's key and certificate from keys_dir. Returns 0 or -1 with e set. */
static int read_dev_ca(const char *keys_dir, EVP_PKEY **key, X509 **cert, err *e)
{
    char path[1024];
    struct stat st;
    if (path_join(path, sizeof path, keys_dir, DEV_CA_KEY_FILE, e) != 0)
        return -1;
    if (lstat(path, &st) != 0)
        return err_set(e, ERR_NOT_FOUND, "no development CA in %s (make one with 'arayis keygen')", keys_dir);
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0)
        return err_set(e, ERR_PERMISSION, "refusing %s: a private key must be a regular file with mode 0600 or stricter", path);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
    *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f); /* opened for reading: nothing to flush */
    if (*key == NULL)
        return err_set(e, ERR_CRYPTO, "cannot parse %s", path);
    if (path_join(path, sizeof path, keys_dir, SIGNER_CA_FILE, e) != 0 || (*cert = signer_read_cert(path, e)) == NULL)
        return -1;
    return 0;
}

/* Reads a PEM request and checks its signature. Returns it (caller frees), or NULL with e set. */
static X509_REQ *read_request(const char *path, err *e)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    X509_REQ *req = PEM_read_X509_REQ(f, NULL, NULL, NULL);
    fclose(f); /* opened for reading: nothing to flush */
    EVP_PKEY *pub = req ? X509_REQ_get0_pubkey(req) : NULL;
    if (pub == NULL || X509_REQ_verify(req, pub) != 1) {
        err_set(e, ERR_CRYPTO, "%s is not a certificate request with a valid signature", path);
        X509_REQ_free(req);
        return NULL;
    }
    return req;
}

int enrol_dev_sign_csr(const char *keys_dir, const char *csr_path, const char *out_path, int days, err *e)
{
    assert(keys_dir != NULL && csr_path != NULL && out_path != NULL && days > 0);
    EVP_PKEY *ca_key = NULL;
    X509 *ca = NULL, *cert = NULL;
    X509_REQ *req = NULL;
    int rc = -1;
    if (read_dev_ca(keys_dir, &ca_key, &ca, e) != 0 || (req = read_request(csr_path, e)) == NULL)
        goto out;
    if ((cert = X509_new()) == NULL || set_serial(cert, e) != 0)
        goto out;
    if (!X509_set_version(cert, 2) || !X509_gmtime_adj(X509_getm_notBefore(cert), -DAYS(1)) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert), DAYS(days)) || !X509_set_pubkey(cert, X509_REQ_get0_pubkey(req)) ||
        !X509_set_subject_name(cert, X509_REQ_get_subject_name(req)) ||
        !X509_set_issuer_name(cert, X509_get_subject_name(ca)) || add_extensions(cert, ca) != 0 ||
        X509_sign(cert, ca_key, EVP_sha256()) <= 0) {
        err_set(e, ERR_CRYPTO, "cannot issue a certificate for %s", csr_path);
        goto out;
    }
    FILE *f = NULL;
    int fd = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
        err_set(e, ERR_IO, "cannot create %s: %s", out_path, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto out;
    }
    int ok = PEM_write_X509(f, cert);
    rc = fclose(f) == 0 && ok ? 0 : err_set(e, ERR_IO, "cannot write %s", out_path);
out:
    X509_free(cert);
    X509_REQ_free(req);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return rc;
}
