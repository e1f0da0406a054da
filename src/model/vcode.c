/* Crockford base32 codes and certificate-number parsing. */
#include "model/vcode.h"

#include <string.h>

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void vcode_encode(const unsigned char bytes[10], char out[VCODE_LEN + 1])
{
    for (int i = 0; i < VCODE_LEN; i++) {
        int bit = i * 5, byte = bit / 8, shift = bit % 8;
        unsigned value = (unsigned)bytes[byte] << 8 | (byte + 1 < 10 ? bytes[byte + 1] : 0);
        out[i] = alphabet[(value >> (11 - shift)) & 31];
    }
    out[VCODE_LEN] = '\0';
}

/* The canonical character for a typed one, or 0 when it is not part of a code. */
static char canonical_char(char c)
{
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    if (c == 'O')
        return '0';
    if (c == 'I' || c == 'L')
        return '1';
    return c != '\0' && strchr(alphabet, c) ? c : 0;
}

int vcode_normalize(const char *input, char out[VCODE_LEN + 1])
{
    size_t n = 0;
    if (input == NULL)
        return -1;
    for (const char *p = input; *p; p++) {
        if (*p == '-' || *p == ' ')
            continue;
        char c = canonical_char(*p);
        if (c == 0 || n == VCODE_LEN)
            return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == VCODE_LEN ? 0 : -1;
}

void vcode_group(const char *code, char out[VCODE_LEN + 4])
{
    size_t o = 0;
    for (int i = 0; i < VCODE_LEN; i++) {
        if (i > 0 && i % 4 == 0)
            out[o++] = '-';
        out[o++] = code[i];
    }
    out[o] = '\0';
}

int vcode_parse_number(const char *text, int *year, long *seq)
{
    if (strlen(text) != 15 || strncmp(text, "AZI-", 4) != 0 || text[8] != '-' || strspn(text + 4, "0123456789") != 4 ||
        strspn(text + 9, "0123456789") != 6)
        return -1;
    int y = 0;
    long s = 0;
    for (int i = 4; i < 8; i++)
        y = y * 10 + (text[i] - '0');
    for (int i = 9; i < 15; i++)
        s = s * 10 + (text[i] - '0');
    if (y < 2000 || s < 1)
        return -1;
    *year = y;
    *seq = s;
    return 0;
}
