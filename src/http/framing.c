/* Framing checks: the target before libmicrohttpd parses its query, the headers before the body is read. */
#include "http/framing.h"

#include <string.h>
#include <strings.h>

/* The mark framing_check_target returns; only its address matters. */
static const int target_refused = 414;

void *framing_check_target(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    (void)conn;
    char *query = strchr(uri, '?');
    if (query == NULL)
        return strlen(uri) > FRAMING_MAX_TARGET ? (void *)&target_refused : NULL;
    size_t params = query[1] != '\0';
    for (const char *p = query + 1; *p; p++)
        params += *p == '&';
    if (strlen(uri) <= FRAMING_MAX_TARGET && params <= FRAMING_MAX_QUERY_PARAMS)
        return NULL;
    query[1] = '\0'; /* the library parses no argument of it; the access handler answers 414 */
    return (void *)&target_refused;
}

int framing_target_status(const void *context)
{
    return context == &target_refused ? target_refused : 0;
}

typedef struct header_census {
    int bad_name;
    int hosts, lengths, encodings;
    int length_not_digits;
    const char *encoding;
} header_census;

/* RFC 9110 token characters: what a header name is made of. */
static int is_token(const char *s)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              strchr(extra, *s) != NULL))
            return 0;
    return 1;
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *name, const char *value)
{
    (void)kind;
    header_census *h = cls;
    if (!is_token(name))
        h->bad_name = 1;
    else if (strcasecmp(name, MHD_HTTP_HEADER_HOST) == 0)
        h->hosts++;
    else if (strcasecmp(name, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        h->lengths++;
        h->length_not_digits |= value == NULL || value[0] == '\0' || value[strspn(value, "0123456789")] != '\0';
    } else if (strcasecmp(name, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        h->encodings++;
        h->encoding = value ? value : "";
    }
    return MHD_YES;
}

/* 0 for exactly "chunked", 501 for other codings before a final chunked, 400 when chunked is not last. */
static int encoding_status(const char *encoding)
{
    if (strcasecmp(encoding, "chunked") == 0)
        return 0;
    const char *last = strrchr(encoding, ',');
    last = last ? last + 1 : encoding;
    last += strspn(last, " \t");
    size_t n = strcspn(last, " \t");
    return n == 7 && strncasecmp(last, "chunked", 7) == 0 && last[n + strspn(last + n, " \t")] == '\0' ? 501 : 400;
}

int framing_check_headers(struct MHD_Connection *conn, const char *version)
{
    header_census h = {0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &h);
    int needs_host = strcmp(version, MHD_HTTP_VERSION_1_0) != 0; /* HTTP/1.1 and later 1.x */
    if (h.bad_name || h.hosts > 1 || (needs_host && h.hosts == 0))
        return 400;
    if (h.lengths > 1 || h.length_not_digits || h.encodings > 1 || (h.lengths && h.encodings))
        return 400;
    return h.encodings ? encoding_status(h.encoding) : 0;
}
