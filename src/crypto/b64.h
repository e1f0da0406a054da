/* Standard base64 (RFC 4648, with padding, no line breaks) on OpenSSL's encoder. */
#ifndef ARAYIS_CRYPTO_B64_H
#define ARAYIS_CRYPTO_B64_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* Appends the base64 of the len bytes at data to out (NUL-terminated). Returns 0, or -1 with e set (ERR_NOMEM). */
int b64_encode(buf *out, const void *data, size_t len, err *e);

/* Decodes len characters of canonical base64 (padded, no white space) at text, appending the bytes to out.
   Returns 0, or -1 with e set (ERR_INVALID for anything else, ERR_NOMEM). */
int b64_decode(buf *out, const char *text, size_t len, err *e);

/* Decodes text (NUL-terminated) into exactly n bytes at out. Returns 0, or -1 with e set (ERR_INVALID when it is
   not base64 of n bytes). */
int b64_decode_exact(const char *text, unsigned char *out, size_t n, err *e);

#endif
