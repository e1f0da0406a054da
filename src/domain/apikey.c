/* Making and hashing API keys. */
#include "domain/apikey.h"

#include <string.h>

#include "crypto/random.h"

static const char *const role_names[] = {"portal", "billing", "admin"};

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

apikey_role apikey_role_parse(const char *text)
{
    for (int r = ROLE_PORTAL; r < ROLE_NONE; r++)
        if (strcmp(text, role_names[r]) == 0)
            return (apikey_role)r;
    return ROLE_NONE;
}

const char *apikey_role_name(apikey_role role)
{
    return role < ROLE_NONE ? role_names[role] : "none";
}
