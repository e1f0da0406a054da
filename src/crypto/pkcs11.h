/* Signing keys inside a PKCS#11 token (an HSM or smart card): a module, a logged-in pool of sessions, recovery. */
#ifndef ARAYIS_CRYPTO_PKCS11_H
#define ARAYIS_CRYPTO_PKCS11_H

#include <openssl/types.h>
#include <stddef.h>

#include "core/err.h"

typedef struct p11_key p11_key;

/* Where the key is and how to reach it. uri is an RFC 7512 "pkcs11:" URI naming the token (token=…) and the
   key (object=… and/or id=…, type=private); module is the PKCS#11 library to load (when NULL or "", the URI's
   module-path); pin is the user PIN (when NULL or "", the URI's pin-source file, which must be a regular file of
   mode 0600 or stricter). */
typedef struct p11_settings {
    const char *uri;
    const char *module;
    const char *pin;
} p11_settings;

/* Sessions open at once on one token: signatures beyond this many wait for a free session (up to
   P11_SESSION_WAIT_MS, then ERR_UNAVAILABLE). */
#define P11_SESSIONS_MAX 64
#define P11_SESSION_WAIT_MS 5000
/* After a token failure, the token is reopened at most once per this many milliseconds. */
#define P11_RETRY_MS 1000

/* 1 when text is a PKCS#11 URI (starts with "pkcs11:"), else 0. */
int p11_is_uri(const char *text);

/* Loads the module, finds the token, logs in and finds the private key (EC P-256 or RSA). Returns NULL with e
   set: ERR_INVALID (URI, settings, or a key of another kind), ERR_PERMISSION (a pin-source file others may read,
   or a PIN the token refuses), ERR_NOT_FOUND (no such module, token or key), ERR_UNAVAILABLE (the module or
   token failed). The caller frees the result with p11_key_close. */
p11_key *p11_key_open(const p11_settings *ps, err *e);

/* Closes every session, finalizes and unloads the module. k may be NULL. */
void p11_key_close(p11_key *k);

/* The key's public half, read from the token's public key object (the caller frees it with EVP_PKEY_free).
   Returns NULL with e set (ERR_NOT_FOUND when the token holds no public key object for it). */
EVP_PKEY *p11_key_public(p11_key *k, err *e);

/* "ec" or "rsa". */
const char *p11_key_type(const p11_key *k);

/* Signs data with SHA-256 (ECDSA or RSA PKCS#1 v1.5) on a pooled session; the signature is DER (ECDSA-Sig-Value)
   for EC and the raw block for RSA, in *sig (freed by the caller with OPENSSL_free). Thread-safe: signatures run
   in parallel, each on its own session. A failing token is marked down and answers ERR_UNAVAILABLE; the next call
   after P11_RETRY_MS reopens it. Returns 0 or -1 with e set. */
int p11_key_sign(p11_key *k, const unsigned char *data, size_t len, unsigned char **sig, size_t *sig_len, err *e);

/* 1 when the token answered the last operation (or could be reopened now), 0 with e set (ERR_UNAVAILABLE) when
   it is down. Cheap while the token is up. */
int p11_key_ready(p11_key *k, err *e);

/* Makes a key pair of key_type ("ec": P-256, "rsa": 2048 bits) inside the token named by ps->uri, labelled with
   the URI's object and given a random id; the private half is sensitive and not extractable. Refuses when the
   token already holds a private key with that label (ERR_CONFLICT). Returns 0 or -1 with e set. */
int p11_generate(const p11_settings *ps, const char *key_type, err *e);

#endif
