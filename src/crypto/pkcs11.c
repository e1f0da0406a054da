/* PKCS#11 keys through p11-kit's header and URI parser: the module is loaded with dlopen, the token found by its
   URI, one login shared by a pool of sessions (one operation each), and a token that fails is reopened. */
#include "crypto/pkcs11.h"

#include <assert.h>
#include <dlfcn.h>
#include <errno.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "crypto/random.h"

#define P11_SLOTS_MAX 64         /* slots a module may offer */
#define P11_PIN_MAX 256          /* bytes of a PIN */
#define P11_ATTR_MAX 1024        /* bytes of a public key attribute (an RSA-8192 modulus fits) */
#define P11_SIG_MAX 1024         /* bytes of a raw signature (RSA-8192) */
#define P11_ID_MAX 64            /* bytes of a CKA_ID */

struct p11_key {
    void *dl;
    CK_FUNCTION_LIST *f;
    P11KitUri *uri;
    char pin[P11_PIN_MAX];
    size_t pin_len;
    char module[1024];
    CK_SLOT_ID slot;
    CK_OBJECT_HANDLE key;
    CK_KEY_TYPE kind;
    CK_BYTE id[P11_ID_MAX];
    CK_ULONG id_len;
    int initialized;              /* C_Initialize succeeded and C_Finalize is owed */
    atomic_int up;                /* the token answered its last operation */
    pthread_rwlock_t life;        /* read: an operation on a session; write: reopening the token */
    pthread_mutex_t pool;         /* guards the free list and the count of open sessions */
    pthread_cond_t freed;
    CK_SESSION_HANDLE free_sessions[P11_SESSIONS_MAX];
    size_t nfree, open;
    struct timespec last_try;     /* of reopening, CLOCK_MONOTONIC; under the write lock */
    err down_reason;              /* why the token is down; under the write lock */
};

int p11_is_uri(const char *text)
{
    return text != NULL && strncmp(text, "pkcs11:", 7) == 0;
}

/* The class of a failed PKCS#11 call: a refused PIN, a missing token, or a module or token that cannot answer. */
static int p11_fail(err *e, CK_RV rv, const char *what)
{
    err_code code = ERR_UNAVAILABLE;
    if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE || rv == CKR_PIN_LOCKED ||
        rv == CKR_PIN_EXPIRED)
        code = ERR_PERMISSION;
    return err_set(e, code, "%s: PKCS#11 error 0x%lx%s", what, (unsigned long)rv,
                   rv == CKR_PIN_INCORRECT ? " (the token refused the PIN)"
                   : rv == CKR_PIN_LOCKED  ? " (the PIN is locked)"
                                           : "");
}

/* Reads the PIN from a pin-source ("file:PATH" or PATH) after checking the file is a regular file that only its
   owner can read. Returns 0 or -1 with e set. */
static int read_pin_source(p11_key *k, const char *source, err *e)
{
    const char *path = strncmp(source, "file:", 5) == 0 ? source + 5 : source;
    struct stat st;
    if (lstat(path, &st) != 0)
        return err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "cannot read the PIN file %s: %s", path,
                       strerror(errno));
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0)
        return err_set(e, ERR_PERMISSION, "refusing %s: a PIN file must be a regular file with mode 0600 or stricter",
                       path);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return err_set(e, ERR_IO, "cannot read the PIN file %s: %s", path, strerror(errno));
    size_t n = fread(k->pin, 1, sizeof k->pin, f);
    fclose(f); /* opened for reading: nothing to flush */
    if (n == sizeof k->pin)
        return err_set(e, ERR_TOO_LONG, "the PIN in %s is longer than %d bytes", path, P11_PIN_MAX - 1);
    while (n > 0 && (k->pin[n - 1] == '\n' || k->pin[n - 1] == '\r'))
        n--;
    k->pin_len = n;
    return 0;
}

/* Parses the URI and takes the module path and the PIN. Returns 0 or -1 with e set. */
static int take_settings(p11_key *k, const p11_settings *ps, err *e)
{
    k->uri = p11_kit_uri_new();
    if (k->uri == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = p11_kit_uri_parse(ps->uri, P11_KIT_URI_FOR_ANY, k->uri);
    if (rc != P11_KIT_URI_OK)
        return err_set(e, ERR_INVALID, "the signing key URI is not a PKCS#11 URI: %s", p11_kit_uri_message(rc));
    if (p11_kit_uri_get_pin_value(k->uri) != NULL)
        return err_set(e, ERR_INVALID, "the signing key URI holds a pin-value: give the PIN in ARAYIS_PKCS11_PIN or a "
                                       "pin-source file");
    const char *module = ps->module && ps->module[0] ? ps->module : p11_kit_uri_get_module_path(k->uri);
    if (module == NULL || module[0] == '\0')
        return err_set(e, ERR_INVALID, "no PKCS#11 module: set ARAYIS_PKCS11_MODULE or module-path in the URI");
    if (strlen(module) >= sizeof k->module)
        return err_set(e, ERR_TOO_LONG, "the PKCS#11 module path is longer than %zu bytes", sizeof k->module - 1);
    snprintf(k->module, sizeof k->module, "%s", module);
    if (ps->pin && ps->pin[0]) {
        k->pin_len = strlen(ps->pin);
        if (k->pin_len >= sizeof k->pin)
            return err_set(e, ERR_TOO_LONG, "the PIN is longer than %d bytes", P11_PIN_MAX - 1);
        memcpy(k->pin, ps->pin, k->pin_len);
        return 0;
    }
    const char *source = p11_kit_uri_get_pin_source(k->uri);
    if (source == NULL)
        return err_set(e, ERR_INVALID, "no PIN for the token: set ARAYIS_PKCS11_PIN or pin-source in the URI");
    return read_pin_source(k, source, e);
}

static int load_module(p11_key *k, err *e)
{
    k->dl = dlopen(k->module, RTLD_NOW | RTLD_LOCAL);
    if (k->dl == NULL)
        return err_set(e, ERR_NOT_FOUND, "cannot load the PKCS#11 module %s: %s", k->module, dlerror());
    CK_C_GetFunctionList get_list;
    void *sym = dlsym(k->dl, "C_GetFunctionList");
    memcpy(&get_list, &sym, sizeof get_list); /* a data pointer to a function pointer, as POSIX allows */
    if (sym == NULL || get_list(&k->f) != CKR_OK || k->f == NULL)
        return err_set(e, ERR_INVALID, "%s is not a PKCS#11 module", k->module);
    return 0;
}

/* Finds the slot whose token matches the URI. Returns 0 or -1 with e set (ERR_NOT_FOUND for no such token). */
static int find_slot(p11_key *k, err *e)
{
    CK_SLOT_ID slots[P11_SLOTS_MAX];
    CK_ULONG n = P11_SLOTS_MAX;
    CK_RV rv = k->f->C_GetSlotList(CK_TRUE, slots, &n);
    if (rv == CKR_BUFFER_TOO_SMALL)
        return err_set(e, ERR_FULL, "the PKCS#11 module offers more than %d slots", P11_SLOTS_MAX);
    if (rv != CKR_OK)
        return p11_fail(e, rv, "cannot list the PKCS#11 slots");
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO info;
        if (k->f->C_GetTokenInfo(slots[i], &info) == CKR_OK && (info.flags & CKF_TOKEN_INITIALIZED) &&
            p11_kit_uri_match_token_info(k->uri, &info)) {
            k->slot = slots[i];
            return 0;
        }
    }
    return err_set(e, ERR_NOT_FOUND, "no token of the signing key URI is present in %s", k->module);
}

static int login(p11_key *k, CK_SESSION_HANDLE s, err *e)
{
    CK_RV rv = k->f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)k->pin, (CK_ULONG)k->pin_len);
    return rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN ? 0 : p11_fail(e, rv, "cannot log in to the token");
}

/* Finds the one object of class cls matching the URI's label and id (or the given id when id_len > 0).
   Returns 1 found, 0 none, -1 with e set (ERR_CONFLICT when several match). */
static int find_object(p11_key *k, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const CK_BYTE *id, CK_ULONG id_len,
                       CK_OBJECT_HANDLE *out, err *e)
{
    CK_ATTRIBUTE tmpl[3] = {{CKA_CLASS, &cls, sizeof cls}};
    CK_ULONG n = 1;
    CK_ATTRIBUTE *label = p11_kit_uri_get_attribute(k->uri, CKA_LABEL);
    CK_ATTRIBUTE *uri_id = p11_kit_uri_get_attribute(k->uri, CKA_ID);
    if (id_len > 0)
        tmpl[n++] = (CK_ATTRIBUTE){CKA_ID, (void *)id, id_len};
    else if (uri_id != NULL)
        tmpl[n++] = *uri_id;
    if (label != NULL)
        tmpl[n++] = *label;
    if (n == 1)
        return err_set(e, ERR_INVALID, "the signing key URI names no object: add object= or id=");
    CK_OBJECT_HANDLE found[2];
    CK_ULONG count = 0;
    CK_RV rv = k->f->C_FindObjectsInit(s, tmpl, n);
    if (rv == CKR_OK) {
        rv = k->f->C_FindObjects(s, found, 2, &count);
        CK_RV rv2 = k->f->C_FindObjectsFinal(s);
        rv = rv != CKR_OK ? rv : rv2;
    }
    if (rv != CKR_OK)
        return p11_fail(e, rv, "cannot search the token");
    if (count > 1)
        return err_set(e, ERR_CONFLICT, "more than one key in the token matches the signing key URI: add id=");
    if (count == 1)
        *out = found[0];
    return (int)count;
}

/* Reads the private key's type and id. Returns 0 or -1 with e set (ERR_INVALID for a key neither EC nor RSA). */
static int describe_key(p11_key *k, CK_SESSION_HANDLE s, err *e)
{
    CK_ATTRIBUTE attrs[] = {{CKA_KEY_TYPE, &k->kind, sizeof k->kind}, {CKA_ID, k->id, sizeof k->id}};
    CK_RV rv = k->f->C_GetAttributeValue(s, k->key, attrs, 2);
    if (rv != CKR_OK && rv != CKR_ATTRIBUTE_TYPE_INVALID)
        return p11_fail(e, rv, "cannot read the signing key's attributes");
    k->id_len = attrs[1].ulValueLen == CK_UNAVAILABLE_INFORMATION ? 0 : attrs[1].ulValueLen;
    if (k->kind != CKK_EC && k->kind != CKK_RSA)
        return err_set(e, ERR_INVALID, "the token's signing key is neither EC nor RSA");
    return 0;
}

/* Initializes the module, finds the token, opens a first session, logs in and (when find_key) finds the key;
   the session becomes the pool's first free one. Returns 0 or -1 with e set. */
static int connect_token(p11_key *k, int find_key, CK_SESSION_HANDLE *first, err *e)
{
    CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
    CK_RV rv = k->f->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
        return p11_fail(e, rv, "cannot initialize the PKCS#11 module");
    k->initialized = rv == CKR_OK;
    CK_SESSION_HANDLE s;
    if (find_slot(k, e) != 0)
        return -1;
    rv = k->f->C_OpenSession(k->slot, CKF_SERIAL_SESSION | (find_key ? 0 : CKF_RW_SESSION), NULL, NULL, &s);
    if (rv != CKR_OK)
        return p11_fail(e, rv, "cannot open a session on the token");
    *first = s;
    if (login(k, s, e) != 0)
        return -1;
    if (!find_key)
        return 0;
    int found = find_object(k, s, CKO_PRIVATE_KEY, NULL, 0, &k->key, e);
    if (found == 0)
        err_set(e, ERR_NOT_FOUND, "the token holds no private key matching the signing key URI");
    return found == 1 ? describe_key(k, s, e) : -1;
}

/* Closes every session and finalizes the module; sessions handed out must all be back (write lock held). */
static void disconnect_token(p11_key *k)
{
    if (k->initialized)
        k->f->C_Finalize(NULL); /* closes every session; nothing is left to clean whatever it answers */
    k->initialized = 0;
    k->nfree = 0;
    k->open = 0;
}

/* A p11_key with its settings taken and its module loaded, not yet connected. */
static p11_key *key_new(const p11_settings *ps, err *e)
{
    assert(ps != NULL && ps->uri != NULL);
    p11_key *k = calloc(1, sizeof *k);
    if (k == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    /* a writer reopening the token must not wait behind a stream of signers */
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    int ok = pthread_rwlock_init(&k->life, &attr) == 0;
    pthread_rwlockattr_destroy(&attr);
    if (!ok || pthread_mutex_init(&k->pool, NULL) != 0 || pthread_cond_init(&k->freed, NULL) != 0) {
        err_set(e, ERR_NOMEM, "cannot make the token's locks");
        free(k);
        return NULL;
    }
    if (take_settings(k, ps, e) != 0 || load_module(k, e) != 0) {
        p11_key_close(k);
        return NULL;
    }
    return k;
}

p11_key *p11_key_open(const p11_settings *ps, err *e)
{
    p11_key *k = key_new(ps, e);
    CK_SESSION_HANDLE first = CK_INVALID_HANDLE;
    if (k == NULL)
        return NULL;
    if (connect_token(k, 1, &first, e) != 0) {
        p11_key_close(k);
        return NULL;
    }
    k->free_sessions[k->nfree++] = first;
    k->open = 1;
    atomic_store(&k->up, 1);
    clock_gettime(CLOCK_MONOTONIC, &k->last_try);
    return k;
}

void p11_key_close(p11_key *k)
{
    if (k == NULL)
        return;
    if (k->f != NULL)
        disconnect_token(k);
    if (k->dl != NULL)
        dlclose(k->dl);
    p11_kit_uri_free(k->uri);
    OPENSSL_cleanse(k->pin, sizeof k->pin);
    pthread_cond_destroy(&k->freed);
    pthread_mutex_destroy(&k->pool);
    pthread_rwlock_destroy(&k->life);
    free(k);
}

const char *p11_key_type(const p11_key *k)
{
    return k->kind == CKK_RSA ? "rsa" : "ec";
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Reopens a token that is down, at most once per P11_RETRY_MS. Returns 0 when it is up, -1 with e set. */
static int ensure_up(p11_key *k, err *e)
{
    if (atomic_load(&k->up))
        return 0;
    pthread_rwlock_wrlock(&k->life);
    int rc = 0;
    if (!atomic_load(&k->up)) {
        if (elapsed_ms(&k->last_try) >= P11_RETRY_MS) {
            CK_SESSION_HANDLE first = CK_INVALID_HANDLE;
            clock_gettime(CLOCK_MONOTONIC, &k->last_try);
            disconnect_token(k);
            err_clear(&k->down_reason);
            if (connect_token(k, 1, &first, &k->down_reason) == 0) {
                k->free_sessions[k->nfree++] = first;
                k->open = 1;
                atomic_store(&k->up, 1);
            }
        }
        if (!atomic_load(&k->up))
            rc = err_set(e, ERR_UNAVAILABLE, "the signing token is unavailable: %s", k->down_reason.msg);
    }
    pthread_rwlock_unlock(&k->life);
    return rc;
}

int p11_key_ready(p11_key *k, err *e)
{
    return ensure_up(k, e) == 0;
}

/* Takes a free session, opening a new one while fewer than P11_SESSIONS_MAX are open, else waiting up to
   P11_SESSION_WAIT_MS for one (read lock held). Returns 0 or -1 with e set. */
static int take_session(p11_key *k, CK_SESSION_HANDLE *s, err *e)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += P11_SESSION_WAIT_MS / 1000;
    pthread_mutex_lock(&k->pool);
    int waited = 0;
    while (k->nfree == 0 && k->open >= P11_SESSIONS_MAX && waited == 0)
        waited = pthread_cond_timedwait(&k->freed, &k->pool, &deadline);
    if (k->nfree > 0) {
        *s = k->free_sessions[--k->nfree];
        pthread_mutex_unlock(&k->pool);
        return 0;
    }
    if (k->open >= P11_SESSIONS_MAX) {
        pthread_mutex_unlock(&k->pool);
        return err_set(e, ERR_UNAVAILABLE, "all %d token sessions stayed busy for %d ms", P11_SESSIONS_MAX,
                       P11_SESSION_WAIT_MS);
    }
    k->open++;
    pthread_mutex_unlock(&k->pool);
    CK_RV rv = k->f->C_OpenSession(k->slot, CKF_SERIAL_SESSION, NULL, NULL, s);
    if (rv == CKR_OK)
        return 0;
    pthread_mutex_lock(&k->pool);
    k->open--;
    pthread_cond_signal(&k->freed);
    pthread_mutex_unlock(&k->pool);
    return p11_fail(e, rv, "cannot open a session on the token");
}

static void give_session(p11_key *k, CK_SESSION_HANDLE s)
{
    pthread_mutex_lock(&k->pool);
    k->free_sessions[k->nfree++] = s;
    pthread_cond_signal(&k->freed);
    pthread_mutex_unlock(&k->pool);
}

/* Turns the token's r || s into a DER ECDSA-Sig-Value. Returns 0 or -1. */
static int ecdsa_der(const CK_BYTE *raw, CK_ULONG len, unsigned char **sig, size_t *sig_len)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, (int)(len / 2), NULL), *s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
    int n = -1;
    if (es != NULL && r != NULL && s != NULL && len % 2 == 0 && ECDSA_SIG_set0(es, r, s) == 1) {
        r = s = NULL; /* owned by es now */
        *sig = NULL;
        n = i2d_ECDSA_SIG(es, sig);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    if (n <= 0)
        return -1;
    *sig_len = (size_t)n;
    return 0;
}

/* One signature on session s. Returns CKR_OK with raw/raw_len set, or the token's error. */
static CK_RV sign_on(p11_key *k, CK_SESSION_HANDLE s, const unsigned char *data, size_t len, CK_BYTE *raw,
                     CK_ULONG *raw_len)
{
    unsigned char md[32];
    CK_MECHANISM mech = {k->kind == CKK_EC ? CKM_ECDSA : CKM_SHA256_RSA_PKCS, NULL, 0};
    const unsigned char *input = data;
    CK_ULONG input_len = (CK_ULONG)len;
    if (k->kind == CKK_EC) {
        if (EVP_Digest(data, len, md, NULL, EVP_sha256(), NULL) != 1)
            return CKR_FUNCTION_FAILED;
        input = md;
        input_len = sizeof md;
    }
    CK_RV rv = k->f->C_SignInit(s, &mech, k->key);
    return rv == CKR_OK ? k->f->C_Sign(s, (CK_BYTE_PTR)input, input_len, raw, raw_len) : rv;
}

int p11_key_sign(p11_key *k, const unsigned char *data, size_t len, unsigned char **sig, size_t *sig_len, err *e)
{
    if (ensure_up(k, e) != 0)
        return -1;
    pthread_rwlock_rdlock(&k->life);
    CK_SESSION_HANDLE s;
    CK_BYTE raw[P11_SIG_MAX];
    CK_ULONG raw_len = sizeof raw;
    int rc = -1;
    if (!atomic_load(&k->up)) {
        err_set(e, ERR_UNAVAILABLE, "the signing token is unavailable");
        goto out;
    }
    if (take_session(k, &s, e) != 0)
        goto out;
    CK_RV rv = sign_on(k, s, data, len, raw, &raw_len);
    if (rv != CKR_OK) {
        /* the session goes with the token: it is reopened whole by the next ensure_up */
        atomic_store(&k->up, 0);
        p11_fail(e, rv, "the signing token failed");
        goto out;
    }
    give_session(k, s);
    if (k->kind == CKK_EC) {
        if (ecdsa_der(raw, raw_len, sig, sig_len) != 0) {
            err_set(e, ERR_CRYPTO, "cannot encode the token's ECDSA signature");
            goto out;
        }
    } else if ((*sig = OPENSSL_memdup(raw, raw_len)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    } else {
        *sig_len = raw_len;
    }
    rc = 0;
out:
    pthread_rwlock_unlock(&k->life);
    if (rc != 0 && e->code == ERR_UNAVAILABLE && !atomic_load(&k->up)) {
        pthread_rwlock_wrlock(&k->life);
        k->down_reason = *e;
        pthread_rwlock_unlock(&k->life);
    }
    return rc;
}

/* Reads attribute type of object o into out (at most P11_ATTR_MAX bytes). Returns its length, or -1. */
static long read_attribute(p11_key *k, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
                           CK_BYTE *out)
{
    CK_ATTRIBUTE a = {type, out, P11_ATTR_MAX};
    CK_RV rv = k->f->C_GetAttributeValue(s, o, &a, 1);
    return rv == CKR_OK && a.ulValueLen != CK_UNAVAILABLE_INFORMATION ? (long)a.ulValueLen : -1;
}

/* An EVP_PKEY from the token's EC parameters (a named curve's OID) and point (a DER OCTET STRING). */
static EVP_PKEY *ec_public(const CK_BYTE *params, long params_len, const CK_BYTE *point, long point_len)
{
    const unsigned char *p = params, *q = point;
    ASN1_OBJECT *curve = d2i_ASN1_OBJECT(NULL, &p, params_len);
    ASN1_OCTET_STRING *octets = d2i_ASN1_OCTET_STRING(NULL, &q, point_len);
    const char *group = curve ? OBJ_nid2sn(OBJ_obj2nid(curve)) : NULL;
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (group != NULL && octets != NULL && ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1) {
        OSSL_PARAM params_list[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0),
            OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)ASN1_STRING_get0_data(octets),
                                              (size_t)ASN1_STRING_length(octets)),
            OSSL_PARAM_construct_end()};
        if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params_list) != 1)
            key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    ASN1_OCTET_STRING_free(octets);
    ASN1_OBJECT_free(curve);
    return key;
}

/* An EVP_PKEY from the token's RSA modulus and public exponent (big-endian). */
static EVP_PKEY *rsa_public(const CK_BYTE *n, long n_len, const CK_BYTE *ex, long ex_len)
{
    BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL), *be = BN_bin2bn(ex, (int)ex_len, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (bn && be && bld && ctx && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
        EVP_PKEY_fromdata_init(ctx) == 1 && EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn);
    BN_free(be);
    return key;
}

EVP_PKEY *p11_key_public(p11_key *k, err *e)
{
    if (ensure_up(k, e) != 0)
        return NULL;
    pthread_rwlock_rdlock(&k->life);
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE pub;
    EVP_PKEY *key = NULL;
    CK_BYTE *a = malloc(P11_ATTR_MAX), *b = malloc(P11_ATTR_MAX);
    if (a == NULL || b == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (take_session(k, &s, e) != 0)
        goto out;
    int found = find_object(k, s, CKO_PUBLIC_KEY, k->id, k->id_len, &pub, e);
    if (found == 1) {
        long la = read_attribute(k, s, pub, k->kind == CKK_EC ? CKA_EC_PARAMS : CKA_MODULUS, a);
        long lb = read_attribute(k, s, pub, k->kind == CKK_EC ? CKA_EC_POINT : CKA_PUBLIC_EXPONENT, b);
        if (la > 0 && lb > 0)
            key = k->kind == CKK_EC ? ec_public(a, la, b, lb) : rsa_public(a, la, b, lb);
        if (key == NULL)
            err_set(e, ERR_CRYPTO, "cannot read the public key of the token's signing key");
    } else if (found == 0) {
        err_set(e, ERR_NOT_FOUND, "the token holds no public key object for the signing key");
    }
    give_session(k, s);
out:
    pthread_rwlock_unlock(&k->life);
    free(a);
    free(b);
    return key;
}

/* The DER of the named curve P-256's OID, as CKA_EC_PARAMS wants it. Returns its length, or -1. */
static int p256_params(unsigned char **der)
{
    *der = NULL;
    return i2d_ASN1_OBJECT(OBJ_nid2obj(NID_X9_62_prime256v1), der);
}

static int generate_pair(p11_key *k, CK_SESSION_HANDLE s, const char *key_type, err *e)
{
    CK_ATTRIBUTE *label = p11_kit_uri_get_attribute(k->uri, CKA_LABEL);
    CK_ATTRIBUTE *uri_id = p11_kit_uri_get_attribute(k->uri, CKA_ID);
    if (label == NULL)
        return err_set(e, ERR_INVALID, "the key URI needs object= (the new key's label)");
    CK_OBJECT_HANDLE existing;
    int found = find_object(k, s, CKO_PRIVATE_KEY, NULL, 0, &existing, e);
    if (found != 0)
        return found < 0 ? -1 : err_set(e, ERR_CONFLICT, "the token already holds a private key with that label");
    CK_BYTE id[16];
    if (uri_id == NULL && random_bytes(id, sizeof id) != 0)
        return err_set(e, ERR_RANDOM, "no randomness for the key id");
    CK_ATTRIBUTE id_attr = uri_id ? *uri_id : (CK_ATTRIBUTE){CKA_ID, id, sizeof id};
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ULONG bits = 2048;
    CK_BYTE exponent[] = {0x01, 0x00, 0x01};
    unsigned char *params = NULL;
    int rsa = strcmp(key_type, "rsa") == 0, params_len = rsa ? 0 : p256_params(&params);
    if (!rsa && params_len <= 0)
        return err_set(e, ERR_CRYPTO, "cannot encode the P-256 curve");
    CK_ATTRIBUTE pub[] = {{CKA_TOKEN, &yes, sizeof yes}, {CKA_VERIFY, &yes, sizeof yes}, *label, id_attr,
                          rsa ? (CK_ATTRIBUTE){CKA_MODULUS_BITS, &bits, sizeof bits}
                              : (CK_ATTRIBUTE){CKA_EC_PARAMS, params, (CK_ULONG)params_len},
                          {CKA_PUBLIC_EXPONENT, exponent, sizeof exponent}};
    CK_ATTRIBUTE priv[] = {{CKA_TOKEN, &yes, sizeof yes},      {CKA_PRIVATE, &yes, sizeof yes},
                           {CKA_SENSITIVE, &yes, sizeof yes},  {CKA_EXTRACTABLE, &no, sizeof no},
                           {CKA_SIGN, &yes, sizeof yes},       *label,
                           id_attr};
    CK_MECHANISM mech = {rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_OBJECT_HANDLE hpub, hpriv;
    CK_RV rv = k->f->C_GenerateKeyPair(s, &mech, pub, rsa ? 6 : 5, priv, 7, &hpub, &hpriv);
    OPENSSL_free(params);
    return rv == CKR_OK ? 0 : p11_fail(e, rv, "the token cannot make the key pair");
}

int p11_generate(const p11_settings *ps, const char *key_type, err *e)
{
    assert(key_type != NULL);
    if (strcmp(key_type, "ec") != 0 && strcmp(key_type, "rsa") != 0)
        return err_set(e, ERR_INVALID, "the key type must be ec or rsa");
    p11_key *k = key_new(ps, e);
    CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
    if (k == NULL)
        return -1;
    int rc = connect_token(k, 0, &s, e) == 0 ? generate_pair(k, s, key_type, e) : -1;
    p11_key_close(k);
    return rc;
}
