/* Address lists: each entry is parsed with inet_pton, so "::1" and "0:0::1" are the same address. */
#include "core/addrlist.h"

#include <arpa/inet.h>
#include <string.h>

#define ADDRLIST_ENTRY_MAX 64 /* longer than any address in text, with room for spaces */

typedef struct ip_bytes {
    int family;
    unsigned char bytes[16];
} ip_bytes;

static int parse_ip(const char *text, ip_bytes *out)
{
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, text, out->bytes) == 1)
        out->family = AF_INET;
    else if (inet_pton(AF_INET6, text, out->bytes) == 1)
        out->family = AF_INET6;
    else
        return -1;
    return 0;
}

/* Parses the entry at *list (up to the next comma) and advances past it. Returns 0, or -1 for a bad entry. */
static int next_entry(const char **list, ip_bytes *out)
{
    const char *start = *list, *end = strchr(start, ',');
    if (end == NULL)
        end = start + strlen(start);
    *list = *end ? end + 1 : end;
    while (start < end && *start == ' ')
        start++;
    while (end > start && end[-1] == ' ')
        end--;
    char entry[ADDRLIST_ENTRY_MAX];
    size_t n = (size_t)(end - start);
    if (n == 0 || n >= sizeof entry)
        return -1;
    memcpy(entry, start, n);
    entry[n] = '\0';
    return parse_ip(entry, out);
}

int addrlist_valid(const char *list)
{
    ip_bytes ip;
    if (*list == '\0')
        return 0;
    while (*list)
        if (next_entry(&list, &ip) != 0)
            return 0;
    return list[-1] != ',';
}

int addrlist_contains(const char *list, const char *addr)
{
    ip_bytes wanted, ip;
    if (parse_ip(addr, &wanted) != 0)
        return 0;
    while (*list)
        if (next_entry(&list, &ip) == 0 && ip.family == wanted.family && memcmp(ip.bytes, wanted.bytes, 16) == 0)
            return 1;
    return 0;
}
