/* The log key file: Ed25519, PEM, beside the signing key and under the same rules. */
#include "crypto/log_key.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>

#include "core/path.h"
#include "crypto/signer.h"
#include "crypto/signing_key.h"

EVP_PKEY *log_key_load(const char *keys_dir, err *e)
{
    char path[1024];
    EVP_PKEY *key = NULL;
    if (path_join(path, sizeof path, keys_dir, LOG_KEY_FILE, e) != 0 || (key = signing_key_read_file(path, e)) == NULL)
        return NULL;
    if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(key);
        err_set(e, ERR_CRYPTO, "%s is not an Ed25519 key", path);
        return NULL;
    }
    return key;
}

int log_key_ensure(const char *keys_dir, int *created, err *e)
{
    char path[1024];
    struct stat st;
    *created = 0;
    if (mkdir(keys_dir, 0700) != 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "cannot create %s: %s", keys_dir, strerror(errno));
    if (path_join(path, sizeof path, keys_dir, LOG_KEY_FILE, e) != 0)
        return -1;
    if (lstat(path, &st) == 0)
        return 0;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    if (key == NULL) {
        ERR_clear_error();
        return err_set(e, ERR_CRYPTO, "cannot make an Ed25519 key");
    }
    int rc = signer_write_pem(keys_dir, LOG_KEY_FILE, 0600, key, NULL, e);
    EVP_PKEY_free(key);
    *created = rc == 0;
    return rc;
}
