/* Signed notes (C2SP signed-note) with Ed25519 on OpenSSL's EVP_PKEY_ED25519, and checkpoint texts (C2SP
   tlog-checkpoint). */
#include "crypto/signed_note.h"

#include <inttypes.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "crypto/hash.h"

#define SIG_LEN 64
#define ALG_ED25519 0x01
#define DASH "\xe2\x80\x94 " /* U+2014 and a space open each signature line */
#define DASH_LEN 4

void signed_note_key_hash(const char *name, const unsigned char public_key[NOTE_KEY_LEN],
                          unsigned char out[NOTE_KEY_HASH_LEN])
{
    size_t n = strlen(name);
    unsigned char input[NOTE_ORIGIN_MAX + 2 + NOTE_KEY_LEN], digest[32];
    if (n > NOTE_ORIGIN_MAX)
        n = NOTE_ORIGIN_MAX; /* a longer name is refused everywhere before it gets here */
    memcpy(input, name, n);
    input[n] = '\n';
    input[n + 1] = ALG_ED25519;
    memcpy(input + n + 2, public_key, NOTE_KEY_LEN);
    hash_sha256(input, n + 2 + NOTE_KEY_LEN, digest);
    memcpy(out, digest, NOTE_KEY_HASH_LEN);
}

int signed_note_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > NOTE_ORIGIN_MAX)
        return 0;
    for (const char *p = name; *p; p++)
        if (*p <= ' ' || *p > '~' || *p == '+')
            return 0;
    return 1;
}

int signed_note_public_key(EVP_PKEY *key, unsigned char out[NOTE_KEY_LEN], err *e)
{
    size_t len = NOTE_KEY_LEN;
    if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519 || EVP_PKEY_get_raw_public_key(key, out, &len) != 1 ||
        len != NOTE_KEY_LEN) {
        ERR_clear_error();
        return err_set(e, ERR_CRYPTO, "the log key is not an Ed25519 key");
    }
    return 0;
}

int signed_note_verifier_key(buf *out, const char *name, const unsigned char public_key[NOTE_KEY_LEN], err *e)
{
    if (!signed_note_name_ok(name))
        return err_set(e, ERR_INVALID, "a key name must be 1 to %d printable characters without space or '+'",
                       NOTE_ORIGIN_MAX);
    unsigned char hash[NOTE_KEY_HASH_LEN], typed[1 + NOTE_KEY_LEN];
    signed_note_key_hash(name, public_key, hash);
    typed[0] = ALG_ED25519;
    memcpy(typed + 1, public_key, NOTE_KEY_LEN);
    if (buf_printf(out, "%s+%02x%02x%02x%02x+", name, hash[0], hash[1], hash[2], hash[3]) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return b64_encode(out, typed, sizeof typed, e);
}

/* 1 when text is one or more non-empty lines, each ending in a newline. */
static int text_ok(const char *text, size_t len)
{
    if (len == 0 || text[0] == '\n' || text[len - 1] != '\n' || memchr(text, '\0', len) != NULL)
        return 0;
    for (size_t i = 1; i < len; i++)
        if (text[i] == '\n' && text[i - 1] == '\n')
            return 0;
    return 1;
}

int signed_note_sign(buf *out, const char *text, const char *name, EVP_PKEY *key, err *e)
{
    size_t len = strlen(text), sig_len = SIG_LEN;
    unsigned char public_key[NOTE_KEY_LEN], blob[NOTE_KEY_HASH_LEN + SIG_LEN];
    if (!text_ok(text, len) || !signed_note_name_ok(name))
        return err_set(e, ERR_INVALID, "a note needs non-empty lines and a key name without space or '+'");
    if (signed_note_public_key(key, public_key, e) != 0)
        return -1;
    signed_note_key_hash(name, public_key, blob);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
             EVP_DigestSign(ctx, blob + NOTE_KEY_HASH_LEN, &sig_len, (const unsigned char *)text, len) == 1 &&
             sig_len == SIG_LEN;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        ERR_clear_error();
        return err_set(e, ERR_CRYPTO, "cannot sign the note");
    }
    if (buf_append(out, text, len) != 0 || buf_printf(out, "\n" DASH "%s ", name) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (b64_encode(out, blob, sizeof blob, e) != 0)
        return -1;
    return buf_puts(out, "\n") == 0 ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

/* A verifier key taken apart. */
typedef struct verifier {
    char name[NOTE_ORIGIN_MAX + 1];
    unsigned char hash[NOTE_KEY_HASH_LEN];
    unsigned char key[NOTE_KEY_LEN];
} verifier;

static int parse_verifier(const char *text, verifier *v, err *e)
{
    const char *plus1 = strchr(text, '+'), *plus2 = plus1 ? strchr(plus1 + 1, '+') : NULL;
    size_t name_len = plus1 ? (size_t)(plus1 - text) : 0;
    unsigned char typed[1 + NOTE_KEY_LEN], hash[NOTE_KEY_HASH_LEN];
    unsigned h[NOTE_KEY_HASH_LEN];
    int used = 0;
    if (plus2 == NULL || name_len == 0 || name_len > NOTE_ORIGIN_MAX || plus2 - plus1 != 9 ||
        sscanf(plus1 + 1, "%2x%2x%2x%2x%n", &h[0], &h[1], &h[2], &h[3], &used) != 4 || used != 8)
        return err_set(e, ERR_INVALID, "not a verifier key (name+hash+key)");
    memcpy(v->name, text, name_len);
    v->name[name_len] = '\0';
    if (!signed_note_name_ok(v->name) || b64_decode_exact(plus2 + 1, typed, sizeof typed, e) != 0 ||
        typed[0] != ALG_ED25519)
        return err_set(e, ERR_INVALID, "not an Ed25519 verifier key");
    memcpy(v->key, typed + 1, NOTE_KEY_LEN);
    for (size_t i = 0; i < NOTE_KEY_HASH_LEN; i++)
        v->hash[i] = (unsigned char)h[i];
    signed_note_key_hash(v->name, v->key, hash);
    if (memcmp(hash, v->hash, NOTE_KEY_HASH_LEN) != 0)
        return err_set(e, ERR_INVALID, "the verifier key's hash does not match its name and key");
    return 0;
}

/* 1 when the signature line [line, end) is the verifier's and its signature over text is valid. */
static int line_verifies(const char *line, const char *end, const verifier *v, const char *text, size_t text_len)
{
    size_t name_len = strlen(v->name);
    if ((size_t)(end - line) < DASH_LEN + name_len + 1 || memcmp(line, DASH, DASH_LEN) != 0 ||
        memcmp(line + DASH_LEN, v->name, name_len) != 0 || line[DASH_LEN + name_len] != ' ')
        return 0;
    const char *sig_text = line + DASH_LEN + name_len + 1;
    buf blob = BUF_INIT;
    err ignored = {0};
    int ok = 0;
    if (b64_decode(&blob, sig_text, (size_t)(end - sig_text), &ignored) == 0 &&
        blob.len == NOTE_KEY_HASH_LEN + SIG_LEN && memcmp(blob.data, v->hash, NOTE_KEY_HASH_LEN) == 0) {
        EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, v->key, NOTE_KEY_LEN);
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        ok = key && ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
             EVP_DigestVerify(ctx, blob.data + NOTE_KEY_HASH_LEN, SIG_LEN, (const unsigned char *)text, text_len) == 1;
        EVP_MD_CTX_free(ctx);
        EVP_PKEY_free(key);
        ERR_clear_error();
    }
    buf_free(&blob);
    return ok;
}

int signed_note_verify(const char *note, size_t len, const char *verifier_key, size_t *text_len, err *e)
{
    verifier v;
    if (parse_verifier(verifier_key, &v, e) != 0)
        return -1;
    /* the text ends at the last empty line; the signature lines follow it */
    size_t split = 0;
    for (size_t i = len; i-- > 1;)
        if (note[i] == '\n' && note[i - 1] == '\n') {
            split = i;
            break;
        }
    if (split == 0 || len == 0 || note[len - 1] != '\n' || !text_ok(note, split)) {
        err_set(e, ERR_INVALID, "not a signed note");
        return 0;
    }
    for (const char *line = note + split + 1, *end; line < note + len; line = end + 1) {
        end = memchr(line, '\n', (size_t)(note + len - line));
        if (line_verifies(line, end, &v, note, split)) {
            *text_len = split;
            return 1;
        }
    }
    err_set(e, ERR_CRYPTO, "no valid signature by %s", v.name);
    return 0;
}

int checkpoint_text(buf *out, const checkpoint_body *c, err *e)
{
    if (!signed_note_name_ok(c->origin))
        return err_set(e, ERR_INVALID, "a log origin must be 1 to %d printable characters without space or '+'",
                       NOTE_ORIGIN_MAX);
    if (buf_printf(out, "%s\n%" PRIu64 "\n", c->origin, c->size) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return b64_encode(out, c->root, sizeof c->root, e) == 0 && buf_puts(out, "\n") == 0 ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

/* The line at *p (before end) without its newline into [*line, *line_len); moves *p past it. 0, or -1 when there is
   no complete line. */
static int next_line(const char **p, const char *end, const char **line, size_t *line_len)
{
    const char *nl = *p < end ? memchr(*p, '\n', (size_t)(end - *p)) : NULL;
    if (nl == NULL)
        return -1;
    *line = *p;
    *line_len = (size_t)(nl - *p);
    *p = nl + 1;
    return 0;
}

int checkpoint_parse(const char *text, size_t len, checkpoint_body *out, err *e)
{
    const char *p = text, *end = text + len, *line;
    size_t n;
    if (next_line(&p, end, &line, &n) != 0 || n == 0 || n > NOTE_ORIGIN_MAX)
        return err_set(e, ERR_INVALID, "checkpoint: no origin line");
    memcpy(out->origin, line, n);
    out->origin[n] = '\0';
    if (!signed_note_name_ok(out->origin))
        return err_set(e, ERR_INVALID, "checkpoint: a bad origin");
    if (next_line(&p, end, &line, &n) != 0 || n == 0 || n > 19 || (line[0] == '0' && n > 1))
        return err_set(e, ERR_INVALID, "checkpoint: no tree size line");
    out->size = 0;
    for (size_t i = 0; i < n; i++) {
        if (line[i] < '0' || line[i] > '9')
            return err_set(e, ERR_INVALID, "checkpoint: the tree size is not a decimal number");
        out->size = out->size * 10 + (uint64_t)(line[i] - '0');
    }
    char root[64];
    if (next_line(&p, end, &line, &n) != 0 || n >= sizeof root)
        return err_set(e, ERR_INVALID, "checkpoint: no root hash line");
    memcpy(root, line, n);
    root[n] = '\0';
    if (b64_decode_exact(root, out->root, sizeof out->root, e) != 0)
        return err_set(e, ERR_INVALID, "checkpoint: the root hash is not base64 of 32 bytes");
    return 0;
}
