/* Signing with a key file's key in memory or with a PKCS#11 token's key, behind one interface. */
#include "crypto/signing_key.h"

#include <assert.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/path.h"
#include "crypto/pkcs11.h"

struct signing_key {
    EVP_PKEY *pkey;   /* a key in memory, or NULL */
    p11_key *token;   /* a token key, or NULL */
};

int signing_key_in_token(const config *c)
{
    return p11_is_uri(c->signing_key);
}

EVP_PKEY *signing_key_read_file(const char *path, err *e)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        err_set(e, ERR_PERMISSION, "refusing %s: a private key must be a regular file with mode 0600 or stricter", path);
        return NULL;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f); /* opened for reading: nothing to flush */
    if (key == NULL) {
        unsigned long code = ERR_get_error();
        char reason[160] = "";
        if (code)
            ERR_error_string_n(code, reason, sizeof reason);
        ERR_clear_error();
        err_set(e, ERR_CRYPTO, "cannot parse the private key%s%s", code ? ": " : "", reason);
    }
    return key;
}

signing_key *signing_key_of_pkey(EVP_PKEY *key)
{
    signing_key *k = calloc(1, sizeof *k);
    if (k == NULL) {
        EVP_PKEY_free(key);
        return NULL;
    }
    k->pkey = key;
    return k;
}

signing_key *signing_key_open(const config *c, err *e)
{
    assert(c != NULL);
    if (signing_key_in_token(c)) {
        p11_settings ps = {c->signing_key, c->pkcs11_module, c->pkcs11_pin};
        p11_key *token = p11_key_open(&ps, e);
        signing_key *k = token ? calloc(1, sizeof *k) : NULL;
        if (token != NULL && k == NULL) {
            err_set(e, ERR_NOMEM, "out of memory");
            p11_key_close(token);
        } else if (k != NULL) {
            k->token = token;
        }
        return k;
    }
    char path[1024];
    EVP_PKEY *key = NULL;
    if (path_join(path, sizeof path, c->keys_dir, SIGNING_KEY_FILE, e) != 0 || (key = signing_key_read_file(path, e)) == NULL)
        return NULL;
    signing_key *k = signing_key_of_pkey(key);
    if (k == NULL)
        err_set(e, ERR_NOMEM, "out of memory");
    return k;
}

void signing_key_free(signing_key *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    p11_key_close(k->token);
    free(k);
}

EVP_PKEY *signing_key_public(signing_key *k, err *e)
{
    if (k->token != NULL)
        return p11_key_public(k->token, e);
    if (EVP_PKEY_up_ref(k->pkey) != 1) {
        err_set(e, ERR_CRYPTO, "cannot share the signing key");
        return NULL;
    }
    return k->pkey;
}

int signing_key_sign(signing_key *k, const unsigned char *data, size_t len, unsigned char **sig, size_t *sig_len,
                     err *e)
{
    if (k->token != NULL)
        return p11_key_sign(k->token, data, len, sig, sig_len, e);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    *sig = NULL;
    int ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
             EVP_DigestSign(ctx, NULL, sig_len, data, len) == 1 && (*sig = OPENSSL_malloc(*sig_len)) != NULL &&
             EVP_DigestSign(ctx, *sig, sig_len, data, len) == 1;
    EVP_MD_CTX_free(ctx);
    if (ok)
        return 0;
    OPENSSL_free(*sig);
    *sig = NULL;
    ERR_clear_error();
    return err_set(e, ERR_CRYPTO, "signing with the key file's key failed");
}

int signing_key_ready(signing_key *k, err *e)
{
    return k->token == NULL || p11_key_ready(k->token, e);
}

int signing_key_is_token(const signing_key *k)
{
    return k->token != NULL;
}
