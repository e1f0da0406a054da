/* Money parsing and formatting in integer qəpik. */
#include "core/money.h"

#include <stdio.h>
#include <string.h>

#define MONEY_MAX_QEPIK 99999999999999LL /* 999 999 999 999.99 AZN */

int money_parse(const char *text, int64_t *qepik)
{
    const char *p = text;
    int64_t units = 0;
    size_t int_digits = 0;
    if (p == NULL)
        return -1;
    for (; *p >= '0' && *p <= '9'; p++, int_digits++) {
        if (int_digits == 12)
            return -1;
        units = units * 10 + (*p - '0');
    }
    if (int_digits == 0 || (int_digits > 1 && text[0] == '0'))
        return -1;
    int64_t cents = 0;
    if (*p == '.') {
        p++;
        size_t frac = 0;
        for (; *p >= '0' && *p <= '9'; p++, frac++) {
            if (frac == 2)
                return -1;
            cents = cents * 10 + (*p - '0');
        }
        if (frac == 0)
            return -1;
        if (frac == 1)
            cents *= 10;
    }
    if (*p != '\0' || units * 100 + cents > MONEY_MAX_QEPIK)
        return -1;
    *qepik = units * 100 + cents;
    return 0;
}

char *money_format_api(int64_t qepik, char out[MONEY_TEXT_MAX])
{
    snprintf(out, MONEY_TEXT_MAX, "%lld.%02lld", (long long)(qepik / 100), (long long)(qepik % 100));
    return out;
}

char *money_format_az(int64_t qepik, char out[MONEY_TEXT_MAX])
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)(qepik / 100));
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ' ';
        out[o++] = digits[i];
    }
    snprintf(out + o, MONEY_TEXT_MAX - o, ",%02lld", (long long)(qepik % 100));
    return out;
}
