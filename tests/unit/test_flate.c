/* Unit tests of the Flate streams: what flate_stream_write stores inflates, with zlib, back to the very bytes given
   (random, repetitive, empty, odd sizes, and from several threads at once). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/flate.h"
#include "pdf_stream_read.h"

static void ignore_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    (void)error_no, (void)detail_no, (void)user_data;
}

/* len bytes from rand_r seeded with seed: incompressible data, the same on every run and in any thread. */
static void random_bytes(buf *b, size_t len, unsigned seed)
{
    b->len = 0;
    assert_int_equal(buf_reserve(b, len), 0);
    for (size_t i = 0; i < len; i++)
        b->data[i] = (unsigned char)(rand_r(&seed) >> 7);
    b->len = len;
}

/* Writes data through flate_stream_write into a fresh stream and puts in packed what the stream holds. Returns 0,
   or -1 when a step fails or libharu was left to compress the stream a second time. No cmocka assertion here: the
   threads of the last test call it too. */
static int compress_through_stream(const buf *data, buf *packed)
{
    HPDF_Doc pdf = HPDF_New(ignore_error, NULL);
    if (pdf == NULL)
        return -1;
    HPDF_Dict d = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    int rc = d != NULL && flate_stream_write(d, data) == 0 && d->filter == HPDF_STREAM_FILTER_NONE &&
                     pdf_stream_bytes(d, packed) == 0
                 ? 0
                 : -1;
    HPDF_Free(pdf);
    return rc;
}

/* Compresses data and checks the zlib header (RFC 1950: CM = 8, FCHECK) and that zlib inflates the stream to the
   same bytes. Returns the compressed size, or 0 when any of that fails. */
static size_t compressed_round_trip(const buf *data)
{
    buf packed = BUF_INIT, back = BUF_INIT;
    size_t n = 0;
    if (compress_through_stream(data, &packed) == 0 && packed.len >= 6 && (packed.data[0] & 0x0F) == 8 &&
        (packed.data[0] << 8 | packed.data[1]) % 31 == 0 && pdf_inflate(&packed, &back) == Z_OK &&
        back.len == data->len && (data->len == 0 || memcmp(back.data, data->data, data->len) == 0))
        n = packed.len;
    buf_free(&packed);
    buf_free(&back);
    return n;
}

static size_t round_trip(const buf *data)
{
    size_t n = compressed_round_trip(data);
    assert_int_not_equal(n, 0);
    return n;
}

static void test_random_data_round_trips(void **state)
{
    (void)state;
    buf data = BUF_INIT;
    static const size_t sizes[] = {1, 2, 3, 255, 4096, 65535, 65536, 65537, 1000003};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        random_bytes(&data, sizes[i], (unsigned)i + 1);
        size_t packed = round_trip(&data);
        assert_true(packed <= sizes[i] + sizes[i] / 100 + 64); /* stored blocks, not an expansion */
    }
    buf_free(&data);
}

static void test_repetitive_data_round_trips_and_shrinks(void **state)
{
    (void)state;
    buf data = BUF_INIT;
    for (int i = 0; i < 20000; i++)
        assert_int_equal(buf_puts(&data, "BT /F0 10.5 Tf <00A1018F> Tj ET\n"), 0);
    size_t packed = round_trip(&data);
    assert_true(packed * 100 < data.len);
    buf_free(&data);

    assert_int_equal(buf_reserve(&data, 300000), 0); /* one byte repeated */
    memset(data.data, 'a', 300000);
    data.len = 300000;
    assert_true(round_trip(&data) < 2000);
    buf_free(&data);
}

static void test_empty_input_is_an_empty_stream(void **state)
{
    (void)state;
    buf empty = BUF_INIT;
    round_trip(&empty);
    buf nothing = BUF_INIT;
    assert_int_equal(buf_puts(&nothing, ""), 0); /* allocated but empty */
    round_trip(&nothing);
    buf_free(&nothing);
}

static void test_damaged_stream_is_detected(void **state)
{
    (void)state; /* the checks above would pass on a decoder that accepts anything: show that this one does not */
    buf data = BUF_INIT, packed = BUF_INIT, back = BUF_INIT;
    random_bytes(&data, 5000, 99);
    assert_int_equal(compress_through_stream(&data, &packed), 0);
    assert_int_equal(pdf_inflate(&packed, &back), Z_OK);
    packed.data[packed.len - 1] ^= 1; /* the Adler-32 */
    assert_int_not_equal(pdf_inflate(&packed, &back), Z_OK);
    packed.data[packed.len - 1] ^= 1;
    packed.len -= 5;
    assert_int_not_equal(pdf_inflate(&packed, &back), Z_OK);
    buf_free(&data);
    buf_free(&packed);
    buf_free(&back);
}

/* Each thread has its own compressor: streams written at the same time stay each its own. Returns the number of
   failed round trips (no cmocka assertion outside the test's own thread). */
static void *compress_many(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    uintptr_t failures = 0;
    buf data = BUF_INIT;
    for (unsigned i = 0; i < 20; i++) {
        size_t len = 10000 + i * 997;
        if (buf_reserve(&data, len) != 0)
            return (void *)(uintptr_t)1000;
        for (size_t j = 0; j < len; j++) /* compressible, so that the compressor's state matters */
            data.data[j] = j % 3 == 0 ? 'x' : (unsigned char)(rand_r(&seed) >> 7);
        data.len = len;
        failures += compressed_round_trip(&data) == 0;
    }
    buf_free(&data);
    return (void *)failures;
}

static void test_threads_compress_independently(void **state)
{
    (void)state;
    pthread_t threads[4];
    for (uintptr_t i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, compress_many, (void *)(i + 1)), 0);
    for (int i = 0; i < 4; i++) {
        void *failures = NULL;
        assert_int_equal(pthread_join(threads[i], &failures), 0);
        assert_int_equal((uintptr_t)failures, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_data_round_trips),
        cmocka_unit_test(test_repetitive_data_round_trips_and_shrinks),
        cmocka_unit_test(test_empty_input_is_an_empty_stream),
        cmocka_unit_test(test_damaged_stream_is_detected),
        cmocka_unit_test(test_threads_compress_independently),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
