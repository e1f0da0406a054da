/* The private half of the signing identity, wherever it lives: a key file of the keys directory or a PKCS#11 token. */
#ifndef ARAYIS_CRYPTO_SIGNING_KEY_H
#define ARAYIS_CRYPTO_SIGNING_KEY_H

#include <openssl/types.h>
#include <stddef.h>

#include "core/config.h"
#include "core/err.h"

/* The key file of the keys directory, when the key is not in a token. */
#define SIGNING_KEY_FILE "signing.key"

typedef struct signing_key signing_key;

/* 1 when the configuration puts the signing key in a PKCS#11 token (ARAYIS_SIGNING_KEY is a pkcs11: URI). */
int signing_key_in_token(const config *c);

/* Opens the key the configuration names: the token key of c->signing_key (module c->pkcs11_module, PIN
   c->pkcs11_pin or the URI's pin-source), else keys_dir/signing.key, refused unless a regular file of mode 0600 or
   stricter. Returns NULL with e set (see p11_key_open; for files ERR_PERMISSION, ERR_NOT_FOUND, ERR_IO,
   ERR_CRYPTO). The caller frees the result with signing_key_free. */
signing_key *signing_key_open(const config *c, err *e);

/* Reads the PEM private key file at path, refused unless a regular file of mode 0600 or stricter. Returns a new key
   (the caller frees it), or NULL with e set (ERR_PERMISSION, ERR_NOT_FOUND, ERR_IO, ERR_CRYPTO). */
EVP_PKEY *signing_key_read_file(const char *path, err *e);

/* A key held in memory; takes ownership of key. Returns NULL (and frees key) when out of memory. */
signing_key *signing_key_of_pkey(EVP_PKEY *key);

void signing_key_free(signing_key *k);

/* A new reference to the key's public half (the caller frees it). Returns NULL with e set. */
EVP_PKEY *signing_key_public(signing_key *k, err *e);

/* Signs data with SHA-256 (ECDSA, or RSA PKCS#1 v1.5); *sig is DER for ECDSA and is freed by the caller with
   OPENSSL_free. Thread-safe. A token that fails answers ERR_UNAVAILABLE and is reopened by a later call. Returns 0
   or -1 with e set. */
int signing_key_sign(signing_key *k, const unsigned char *data, size_t len, unsigned char **sig, size_t *sig_len,
                     err *e);

/* 1 when the key can sign now (always for a file key), 0 with e set (ERR_UNAVAILABLE) for a token that is down. */
int signing_key_ready(signing_key *k, err *e);

/* 1 for a token key, 0 for a key in memory. */
int signing_key_is_token(const signing_key *k);

#endif
