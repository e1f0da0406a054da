/* Percent-decoding that keeps escapes of control characters as written. */
#include "http/unescape.h"

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

size_t http_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls, (void)conn;
    char *out = s;
    for (const char *in = s; *in;) {
        int hi = in[0] == '%' ? hex_digit(in[1]) : -1, lo = hi >= 0 ? hex_digit(in[2]) : -1;
        if (lo >= 0 && !is_control((unsigned char)(hi << 4 | lo))) {
            *out++ = (char)(hi << 4 | lo);
            in += 3;
        } else {
            *out++ = *in++;
        }
    }
    *out = '\0';
    return (size_t)(out - s);
}

int http_path_routable(const char *path)
{
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (is_control(*p) || *p == '%')
            return 0;
    return 1;
}
