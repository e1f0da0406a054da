/* Unit tests of signed notes and checkpoints: a known answer computed by the openssl command line (Ed25519 signature
   over the note text, key hash over name, 0x01 and the public key), verification against verifier keys, and the
   checkpoint text both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/b64.h"
#include "crypto/log_key.h"
#include "crypto/signed_note.h"
#include "scratch_dir.h"

#define ORIGIN "arayis.example.az/log"
#define TEXT ORIGIN "\n7\nqkFzSLpnGCD7WKqQgyhdrXyRsYDVfzHHTjnGfzHHTjk=\n"

static size_t read_file(const char *path, unsigned char *out, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(out, 1, cap, f);
    fclose(f);
    return n;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static int run(const char *fmt, const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, fmt, dir, dir, dir, dir);
    return system(cmd);
}

/* The key made by log_key_ensure, its signature of TEXT by `openssl pkeyutl -sign -rawin`, and its key hash by
   `openssl dgst` over name "\n" 0x01 key, against what signed_note_sign writes. */
static void test_known_answer_from_openssl(void **state)
{
    (void)state;
    char dir[SCRATCH_DIR_LEN], path[128];
    err e = {0};
    int created = 0;
    assert_int_equal(scratch_dir_make(dir, "note"), 0);
    assert_int_equal(log_key_ensure(dir, &created, &e), 0);
    assert_int_equal(created, 1);
    struct stat st;
    snprintf(path, sizeof path, "%s/log.key", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(log_key_ensure(dir, &created, &e), 0);
    assert_int_equal(created, 0);
    EVP_PKEY *key = log_key_load(dir, &e);
    assert_non_null(key);

    snprintf(path, sizeof path, "%s/text", dir);
    write_file(path, TEXT, strlen(TEXT));
    assert_int_equal(run("openssl pkeyutl -sign -rawin -inkey %s/log.key -in %s/text -out %s/sig", dir), 0);
    assert_int_equal(run("openssl pkey -in %s/log.key -pubout -outform DER -out %s/pub.der", dir), 0);
    unsigned char sig[128], der[128], hashed[512], digest[64];
    snprintf(path, sizeof path, "%s/sig", dir);
    assert_int_equal(read_file(path, sig, sizeof sig), 64);
    snprintf(path, sizeof path, "%s/pub.der", dir);
    size_t der_len = read_file(path, der, sizeof der);
    assert_int_equal(der_len, 44); /* SubjectPublicKeyInfo: 12 bytes of header, then the 32-byte key */
    size_t n = strlen(ORIGIN);
    memcpy(hashed, ORIGIN "\n\x01", n + 2);
    memcpy(hashed + n + 2, der + 12, 32);
    snprintf(path, sizeof path, "%s/hashed", dir);
    write_file(path, hashed, n + 34);
    assert_int_equal(run("openssl dgst -sha256 -binary -out %s/digest %s/hashed", dir), 0);
    snprintf(path, sizeof path, "%s/digest", dir);
    assert_int_equal(read_file(path, digest, sizeof digest), 32);

    buf note = BUF_INIT, want = BUF_INIT, blob_text = BUF_INIT;
    unsigned char blob[68];
    memcpy(blob, digest, 4);
    memcpy(blob + 4, sig, 64);
    assert_int_equal(b64_encode(&blob_text, blob, sizeof blob, &e), 0);
    assert_int_equal(buf_printf(&want, "%s\n\xe2\x80\x94 %s %s\n", TEXT, ORIGIN, buf_cstr(&blob_text)), 0);
    assert_int_equal(signed_note_sign(&note, TEXT, ORIGIN, key, &e), 0);
    assert_string_equal(buf_cstr(&note), buf_cstr(&want));

    unsigned char public_key[32], hash[4];
    assert_int_equal(signed_note_public_key(key, public_key, &e), 0);
    assert_memory_equal(public_key, der + 12, 32);
    signed_note_key_hash(ORIGIN, public_key, hash);
    assert_memory_equal(hash, digest, 4);

    buf_free(&note);
    buf_free(&want);
    buf_free(&blob_text);
    EVP_PKEY_free(key);
    assert_int_equal(scratch_dir_remove(dir), 0);
}

static void test_verify_against_verifier_keys(void **state)
{
    (void)state;
    err e = {0};
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), *other = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    unsigned char pub[32], other_pub[32];
    assert_int_equal(signed_note_public_key(key, pub, &e), 0);
    assert_int_equal(signed_note_public_key(other, other_pub, &e), 0);
    buf note = BUF_INIT, vkey = BUF_INIT, wrong = BUF_INIT, renamed = BUF_INIT;
    assert_int_equal(signed_note_sign(&note, TEXT, ORIGIN, key, &e), 0);
    assert_int_equal(signed_note_verifier_key(&vkey, ORIGIN, pub, &e), 0);
    assert_int_equal(signed_note_verifier_key(&wrong, ORIGIN, other_pub, &e), 0);
    assert_int_equal(signed_note_verifier_key(&renamed, "other.example/log", pub, &e), 0);
    assert_non_null(strstr(buf_cstr(&vkey), ORIGIN "+"));

    size_t text_len = 0;
    const char *n = buf_cstr(&note);
    assert_int_equal(signed_note_verify(n, note.len, buf_cstr(&vkey), &text_len, &e), 1);
    assert_int_equal(text_len, strlen(TEXT));
    assert_int_equal(signed_note_verify(n, note.len, buf_cstr(&wrong), &text_len, &e), 0);
    assert_int_equal(signed_note_verify(n, note.len, buf_cstr(&renamed), &text_len, &e), 0);
    assert_int_equal(signed_note_verify(n, note.len, "not a key", &text_len, &e), -1);

    /* any changed byte of the text, or of the signature, breaks it */
    for (size_t i = 0; i < note.len - 1; i++) {
        if (note.data[i] == '\n')
            continue;
        note.data[i] ^= 0x01;
        assert_int_not_equal(signed_note_verify(n, note.len, buf_cstr(&vkey), &text_len, &e), 1);
        note.data[i] ^= 0x01;
    }
    /* another signer's line before ours does not hide ours */
    buf two = BUF_INIT, other_note = BUF_INIT;
    assert_int_equal(signed_note_sign(&other_note, TEXT, "witness.example", other, &e), 0);
    const char *other_line = strstr(buf_cstr(&other_note), "\n\n") + 2;
    assert_int_equal(buf_puts(&two, TEXT "\n"), 0);
    assert_int_equal(buf_puts(&two, other_line), 0);
    assert_int_equal(buf_puts(&two, strstr(n, "\n\n") + 2), 0);
    assert_int_equal(signed_note_verify(buf_cstr(&two), two.len, buf_cstr(&vkey), &text_len, &e), 1);

    buf bad = BUF_INIT;
    assert_int_equal(signed_note_sign(&bad, "no newline", ORIGIN, key, &e), -1);
    assert_int_equal(signed_note_sign(&bad, "a\n\nb\n", ORIGIN, key, &e), -1);
    assert_int_equal(signed_note_sign(&bad, TEXT, "with space", key, &e), -1);
    buf_free(&bad);
    buf_free(&two);
    buf_free(&other_note);
    buf_free(&note);
    buf_free(&vkey);
    buf_free(&wrong);
    buf_free(&renamed);
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
}

static void test_checkpoint_text_round_trip(void **state)
{
    (void)state;
    err e = {0};
    checkpoint_body c = {ORIGIN, 1234567, {0}}, back;
    for (int i = 0; i < 32; i++)
        c.root[i] = (unsigned char)(i * 9);
    buf text = BUF_INIT;
    assert_int_equal(checkpoint_text(&text, &c, &e), 0);
    assert_non_null(strstr(buf_cstr(&text), ORIGIN "\n1234567\n"));
    assert_int_equal(checkpoint_parse(buf_cstr(&text), text.len, &back, &e), 0);
    assert_string_equal(back.origin, ORIGIN);
    assert_true(back.size == 1234567);
    assert_memory_equal(back.root, c.root, 32);
    assert_int_equal(checkpoint_parse(TEXT, strlen(TEXT), &back, &e), 0);
    assert_true(back.size == 7);
    static const char *const bad[] = {
        "",
        "origin\n",
        "origin\n07\nqkFzSLpnGCD7WKqQgyhdrXyRsYDVfzHHTjnGfzHHTjk=\n",
        "origin\n-7\nqkFzSLpnGCD7WKqQgyhdrXyRsYDVfzHHTjnGfzHHTjk=\n",
        "origin\n7\nqkFzSLpnGCD7WKqQgyhdrXyRsYDVfzHHTjnGfzHHTg==\n",
        "origin\n7\nqkFzSLpnGCD7WKqQgyhdrXyRsYDVfzHHTjnGfzHHTjk=",
        "two words\n7\nqkFzSLpnGCD7WKqQgyhdrXyRsYDVfzHHTjnGfzHHTjk=\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(checkpoint_parse(bad[i], strlen(bad[i]), &back, &e), -1);
    buf_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer_from_openssl),
        cmocka_unit_test(test_verify_against_verifier_keys),
        cmocka_unit_test(test_checkpoint_text_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
