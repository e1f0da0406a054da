/* Fuzzes the parsers of what people type or scan: verification codes, certificate numbers, route paths (as sent and
   as decoded), mobiles. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/validate.h"
#include "model/vcode.h"
#include "http/router.h"
#include "http/unescape.h"

static void handler(void *ctx, http_request *req, http_response *res)
{
    (void)ctx, (void)req, (void)res;
}

static const http_route routes[] = {
    {HTTP_GET, "/v/{number}", handler, 0, HTTP_LIMIT_NONE, 0},
    {HTTP_GET, "/c/{number}.pdf", handler, 0, HTTP_LIMIT_NONE, 0},
    {HTTP_POST, "/api/v1/certificates/{number}/revoke", handler, 0, HTTP_LIMIT_NONE, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char code[VCODE_LEN + 1], mobile[14];
    int year;
    long seq;
    vcode_normalize(text, code);
    vcode_parse_number(text, &year, &seq);
    validate_mobile(text, mobile);
    http_request req;
    const http_route *found;
    memset(&req, 0, sizeof req);
    router_match(routes, sizeof routes / sizeof routes[0], HTTP_GET, text, &req, &found);
    if (http_unescape(NULL, NULL, text) > size)
        abort(); /* decoding never makes a path longer */
    router_match(routes, sizeof routes / sizeof routes[0], HTTP_GET, text, &req, &found);
    free(text);
    return 0;
}
