/* /ByteRange reading and its shape rule: everything from the first byte to the end of the covered revision but the
   signature's own hex string. */
#include "pdf/byterange.h"

#include <string.h>

#include "pdf/scan.h"

int pdf_byte_range_read(const unsigned char *p, const unsigned char *end, pdf_byte_range *r)
{
    p = pdf_scan_skip_space(p, end);
    if (p == end || *p++ != '[' || pdf_scan_size(&p, end, &r->a) || pdf_scan_size(&p, end, &r->b) ||
        pdf_scan_size(&p, end, &r->c) || pdf_scan_size(&p, end, &r->d))
        return -1;
    p = pdf_scan_skip_space(p, end);
    return p < end && *p == ']' ? 0 : -1;
}

int pdf_byte_range_shape_ok(const unsigned char *pdf, size_t len, const pdf_byte_range *r)
{
    static const char key[] = "/Contents";
    if (r->a != 0 || r->b < sizeof key || r->c < r->b + 2 || r->c > len || r->d > len - r->c || pdf[r->b] != '<' ||
        pdf[r->c - 1] != '>')
        return 0;
    size_t k = r->b;
    while (k > 0 && pdf_scan_is_space(pdf[k - 1]))
        k--;
    return k >= sizeof key - 1 && memcmp(pdf + k - (sizeof key - 1), key, sizeof key - 1) == 0;
}
