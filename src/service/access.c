/* Finding API keys by the hash of the presented key: the clear key goes nowhere else. */
#include "service/access.h"

#include <assert.h>

#include "crypto/apikey_secret.h"
#include "service/context.h"
#include "store/apikeys.h"

int access_find_key(services *svc, const char *token, apikey_row *key, err *e)
{
    assert(svc != NULL && token != NULL && key != NULL);
    char hash[SHA256_HEX_LEN + 1];
    apikey_hash(token, hash);
    db *d = store_db(svc->store, e);
    return d ? apikeys_find_active(d, hash, key, e) : -1;
}
