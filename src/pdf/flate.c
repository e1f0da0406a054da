/* The per-thread deflate state lives behind a pthread key, so it is freed when its thread ends. */
#include "pdf/flate.h"

#include <pthread.h>
#include <stdlib.h>
#include <zlib.h>

/* zlib's level 4: within 1.5 % of the default level's size on certificates, at two thirds of its time. */
#define FLATE_LEVEL 4

static pthread_key_t deflater_key;
static pthread_once_t deflater_once = PTHREAD_ONCE_INIT;

static void deflater_free(void *p)
{
    deflateEnd(p);
    free(p);
}

static void deflater_key_create(void)
{
    pthread_key_create(&deflater_key, deflater_free);
}

/* The calling thread's deflate state, reset for a new stream; NULL when out of memory. */
static z_stream *deflater(void)
{
    pthread_once(&deflater_once, deflater_key_create);
    z_stream *z = pthread_getspecific(deflater_key);
    if (z != NULL)
        return deflateReset(z) == Z_OK ? z : NULL;
    if ((z = calloc(1, sizeof *z)) == NULL)
        return NULL;
    if (deflateInit(z, FLATE_LEVEL) != Z_OK || pthread_setspecific(deflater_key, z) != 0) {
        deflater_free(z);
        return NULL;
    }
    return z;
}

static int compress_into(const buf *data, buf *out)
{
    z_stream *z = deflater();
    uLong bound = z ? deflateBound(z, (uLong)data->len) : 0;
    if (z == NULL || buf_reserve(out, bound) != 0)
        return -1;
    z->next_in = data->data;
    z->avail_in = (uInt)data->len;
    z->next_out = out->data + out->len;
    z->avail_out = (uInt)bound;
    if (deflate(z, Z_FINISH) != Z_STREAM_END)
        return -1;
    out->len += bound - z->avail_out;
    return 0;
}

/* The write function of a stream dictionary whose bytes are already compressed. */
static HPDF_STATUS write_filter(HPDF_Dict dict, HPDF_Stream stream)
{
    (void)dict;
    return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

int flate_stream_write(HPDF_Dict dict, const buf *data)
{
    buf packed = BUF_INIT;
    int rc = compress_into(data, &packed) == 0 &&
                     HPDF_Stream_Write(dict->stream, packed.data, (HPDF_UINT)packed.len) == HPDF_OK
                 ? 0
                 : -1;
    dict->write_fn = write_filter;
    buf_free(&packed);
    return rc;
}
