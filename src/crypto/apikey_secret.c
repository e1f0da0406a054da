/* Making and hashing API key secrets. */
#include "crypto/apikey_secret.h"

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
