/* Reading back, for tests, the bytes libharu holds for a stream object and inflating them with zlib (a decoder
   independent of the libdeflate compressor under test). */
#ifndef ARAYIS_TESTS_PDF_STREAM_READ_H
#define ARAYIS_TESTS_PDF_STREAM_READ_H

#include <hpdf.h>
#include <hpdf_objects.h>
#include <stdlib.h>
#include <zlib.h>

#include "core/buf.h"

/* Copies the bytes written to dict's stream into out (replacing it). Returns 0 or -1. */
static inline int pdf_stream_bytes(HPDF_Dict dict, buf *out)
{
    HPDF_UINT32 size = HPDF_Stream_Size(dict->stream);
    out->len = 0;
    if (buf_reserve(out, size) != 0 || HPDF_Stream_Seek(dict->stream, 0, HPDF_SEEK_SET) != HPDF_OK)
        return -1;
    HPDF_UINT got = size;
    if (size > 0 && HPDF_Stream_Read(dict->stream, out->data, &got) != HPDF_OK && got != size)
        return -1;
    out->len = got;
    return got == size ? 0 : -1;
}

/* Inflates the zlib stream in (RFC 1950: header, deflate data, Adler-32 checked by zlib) into out (replacing it).
   Returns zlib's Z_OK, or its error code for a stream that is damaged, truncated or followed by extra bytes. */
static inline int pdf_inflate(const buf *in, buf *out)
{
    z_stream z = {0};
    unsigned char chunk[16384];
    int rc = inflateInit(&z);
    out->len = 0;
    if (rc != Z_OK)
        return rc;
    z.next_in = in->data;
    z.avail_in = (uInt)in->len;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        rc = inflate(&z, Z_NO_FLUSH);
        if (buf_append(out, chunk, sizeof chunk - z.avail_out) != 0)
            rc = Z_MEM_ERROR;
    } while (rc == Z_OK);
    if (rc == Z_STREAM_END)
        rc = z.avail_in == 0 ? Z_OK : Z_DATA_ERROR;
    else if (rc == Z_BUF_ERROR)
        rc = Z_DATA_ERROR; /* the input ended before the stream did */
    inflateEnd(&z);
    return rc;
}

#endif
