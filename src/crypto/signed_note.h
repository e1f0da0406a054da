/* C2SP signed notes with Ed25519 signatures, and the C2SP tlog-checkpoint text they carry: key hashes, verifier
   keys, signing, verifying against a verifier key, and reading a checkpoint's origin, size and root hash. */
#ifndef ARAYIS_CRYPTO_SIGNED_NOTE_H
#define ARAYIS_CRYPTO_SIGNED_NOTE_H

#include <openssl/types.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define NOTE_KEY_LEN 32        /* an Ed25519 public key */
#define NOTE_KEY_HASH_LEN 4
#define NOTE_ORIGIN_MAX 255    /* the longest key name and checkpoint origin, in bytes */

/* The first 4 bytes of SHA-256(name || "\n" || 0x01 || public key) into out. */
void signed_note_key_hash(const char *name, const unsigned char public_key[NOTE_KEY_LEN],
                          unsigned char out[NOTE_KEY_HASH_LEN]);

/* 1 when name may name a key or a log: 1 to NOTE_ORIGIN_MAX bytes, printable ASCII without space or '+'. */
int signed_note_name_ok(const char *name);

/* The raw 32-byte public key of the Ed25519 key into out. Returns 0, or -1 with e set (ERR_CRYPTO: not Ed25519). */
int signed_note_public_key(EVP_PKEY *key, unsigned char out[NOTE_KEY_LEN], err *e);

/* Appends the verifier key "<name>+<key hash, 8 hex digits>+<base64(0x01 || public key)>" to out. Returns 0, or -1
   with e set (ERR_INVALID for a bad name, ERR_NOMEM). */
int signed_note_verifier_key(buf *out, const char *name, const unsigned char public_key[NOTE_KEY_LEN], err *e);

/* Appends the signed note of text (one or more lines, each ending in a newline, none empty) to out: the text, an
   empty line and "— <name> <base64(key hash || signature)>\n", signed with the Ed25519 key (borrowed). Returns 0,
   or -1 with e set (ERR_INVALID for a bad text or name, ERR_CRYPTO, ERR_NOMEM). */
int signed_note_sign(buf *out, const char *text, const char *name, EVP_PKEY *key, err *e);

/* Checks the note of len bytes against the verifier key (as signed_note_verifier_key writes it): 1 when one of its
   signature lines has the key's name and hash and a valid signature over its text, 0 when none has (e says why),
   -1 with e set when the verifier key cannot be read (ERR_INVALID). On 1, *text_len is the length of the signed
   text (the note's start, its final newline included). */
int signed_note_verify(const char *note, size_t len, const char *verifier_key, size_t *text_len, err *e);

/* A checkpoint's first three lines. */
typedef struct checkpoint_body {
    char origin[NOTE_ORIGIN_MAX + 1];
    uint64_t size;
    unsigned char root[32];
} checkpoint_body;

/* Appends the checkpoint text "<origin>\n<size>\n<base64 root>\n" to out. Returns 0, or -1 with e set. */
int checkpoint_text(buf *out, const checkpoint_body *c, err *e);

/* Reads a checkpoint's text (len bytes, the note's text or the whole note: lines past the third are ignored).
   Returns 0, or -1 with e set (ERR_INVALID naming the line that is wrong). */
int checkpoint_parse(const char *text, size_t len, checkpoint_body *out, err *e);

#endif
