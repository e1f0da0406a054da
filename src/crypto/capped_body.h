/* An HTTP answer's body as libcurl hands it over, collected up to a limit: larger answers are refused, never cut. */
#ifndef ARAYIS_CRYPTO_CAPPED_BODY_H
#define ARAYIS_CRYPTO_CAPPED_BODY_H

#include <stddef.h>

#include "core/buf.h"

typedef struct capped_body {
    buf body;            /* what arrived; the owner frees it with buf_free */
    size_t limit;        /* the most bytes accepted */
    int too_long;        /* set when the answer went past limit (the transfer was stopped) */
} capped_body;

/* A CURLOPT_WRITEFUNCTION whose CURLOPT_WRITEDATA is a capped_body: appends, or stops the transfer (returns 0) past
   the limit or when memory runs out. */
size_t capped_body_collect(char *data, size_t size, size_t n, void *ctx);

#endif
