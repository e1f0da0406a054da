/* The transparency log's Ed25519 key (log.key in the keys directory): read with the checks of the signing key file,
   or made when missing. */
#ifndef ARAYIS_CRYPTO_LOG_KEY_H
#define ARAYIS_CRYPTO_LOG_KEY_H

#include <openssl/types.h>

#include "core/err.h"

#define LOG_KEY_FILE "log.key"

/* Reads keys_dir/log.key, refused unless a regular file of mode 0600 or stricter holding an Ed25519 private key.
   Returns a new key (the caller frees it with EVP_PKEY_free), or NULL with e set (ERR_NOT_FOUND, ERR_PERMISSION,
   ERR_IO, ERR_CRYPTO). */
EVP_PKEY *log_key_load(const char *keys_dir, err *e);

/* When keys_dir (created 0700 if missing) holds no log.key, makes a new Ed25519 key there (mode 0600) and sets
   *created to 1; otherwise sets it to 0 and leaves the file alone. Returns 0 or -1 with e set. */
int log_key_ensure(const char *keys_dir, int *created, err *e);

#endif
