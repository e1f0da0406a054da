/* Base64 through EVP_EncodeBlock / EVP_DecodeBlock, with the padding those leave to the caller. */
#include "crypto/b64.h"

#include <openssl/evp.h>
#include <string.h>

int b64_encode(buf *out, const void *data, size_t len, err *e)
{
    if (len > (size_t)1 << 30)
        return err_set(e, ERR_TOO_LONG, "%zu bytes are too many to encode", len);
    size_t need = 4 * ((len + 2) / 3) + 1;
    if (buf_reserve(out, need) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    int n = EVP_EncodeBlock((unsigned char *)out->data + out->len, data, (int)len);
    out->len += (size_t)n;
    out->data[out->len] = '\0';
    return 0;
}

/* 1 when c is a character of the base64 alphabet (padding excluded). */
static int is_b64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

int b64_decode(buf *out, const char *text, size_t len, err *e)
{
    if (len % 4 != 0 || len > (size_t)1 << 30)
        return err_set(e, ERR_INVALID, "not base64");
    size_t pad = len && text[len - 1] == '=' ? (len > 1 && text[len - 2] == '=' ? 2 : 1) : 0;
    for (size_t i = 0; i < len - pad; i++)
        if (!is_b64(text[i]))
            return err_set(e, ERR_INVALID, "not base64");
    if (buf_reserve(out, len / 4 * 3 + 1) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    int n = EVP_DecodeBlock((unsigned char *)out->data + out->len, (const unsigned char *)text, (int)len);
    if (n < 0 || (size_t)n < pad)
        return err_set(e, ERR_INVALID, "not base64");
    out->len += (size_t)n - pad;
    out->data[out->len] = '\0';
    /* canonical only: the bits that padding leaves over must be zero, so that one value has one text */
    buf again = BUF_INIT;
    int rc = b64_encode(&again, out->data + out->len - ((size_t)n - pad), (size_t)n - pad, e);
    if (rc == 0 && (again.len != len || memcmp(again.data, text, len) != 0))
        rc = err_set(e, ERR_INVALID, "not canonical base64");
    buf_free(&again);
    return rc;
}

int b64_decode_exact(const char *text, unsigned char *out, size_t n, err *e)
{
    buf bytes = BUF_INIT;
    int rc = b64_decode(&bytes, text, strlen(text), e);
    if (rc == 0 && bytes.len != n)
        rc = err_set(e, ERR_INVALID, "base64 of %zu bytes where %zu were expected", bytes.len, n);
    if (rc == 0)
        memcpy(out, bytes.data, n);
    buf_free(&bytes);
    return rc;
}
