/* Building certificate links; numbers and codes are [A-Z0-9-] only, so nothing needs escaping. */
#include "model/links.h"

int links_pdf_url(buf *out, const char *base_url, const char *number, const char *code)
{
    return buf_printf(out, "%s/c/%s.pdf?code=%s", base_url, number, code);
}

int links_verify_url(buf *out, const char *base_url, const char *number, const char *code)
{
    return buf_printf(out, "%s/v/%s?code=%s", base_url, number, code);
}
