/* SHA-256 and constant-time comparison through OpenSSL's EVP and CRYPTO_memcmp. */
#include "crypto/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>

void hash_sha256(const void *data, size_t len, unsigned char out[32])
{
    unsigned int n = 32;
    /* SHA-256 fails only without memory for a digest context or without OpenSSL's default provider. A digest left
       unwritten would compare as if it were one (API keys, stored documents), so the process stops instead. */
    if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1)
        abort();
}

void hash_hex(const unsigned char *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

void hash_sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
    unsigned char digest[32];
    hash_sha256(data, len, digest);
    hash_hex(digest, sizeof digest, out);
}

int hash_equal_ct(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}
