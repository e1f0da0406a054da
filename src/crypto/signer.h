/* The signing identity: private key, signing certificate and CA chain from the keys directory; CMS signatures. */
#ifndef ARAYIS_CRYPTO_SIGNER_H
#define ARAYIS_CRYPTO_SIGNER_H

#include <openssl/types.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "crypto/signing_key.h"
#include "crypto/timestamp.h"

typedef struct signer signer;

/* Files of the keys directory (see keys/README.md). */
#define SIGNER_KEY_FILE SIGNING_KEY_FILE
#define SIGNER_CERT_FILE "signing.crt"
#define SIGNER_CA_FILE "ca.crt"
#define SIGNER_RETIRED_DIR "retired"

/* Loads the signing identity the configuration names: the private key (a PKCS#11 token's when c->signing_key is a
   pkcs11: URI, else keys_dir/signing.key: EC P-256 or RSA 2048/3072) and keys_dir/signing.crt and ca.crt. No private
   key file is read in token mode. Returns NULL with e set: ERR_PERMISSION for a key or PIN file that is not a
   regular file or that group or others may read, or a PIN the token refuses; ERR_NOT_FOUND for a missing file,
   module, token or token key, or a token key without signing.crt; ERR_UNAVAILABLE for a token that fails; ERR_IO,
   ERR_TOO_LONG (keys_dir); ERR_CRYPTO for a file OpenSSL cannot read or a key and certificate that do not match,
   ERR_INVALID for a key of another type or size. */
signer *signer_open(const config *c, err *e);

/* signer_open for the key file of keys_dir (EC P-256 or RSA 2048/3072), signing.crt and ca.crt; errors as there. */
signer *signer_load(const char *keys_dir, err *e);

/* 1 when the signer can sign now, 0 with e set (ERR_UNAVAILABLE) when its token is down (it is reopened at most
   once a second by this or a signing call). */
int signer_ready(const signer *s, err *e);

/* A signer for key with its signing certificate cert issued by ca. Takes ownership of all three, also on failure.
   Refuses a key that is not EC P-256 or RSA 2048/3072 or that cert does not certify. Returns NULL with e set. */
signer *signer_new(EVP_PKEY *key, X509 *cert, X509 *ca, err *e);

/* A throwaway signer for sample documents: a new key of key_type ("ec" when NULL, or "rsa") with a certificate
   from a new CA, made in memory, never written, and so in no keyring: nothing it signs verifies as ours.
   Returns NULL with e set. */
signer *signer_sample(const char *key_type, err *e);

/* When keys_dir holds no signing key, makes a development root CA and a signing certificate issued by
   it (key files 0600, directory 0700) and sets *created to 1; otherwise sets it to 0. key_type is "ec"
   (also when NULL) or "rsa". Returns 0 or -1 with e set. */
int signer_ensure_dev_keys(const char *keys_dir, const char *key_type, int *created, err *e);

/* Writes dir/file as PEM (the private key when key is set, else the certificate cert) with mode, refusing to
   overwrite a file or follow a link. Returns 0, or -1 with e set (ERR_TOO_LONG, ERR_IO). */
int signer_write_pem(const char *dir, const char *file, mode_t mode, EVP_PKEY *key, X509 *cert, err *e);

/* The signing certificate's subject, "CN=…, O=…" (owned by the signer). */
const char *signer_subject(const signer *s);

/* The signing key's kind: "ec" or "rsa". */
const char *signer_key_type(const signer *s);

/* Appends a DER CMS SignedData (detached, SHA-256, CAdES signing-certificate-v2, chain included) over
   the n parts of data to out, with a signature timestamp from tsa (tsa_stamp_signer) unless tsa is NULL; the CMS
   is encoded once, after the timestamp is in. Thread-safe. Returns 0 or -1 with e set (as tsa_stamp_signer for
   the timestamp). */
int signer_sign_detached(const signer *s, const unsigned char *const *parts, const size_t *lens, size_t n,
                         tsa_client *tsa, buf *out, err *e);

/* The largest DER signature signer_sign_detached can produce with this identity (for placeholders). */
size_t signer_max_signature_size(const signer *s);

void signer_free(signer *s);

/* Reads the first PEM certificate of the file at path; the caller frees it with X509_free. Returns NULL with e set:
   ERR_NOT_FOUND (no such file), ERR_IO (cannot open it), ERR_CRYPTO (no certificate in it). */
X509 *signer_read_cert(const char *path, err *e);

/* Writes a certificate name as "CN=…, O=…, C=…" (UTF-8) into out. Returns 0 or -1. */
int signer_name_text(X509_NAME *name, char *out, size_t size);

#endif
