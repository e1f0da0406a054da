/* API key secrets: how a new key is made, the only form in which a key is stored (its SHA-256), and the secret a
   portal's webhook deliveries are signed with. */
#ifndef ARAYIS_CRYPTO_APIKEY_SECRET_H
#define ARAYIS_CRYPTO_APIKEY_SECRET_H

#include "crypto/hash.h"

/* "ak_" + 64 hex digits (256 random bits) + NUL */
#define APIKEY_TEXT_LEN (3 + 64)

/* Makes a new random key and its hash. Returns 0, or -1 when the CSPRNG fails. */
int apikey_generate(char key[APIKEY_TEXT_LEN + 1], char hash[SHA256_HEX_LEN + 1]);

/* The stored form of a presented key. Keys carry 256 random bits, so a fast hash is enough:
   nothing can be brute-forced from it. */
void apikey_hash(const char *key, char hash[SHA256_HEX_LEN + 1]);

/* "whsec_" + 64 hex digits (256 random bits) + NUL */
#define WEBHOOK_SECRET_LEN (6 + 64)

/* Makes a new webhook secret. Returns 0, or -1 when the CSPRNG fails. */
int webhook_secret_generate(char secret[WEBHOOK_SECRET_LEN + 1]);

/* The signature of a webhook delivery: hex HMAC-SHA256 of "<unix_time>.<body>" keyed with the secret's text.
   Returns 0, or -1 when OpenSSL fails (hex is then untouched). */
int webhook_signature(const char *secret, long long unix_time, const char *body, size_t len,
                      char hex[SHA256_HEX_LEN + 1]);

#endif
