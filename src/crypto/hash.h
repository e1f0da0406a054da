/* SHA-256 digests and constant-time comparison, on OpenSSL. */
#ifndef ARAYIS_CRYPTO_HASH_H
#define ARAYIS_CRYPTO_HASH_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

/* Writes the 32-byte SHA-256 of data into out. Aborts the process when OpenSSL cannot compute it (no memory, no
   default provider): there is no digest to go on with. */
void hash_sha256(const void *data, size_t len, unsigned char out[32]);

/* Writes the lower-case hex SHA-256 of data into out (65 bytes with the NUL). */
void hash_sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

/* Writes the lower-case hex of n bytes into out (2n+1 bytes with the NUL). */
void hash_hex(const unsigned char *bytes, size_t n, char *out);

/* 1 when the n bytes at a and b are equal, 0 otherwise; time depends on n only. */
int hash_equal_ct(const void *a, const void *b, size_t n);

#endif
