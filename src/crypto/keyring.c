/* Loading our certificates from the keys directory; fingerprints and the trust store for verification. */
#include "crypto/keyring.h"

#include <dirent.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/path.h"
#include "crypto/hash.h"
#include "crypto/signer.h"

#define KEYRING_MAX 64

struct keyring {
    keyring_cert certs[KEYRING_MAX];
    size_t count;
    X509 *cas[KEYRING_MAX];
    size_t ncas;
};

static time_t asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    return ASN1_TIME_to_tm(t, &tm) == 1 ? timegm(&tm) : 0;
}

static int describe(keyring_cert *c, X509 *x509, int current)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x509, &der);
    BIO *b = BIO_new(BIO_s_mem());
    char *pem_data = NULL;
    long pem_len = 0;
    int ok = len > 0 && b && PEM_write_bio_X509(b, x509) && (pem_len = BIO_get_mem_data(b, &pem_data)) > 0 &&
             (c->pem = strndup(pem_data, (size_t)pem_len)) != NULL &&
             signer_name_text(X509_get_subject_name(x509), c->subject, sizeof c->subject) == 0;
    if (ok) {
        hash_sha256_hex(der, (size_t)len, c->sha256);
        c->x509 = x509;
        c->current = current;
        c->not_before = asn1_time(X509_get0_notBefore(x509));
        c->not_after = asn1_time(X509_get0_notAfter(x509));
    }
    OPENSSL_free(der);
    BIO_free(b);
    return ok ? 0 : -1;
}

/* Files every certificate of path into the signing list or the CA list. */
static int add_file(keyring *k, const char *path, int current, err *e)
{
    X509 *x509 = signer_read_cert(path, e);
    if (x509 == NULL)
        return -1;
    if (X509_check_ca(x509) && k->ncas < KEYRING_MAX) {
        k->cas[k->ncas++] = x509;
        return 0;
    }
    if (k->count == KEYRING_MAX) {
        X509_free(x509);
        return err_set(e, ERR_FULL, "cannot keep certificate %s: more than %d signing certificates", path, KEYRING_MAX);
    }
    if (describe(&k->certs[k->count], x509, current) != 0) {
        X509_free(x509);
        return err_set(e, ERR_CRYPTO, "cannot keep certificate %s", path);
    }
    k->count++;
    return 0;
}

/* Files the .crt files of keys_dir/retired; a keys directory without one has retired nothing. */
static int add_retired(keyring *k, const char *keys_dir, err *e)
{
    char dir[1024], path[1300];
    if (path_join(dir, sizeof dir, keys_dir, SIGNER_RETIRED_DIR, e) != 0)
        return -1;
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    struct dirent *entry;
    int rc = 0;
    while (rc == 0 && (entry = readdir(d)) != NULL) {
        size_t n = strlen(entry->d_name);
        if (n > 4 && strcmp(entry->d_name + n - 4, ".crt") == 0)
            rc = path_join(path, sizeof path, dir, entry->d_name, e) == 0 ? add_file(k, path, 0, e) : -1;
    }
    closedir(d);
    return rc;
}

keyring *keyring_load(const char *keys_dir, err *e)
{
    char path[1024];
    keyring *k = calloc(1, sizeof *k);
    if (k == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (path_join(path, sizeof path, keys_dir, SIGNER_CERT_FILE, e) != 0 || add_file(k, path, 1, e) != 0 ||
        path_join(path, sizeof path, keys_dir, SIGNER_CA_FILE, e) != 0 || add_file(k, path, 0, e) != 0 ||
        add_retired(k, keys_dir, e) != 0) {
        keyring_free(k);
        return NULL;
    }
    return k;
}

void keyring_free(keyring *k)
{
    if (k == NULL)
        return;
    for (size_t i = 0; i < k->count; i++) {
        X509_free(k->certs[i].x509);
        free(k->certs[i].pem);
    }
    for (size_t i = 0; i < k->ncas; i++)
        X509_free(k->cas[i]);
    free(k);
}

size_t keyring_count(const keyring *k)
{
    return k->count;
}

const keyring_cert *keyring_get(const keyring *k, size_t i)
{
    return i < k->count ? &k->certs[i] : NULL;
}

int keyring_find(const keyring *k, X509 *cert)
{
    for (size_t i = 0; i < k->count; i++)
        if (X509_cmp(k->certs[i].x509, cert) == 0)
            return (int)i;
    return -1;
}

X509_STORE *keyring_trust_store(const keyring *k)
{
    X509_STORE *store = X509_STORE_new();
    for (size_t i = 0; store && i < k->ncas; i++)
        if (X509_STORE_add_cert(store, k->cas[i]) != 1) {
            X509_STORE_free(store);
            return NULL;
        }
    return store;
}
