/* Our signing certificates, current and retired, and the CAs that issued them: what a signature must chain to. */
#ifndef ARAYIS_CRYPTO_KEYRING_H
#define ARAYIS_CRYPTO_KEYRING_H

#include <openssl/types.h>
#include <stddef.h>
#include <time.h>

#include "core/err.h"

typedef struct keyring keyring;

typedef struct keyring_cert {
    X509 *x509;
    char *pem;               /* PEM text, owned by the keyring */
    char subject[512];       /* "CN=…, O=…, C=…" */
    time_t not_before, not_after;
    char sha256[65];         /* fingerprint of the DER certificate, lower-case hex */
    int current;             /* 1 for signing.crt, 0 for retired ones */
} keyring_cert;

/* Loads keys_dir/signing.crt, the .crt files of keys_dir/retired (signing certificates kept after rotation) and the
   CA certificates (ca.crt, and CA certificates among the retired ones). Returns NULL with e set. */
keyring *keyring_load(const char *keys_dir, err *e);
void keyring_free(keyring *k);

/* Signing certificates, current first. Pointers stay owned by the keyring. */
size_t keyring_count(const keyring *k);
const keyring_cert *keyring_get(const keyring *k, size_t i);

/* The index of cert among our signing certificates (matched by fingerprint), or -1. */
int keyring_find(const keyring *k, X509 *cert);

/* A new trust store holding our CA certificates (caller frees with X509_STORE_free), or NULL when OpenSSL fails. */
X509_STORE *keyring_trust_store(const keyring *k);

#endif
