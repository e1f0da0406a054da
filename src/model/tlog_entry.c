/* The canonical encoding of log entries: fixed fields, big-endian integers, nothing after the last field. */
#include "model/tlog_entry.h"

#include <string.h>

static const struct {
    revocation_code code;
    const char *name;
} REASONS[] = {
    {REVOCATION_UNSPECIFIED, "unspecified"},
    {REVOCATION_KEY_COMPROMISE, "key_compromise"},
    {REVOCATION_SUPERSEDED, "superseded"},
    {REVOCATION_CESSATION_OF_OPERATION, "cessation_of_operation"},
};

#define NREASONS (sizeof REASONS / sizeof REASONS[0])

const char *revocation_code_name(revocation_code c)
{
    for (size_t i = 0; i < NREASONS; i++)
        if (REASONS[i].code == c)
            return REASONS[i].name;
    return NULL;
}

int revocation_code_parse(const char *text, revocation_code *out)
{
    for (size_t i = 0; text && i < NREASONS; i++)
        if (strcmp(REASONS[i].name, text) == 0) {
            *out = REASONS[i].code;
            return 0;
        }
    return -1;
}

int revocation_code_of(long long n, revocation_code *out)
{
    for (size_t i = 0; i < NREASONS; i++)
        if ((long long)REASONS[i].code == n) {
            *out = REASONS[i].code;
            return 0;
        }
    return -1;
}

static unsigned char *put_int64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--)
        *p++ = (unsigned char)(u >> (8 * i));
    return p;
}

static int64_t get_int64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | p[i];
    return (int64_t)u;
}

size_t tlog_entry_encode(const tlog_entry *e, unsigned char out[TLOG_ENTRY_MAX])
{
    size_t n = strlen(e->number);
    if (n == 0 || n > TLOG_NUMBER_MAX || (e->type != TLOG_ISSUANCE && e->type != TLOG_REVOCATION) ||
        (e->type == TLOG_REVOCATION && revocation_code_name(e->reason) == NULL))
        return 0;
    unsigned char *p = out;
    *p++ = TLOG_ENTRY_VERSION;
    *p++ = (unsigned char)e->type;
    *p++ = (unsigned char)n;
    memcpy(p, e->number, n);
    p += n;
    memcpy(p, e->document_sha256, 32);
    p = put_int64(p + 32, e->issued_at);
    p = put_int64(p, e->valid_until);
    memcpy(p, e->signing_key_id, 32);
    p += 32;
    if (e->type == TLOG_REVOCATION) {
        p = put_int64(p, e->revoked_at);
        *p++ = (unsigned char)e->reason;
    }
    return (size_t)(p - out);
}

int tlog_entry_decode(const unsigned char *data, size_t len, tlog_entry *out)
{
    if (len < 3 || data[0] != TLOG_ENTRY_VERSION || (data[1] != TLOG_ISSUANCE && data[1] != TLOG_REVOCATION))
        return -1;
    size_t n = data[2], want = 3 + n + 32 + 8 + 8 + 32 + (data[1] == TLOG_REVOCATION ? 9 : 0);
    if (n == 0 || n > TLOG_NUMBER_MAX || len != want)
        return -1;
    memset(out, 0, sizeof *out);
    out->type = (tlog_entry_type)data[1];
    const unsigned char *p = data + 3;
    memcpy(out->number, p, n);
    out->number[n] = '\0';
    if (strlen(out->number) != n)
        return -1;
    p += n;
    memcpy(out->document_sha256, p, 32);
    out->issued_at = get_int64(p + 32);
    out->valid_until = get_int64(p + 40);
    memcpy(out->signing_key_id, p + 48, 32);
    if (out->type == TLOG_REVOCATION) {
        out->revoked_at = get_int64(p + 80);
        if (revocation_code_of(p[88], &out->reason) != 0)
            return -1;
    }
    return 0;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int tlog_hex32(const char *text, unsigned char out[32])
{
    if (text == NULL || strlen(text) != 64)
        return -1;
    for (size_t i = 0; i < 32; i++) {
        int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}
