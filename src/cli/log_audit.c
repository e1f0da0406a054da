/* The auditor. Its state is a JSON file: the log's origin and verifier key, the size and root of the last checkpoint
   verified, and the compact range of that tree (the roots of its complete subtrees, largest first), from which the
   next root is recomputed with only the new entries. */
#include "cli/log_audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/http_get.h"
#include "crypto/b64.h"
#include "crypto/merkle.h"
#include "crypto/signed_note.h"
#include "model/tlog_entry.h"

#define PAGE 256

typedef struct audit_state {
    char verifier_key[512];          /* "" when unknown */
    checkpoint_body last;            /* size 0: nothing verified yet */
    merkle_range range;              /* of last */
} audit_state;

static int fail(const char *fmt, const char *detail)
{
    fprintf(stderr, "arayis: ");
    fprintf(stderr, fmt, detail);
    fputc('\n', stderr);
    return 1;
}

/* GETs base + path into out, which must answer 200. Returns 0, or 1 said on stderr. */
static int fetch(const char *base, const char *path, buf *out)
{
    buf url = BUF_INIT;
    err e = {0};
    int rc = buf_printf(&url, "%s%s", base, path) == 0 ? http_get(buf_cstr(&url), out, &e) : -1;
    if (rc != 200) {
        if (rc < 0)
            fprintf(stderr, "arayis: %s\n", e.msg[0] ? e.msg : "out of memory");
        else
            fprintf(stderr, "arayis: GET %s answered %d\n", buf_cstr(&url), rc);
    }
    buf_free(&url);
    return rc == 200 ? 0 : 1;
}

static json_t *fetch_json(const char *base, const char *path)
{
    buf body = BUF_INIT;
    json_t *j = NULL;
    if (fetch(base, path, &body) == 0 && (j = json_loadb((const char *)body.data, body.len, 0, NULL)) == NULL)
        fprintf(stderr, "arayis: %s%s did not answer JSON\n", base, path);
    buf_free(&body);
    return j;
}

/* Reads the state file; a missing one is the empty state. Returns 0, or 1 said on stderr. */
static int state_read(const char *path, audit_state *s)
{
    memset(s, 0, sizeof *s);
    merkle_range_init(&s->range);
    if (path == NULL || access(path, F_OK) != 0)
        return 0;
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr), *range = json_object_get(j, "range");
    const char *key = json_string_value(json_object_get(j, "verifier_key"));
    const char *origin = json_string_value(json_object_get(j, "origin"));
    const char *root = json_string_value(json_object_get(j, "root"));
    json_int_t size = json_integer_value(json_object_get(j, "size"));
    err e = {0};
    int rc = j && key && origin && root && json_is_array(range) && size >= 0 && strlen(key) < sizeof s->verifier_key &&
                     strlen(origin) < sizeof s->last.origin && b64_decode_exact(root, s->last.root, 32, &e) == 0
                 ? 0
                 : 1;
    if (rc == 0) {
        strcpy(s->verifier_key, key);
        strcpy(s->last.origin, origin);
        s->last.size = (uint64_t)size;
        s->range.size = (uint64_t)size;
        s->range.count = json_array_size(range);
        rc = s->range.count == (size_t)__builtin_popcountll((unsigned long long)size) ? 0 : 1;
        for (size_t i = 0; rc == 0 && i < s->range.count; i++) {
            const char *h = json_string_value(json_array_get(range, i));
            rc = h && b64_decode_exact(h, s->range.hashes[i], 32, &e) == 0 ? 0 : 1;
        }
    }
    json_decref(j);
    return rc == 0 ? 0 : fail("%s is not a state file of arayis log verify", path);
}

/* Writes the state to path through a temporary file renamed over it. Returns 0, or 1 said on stderr. */
static int state_write(const char *path, const audit_state *s)
{
    buf root = BUF_INIT, tmp = BUF_INIT;
    err e = {0};
    json_t *range = json_array();
    for (size_t i = 0; i < s->range.count; i++) {
        buf h = BUF_INIT;
        b64_encode(&h, s->range.hashes[i], 32, &e);
        json_array_append_new(range, json_string(buf_cstr(&h)));
        buf_free(&h);
    }
    b64_encode(&root, s->last.root, 32, &e);
    json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:o}", "origin", s->last.origin, "verifier_key", s->verifier_key,
                          "size", (json_int_t)s->last.size, "root", buf_cstr(&root), "range", range);
    char *text = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
    int rc = 1;
    if (text != NULL && buf_printf(&tmp, "%s.tmp", path) == 0) {
        int fd = open(buf_cstr(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
        size_t len = strlen(text);
        rc = fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0;
        if (fd >= 0 && close(fd) != 0)
            rc = 1;
        rc = rc || rename(buf_cstr(&tmp), path) != 0;
        if (rc)
            unlink(buf_cstr(&tmp));
    }
    if (rc)
        fprintf(stderr, "arayis: cannot write the state file %s: %s\n", path, strerror(errno));
    free(text);
    json_decref(j);
    buf_free(&root);
    buf_free(&tmp);
    return rc;
}

/* The verifier key: --key, else the state's, else the log's own at URL/api/v1/keys (said so). */
static int choose_key(const char *url, const char *key, audit_state *s)
{
    if (key != NULL) {
        if (strlen(key) >= sizeof s->verifier_key)
            return fail("%s", "the verifier key is too long");
        if (s->verifier_key[0] && strcmp(s->verifier_key, key) != 0)
            printf("using the verifier key given, not the one in the state file\n");
        strcpy(s->verifier_key, key);
        return 0;
    }
    if (s->verifier_key[0])
        return 0;
    json_t *keys = fetch_json(url, "/api/v1/keys");
    const char *published = json_string_value(json_object_get(json_object_get(keys, "log"), "verifier_key"));
    int rc = published && strlen(published) < sizeof s->verifier_key ? 0 : 1;
    if (rc == 0) {
        strcpy(s->verifier_key, published);
        printf("trusting the log key published at %s/api/v1/keys on first use: %s\n", url, published);
    } else if (keys != NULL) {
        fail("%s/api/v1/keys names no log verifier key", url);
    }
    json_decref(keys);
    return rc;
}

/* The checkpoint at URL, verified with the state's key, into *now. */
static int fetch_checkpoint(const char *url, const audit_state *s, checkpoint_body *now)
{
    buf note = BUF_INIT;
    err e = {0};
    size_t text_len;
    int rc = fetch(url, "/api/v1/log/checkpoint", &note);
    if (rc == 0 && signed_note_verify((const char *)note.data, note.len, s->verifier_key, &text_len, &e) != 1)
        rc = fail("MISMATCH: the checkpoint's signature does not verify: %s", e.msg);
    if (rc == 0 && checkpoint_parse((const char *)note.data, text_len, now, &e) != 0)
        rc = fail("MISMATCH: %s", e.msg);
    size_t n = strlen(now->origin);
    if (rc == 0 && (strncmp(s->verifier_key, now->origin, n) != 0 || s->verifier_key[n] != '+'))
        rc = fail("MISMATCH: the checkpoint's origin %s is not the key's name", now->origin);
    if (rc == 0 && s->last.size && strcmp(s->last.origin, now->origin) != 0)
        rc = fail("MISMATCH: the checkpoint's origin %s is not the one seen before", now->origin);
    buf_free(&note);
    return rc;
}

/* The consistency proof from the state's checkpoint to now. */
static int check_consistency(const char *url, const audit_state *s, const checkpoint_body *now)
{
    if (s->last.size == 0)
        return 0;
    if (now->size < s->last.size)
        return fail("MISMATCH: the log shrank below the %s entries seen before", "checkpoint's");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/log/proof/consistency?first=%llu&second=%llu",
             (unsigned long long)s->last.size, (unsigned long long)now->size);
    json_t *proof = fetch_json(url, path), *hashes = json_object_get(proof, "hashes");
    merkle_proof p = {0};
    err e = {0};
    int rc = json_is_array(hashes) && json_array_size(hashes) <= MERKLE_PROOF_MAX ? 0 : 1;
    for (size_t i = 0; rc == 0 && i < json_array_size(hashes); i++)
        rc = b64_decode_exact(json_string_value(json_array_get(hashes, i)) ? json_string_value(json_array_get(hashes, i)) : "",
                              p.hashes[p.count++], 32, &e) != 0;
    if (rc == 0 && !merkle_verify_consistency(s->last.size, now->size, s->last.root, now->root,
                                              (const unsigned char (*)[32])p.hashes, p.count))
        rc = 1;
    json_decref(proof);
    return rc ? fail("MISMATCH: the checkpoint is not consistent with the one seen before (%s)", "consistency proof")
              : 0;
}

/* Appends the leaf of one entry of a page to the range. */
static int append_entry(json_t *item, uint64_t want, merkle_range *range)
{
    const char *text = json_string_value(json_object_get(item, "entry"));
    json_int_t index = json_integer_value(json_object_get(item, "index"));
    buf bytes = BUF_INIT;
    err e = {0};
    tlog_entry entry;
    unsigned char leaf[MERKLE_HASH_LEN];
    int rc = text && (uint64_t)index == want && b64_decode(&bytes, text, strlen(text), &e) == 0 &&
                     tlog_entry_decode(bytes.data, bytes.len, &entry) == 0
                 ? 0
                 : 1;
    if (rc == 0) {
        merkle_leaf_hash(bytes.data, bytes.len, leaf);
        rc = merkle_range_append(range, leaf, &e) != 0;
    }
    buf_free(&bytes);
    if (rc)
        fprintf(stderr, "arayis: MISMATCH: entry %llu is missing or not an entry\n", (unsigned long long)want);
    return rc;
}

/* Downloads entries from the state's size to now's and recomputes the root. */
static int check_entries(const char *url, audit_state *s, const checkpoint_body *now)
{
    merkle_range range = s->range;
    int rc = 0;
    while (rc == 0 && range.size < now->size) {
        uint64_t end = now->size - range.size > PAGE ? range.size + PAGE : now->size;
        char path[128];
        snprintf(path, sizeof path, "/api/v1/log/entries?start=%llu&end=%llu", (unsigned long long)range.size,
                 (unsigned long long)end);
        json_t *page = fetch_json(url, path), *entries = json_object_get(page, "entries");
        size_t n = json_array_size(entries);
        rc = n == 0 ? fail("MISMATCH: %s gave no entries", path) : 0;
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = append_entry(json_array_get(entries, i), range.size, &range);
        json_decref(page);
    }
    unsigned char root[MERKLE_HASH_LEN];
    merkle_range_root(&range, root);
    if (rc == 0 && memcmp(root, now->root, MERKLE_HASH_LEN) != 0)
        rc = fail("MISMATCH: the root of the entries is not the checkpoint's (%s)", "recomputed");
    if (rc == 0)
        s->range = range;
    return rc;
}

int log_audit_run(const char *url, const char *state_path, const char *key)
{
    audit_state s;
    checkpoint_body now;
    if (state_read(state_path, &s) != 0 || choose_key(url, key, &s) != 0 || fetch_checkpoint(url, &s, &now) != 0 ||
        check_consistency(url, &s, &now) != 0)
        return 1;
    uint64_t before = s.last.size;
    if (check_entries(url, &s, &now) != 0)
        return 1;
    s.last = now;
    if (state_path != NULL && state_write(state_path, &s) != 0)
        return 1;
    printf("checkpoint of %llu entries verified (%s): %llu new entries, root recomputed%s\n",
           (unsigned long long)now.size, now.origin, (unsigned long long)(now.size - before),
           before ? ", consistent with the checkpoint seen before" : "");
    return 0;
}
