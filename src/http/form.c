/* A form's field through libmicrohttpd's post processor. */
#include "http/form.h"

#include <assert.h>
#include <microhttpd.h>
#include <string.h>

/* The post processor's buffer: how much of a part it hands over at a time. */
#define FORM_CHUNK_BYTES (64 * 1024)

typedef struct field_reader {
    const char *name;
    size_t limit;
    buf bytes;
    err_code failure;                   /* ERR_OK, ERR_TOO_LONG or ERR_NOMEM */
} field_reader;

static enum MHD_Result collect_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                     const char *content_type, const char *transfer_encoding, const char *data,
                                     uint64_t off, size_t size)
{
    (void)kind, (void)filename, (void)content_type, (void)transfer_encoding, (void)off;
    field_reader *r = cls;
    if (strcmp(key, r->name) != 0 || size == 0)
        return MHD_YES;
    if (r->bytes.len + size > r->limit)
        r->failure = ERR_TOO_LONG;
    else if (buf_append(&r->bytes, data, size) != 0)
        r->failure = ERR_NOMEM;
    return r->failure == ERR_OK ? MHD_YES : MHD_NO;
}

int http_form_field(const http_request *req, const char *name, size_t limit, buf *out, err *e)
{
    assert(req->conn != NULL);
    field_reader r = {name, limit, BUF_INIT, ERR_OK};
    int rc = -1;
    struct MHD_PostProcessor *pp = MHD_create_post_processor(req->conn, FORM_CHUNK_BYTES, collect_field, &r);
    if (pp == NULL) {
        err_set(e, ERR_INVALID, "the body is not sent as a form");
        goto out;
    }
    int framed = MHD_post_process(pp, (const char *)req->body, req->body_len) == MHD_YES;
    framed = MHD_destroy_post_processor(pp) == MHD_YES && framed;
    if (r.failure == ERR_TOO_LONG) {
        err_set(e, ERR_TOO_LONG, "the form's field %s is over %zu bytes", name, limit);
        goto out;
    }
    if (r.failure == ERR_NOMEM) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (framed && buf_append(out, r.bytes.data, r.bytes.len) != 0) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    buf_free(&r.bytes);
    return rc;
}
