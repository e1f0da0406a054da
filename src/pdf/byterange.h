/* The /ByteRange of a PDF signature or document timestamp: reading it and checking its shape. */
#ifndef ARAYIS_PDF_BYTERANGE_H
#define ARAYIS_PDF_BYTERANGE_H

#include <stddef.h>

typedef struct pdf_byte_range {
    size_t a, b, c, d;          /* signed: [a, a+b) and [c, c+d) */
} pdf_byte_range;

/* Reads "[a b c d]" at p (after white space), not past end. Returns 0, or -1 when it is not four sizes in
   brackets. */
int pdf_byte_range_read(const unsigned char *p, const unsigned char *end, pdf_byte_range *r);

/* 1 when r starts at 0 and leaves out of [0, c+d) exactly one hex string "<…>" that follows /Contents; c+d must
   not pass len. Else 0. */
int pdf_byte_range_shape_ok(const unsigned char *pdf, size_t len, const pdf_byte_range *r);

#endif
