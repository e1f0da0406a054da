/* Making and hashing API key secrets. */
#include "crypto/apikey_secret.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <string.h>

#include "crypto/random.h"

int apikey_generate(char key[APIKEY_TEXT_LEN + 1], char hash[SHA256_HEX_LEN + 1])
{
    unsigned char secret[32];
    if (random_bytes(secret, sizeof secret) != 0)
        return -1;
    memcpy(key, "ak_", 3);
    hash_hex(secret, sizeof secret, key + 3);
    apikey_hash(key, hash);
    return 0;
}

void apikey_hash(const char *key, char hash[SHA256_HEX_LEN + 1])
{
    hash_sha256_hex(key, strlen(key), hash);
}

int webhook_secret_generate(char secret[WEBHOOK_SECRET_LEN + 1])
{
    unsigned char bytes[32];
    if (random_bytes(bytes, sizeof bytes) != 0)
        return -1;
    memcpy(secret, "whsec_", 6);
    hash_hex(bytes, sizeof bytes, secret + 6);
    return 0;
}

int webhook_signature(const char *secret, long long unix_time, const char *body, size_t len,
                      char hex[SHA256_HEX_LEN + 1])
{
    char prefix[32];
    int n = snprintf(prefix, sizeof prefix, "%lld.", unix_time);
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    int rc = -1;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = hmac ? EVP_MAC_CTX_new(hmac) : NULL;
    if (ctx == NULL || EVP_MAC_init(ctx, (const unsigned char *)secret, strlen(secret), params) != 1 ||
        EVP_MAC_update(ctx, (const unsigned char *)prefix, (size_t)n) != 1 ||
        EVP_MAC_update(ctx, (const unsigned char *)body, len) != 1 || EVP_MAC_final(ctx, mac, &mac_len, sizeof mac) != 1 ||
        mac_len != 32)
        goto out;
    hash_hex(mac, mac_len, hex);
    rc = 0;
out:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(hmac);
    return rc;
}
