/* Collecting a libcurl answer body within its limit. */
#include "crypto/capped_body.h"

size_t capped_body_collect(char *data, size_t size, size_t n, void *ctx)
{
    capped_body *a = ctx;
    size_t len = size * n;
    if (a->body.len + len > a->limit) {
        a->too_long = 1;
        return 0; /* stops the transfer */
    }
    return buf_append(&a->body, data, len) == 0 ? len : 0;
}
