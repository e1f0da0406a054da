/* Transparency log handlers: parse the indexes, ask the log, present notes and proofs. Answers about a completed
   range of the tree never change and are cached for a year. */
#include "api/log.h"

#include <errno.h>
#include <stdlib.h>

#include "api/app.h"
#include "api/json_fields.h"
#include "api/respond.h"
#include "crypto/b64.h"
#include "model/field_errors.h"
#include "service/tlog.h"

#define IMMUTABLE "public, max-age=31536000, immutable"

/* Reads query parameter name as a decimal integer below 2^63 into *out; a missing or bad one is recorded in errs. */
static void query_index(const http_request *req, const char *name, int required, uint64_t *out, int *given,
                        field_errors *errs)
{
    const char *text = http_request_query(req, name);
    *given = text != NULL;
    if (text == NULL) {
        if (required)
            field_errors_add(errs, name, "is required");
        return;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || v >= (1ULL << 63))
        field_errors_add(errs, name, "must be a non-negative decimal integer");
    else
        *out = v;
}

/* Reads the two required parameters first and second of a range. Returns 0, or -1 with the 400 answer written. */
static int query_pair(const http_request *req, http_response *res, const char *first_name, const char *second_name,
                      uint64_t *first, uint64_t *second)
{
    field_errors errs = {0};
    int given;
    query_index(req, first_name, 1, first, &given, &errs);
    query_index(req, second_name, 1, second, &given, &errs);
    if (errs.count == 0)
        return 0;
    api_validation_failed(res, json_from_field_errors(&errs));
    return -1;
}

/* 400 validation_failed for field with the message e gave, when the log refused the range (ERR_INVALID); else the
   failure itself. */
static void refuse_range(const http_request *req, http_response *res, const err *e, const char *field)
{
    if (e->code != ERR_INVALID) {
        api_fail(req, res, e);
        return;
    }
    field_errors errs = {0};
    field_errors_add(&errs, field, e->msg);
    api_validation_failed(res, json_from_field_errors(&errs));
}

/* The hashes of a proof as a JSON array of base64 strings, or NULL out of memory. */
static json_t *proof_hashes(const merkle_proof *p)
{
    json_t *hashes = json_array();
    for (size_t i = 0; hashes && i < p->count; i++) {
        buf text = BUF_INIT;
        err e = {0};
        if (b64_encode(&text, p->hashes[i], MERKLE_HASH_LEN, &e) != 0 ||
            json_array_append_new(hashes, json_string(buf_cstr(&text))) != 0) {
            json_decref(hashes);
            hashes = NULL;
        }
        buf_free(&text);
    }
    return hashes;
}

void log_checkpoint_get(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    err e = {0};
    uint64_t size;
    buf note = BUF_INIT;
    int found = tlog_latest(a->svc, &note, &size, &e);
    if (found < 0) {
        api_fail(req, res, &e);
    } else if (found == 0) {
        api_error(res, 404, "not_found", "no checkpoint has been signed yet");
    } else {
        res->status = 200;
        res->content_type = "text/plain; charset=utf-8";
        res->body = note;
        note = (buf)BUF_INIT;
        http_response_header(res, "Cache-Control", "no-cache");
    }
    buf_free(&note);
}

void log_entries_get(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    uint64_t start = 0, end = 0;
    if (query_pair(req, res, "start", "end", &start, &end) != 0)
        return;
    tlog_served_entry *entries = malloc(TLOG_ENTRIES_MAX * sizeof *entries);
    size_t count = 0;
    int complete = 0;
    err e = {0};
    if (entries == NULL) {
        err_set(&e, ERR_NOMEM, "out of memory");
        api_fail(req, res, &e);
        return;
    }
    if (tlog_entries(a->svc, start, end, entries, &count, &complete, &e) != 0) {
        refuse_range(req, res, &e, "start");
        free(entries);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++) {
        buf text = BUF_INIT;
        if (b64_encode(&text, entries[i].bytes, entries[i].len, &e) != 0 ||
            json_array_append_new(list, json_pack("{s:I, s:s}", "index", (json_int_t)entries[i].index, "entry",
                                                  buf_cstr(&text))) != 0) {
            json_decref(list);
            list = NULL;
        }
        buf_free(&text);
    }
    free(entries);
    api_json(res, 200, json_pack("{s:o}", "entries", list));
    if (complete)
        http_response_header(res, "Cache-Control", IMMUTABLE);
}

void log_inclusion_get(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    field_errors errs = {0};
    uint64_t index = 0, tree_size = 0;
    int has_index, has_size;
    const char *number = http_request_query(req, "number");
    query_index(req, "index", 0, &index, &has_index, &errs);
    query_index(req, "tree_size", 1, &tree_size, &has_size, &errs);
    if ((number != NULL) == has_index)
        field_errors_add(&errs, "number", "give either number or index");
    if (errs.count) {
        api_validation_failed(res, json_from_field_errors(&errs));
        return;
    }
    merkle_proof proof;
    err e = {0};
    int found = tlog_inclusion(a->svc, number, &index, tree_size, &proof, &e);
    if (found < 0) {
        refuse_range(req, res, &e, "tree_size");
    } else if (found == 0) {
        api_error(res, 404, "not_found", "no such certificate in the log");
    } else {
        api_json(res, 200, json_pack("{s:I, s:I, s:o}", "leaf_index", (json_int_t)index, "tree_size",
                                     (json_int_t)tree_size, "hashes", proof_hashes(&proof)));
        http_response_header(res, "Cache-Control", IMMUTABLE);
    }
}

void log_consistency_get(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    uint64_t first = 0, second = 0;
    if (query_pair(req, res, "first", "second", &first, &second) != 0)
        return;
    merkle_proof proof;
    err e = {0};
    if (tlog_consistency(a->svc, first, second, &proof, &e) != 0) {
        refuse_range(req, res, &e, "second");
        return;
    }
    api_json(res, 200, json_pack("{s:I, s:I, s:o}", "first", (json_int_t)first, "second", (json_int_t)second, "hashes",
                                 proof_hashes(&proof)));
    http_response_header(res, "Cache-Control", IMMUTABLE);
}
