/* Field validation on libunistring: UTF-8 checks, NFC normalisation, Unicode letter classes. */
#include "model/validate.h"

#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "core/timeutil.h"
#include "model/charset.h"

/* Checks every character of NFC text s (n bytes); counts characters. Returns NULL or a reason. */
static const char *check_characters(const uint8_t *s, size_t n, size_t *chars)
{
    *chars = 0;
    for (size_t i = 0; i < n;) {
        ucs4_t c;
        int len = u8_mbtouc(&c, s + i, n - i);
        if (uc_is_general_category(c, UC_CATEGORY_Cc) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069))
            return "must not contain control characters";
        if (!charset_printable(c))
            return "contains a character that cannot be printed on the certificate";
        i += (size_t)len;
        (*chars)++;
    }
    return NULL;
}

const char *validate_text(const char *in, size_t min_chars, size_t max_chars, char **out)
{
    *out = NULL;
    if (in == NULL)
        return min_chars > 0 ? "is required" : NULL;
    size_t n = strlen(in);
    if (u8_check((const uint8_t *)in, n) != NULL)
        return "must be valid UTF-8";
    while (n > 0 && in[n - 1] == ' ')
        n--;
    while (n > 0 && in[0] == ' ')
        in++, n--;
    size_t nfc_len = 0;
    uint8_t *nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)in, n, NULL, &nfc_len);
    if (nfc == NULL && n > 0)
        return "cannot be normalised";
    size_t chars = 0;
    const char *reason = check_characters(nfc ? nfc : (const uint8_t *)"", nfc_len, &chars);
    if (reason == NULL && (chars < min_chars || chars > max_chars))
        reason = chars < min_chars ? (min_chars == 1 ? "must not be empty" : "is too short") : "is too long";
    char *text = reason ? NULL : malloc(nfc_len + 1);
    if (reason == NULL && text == NULL)
        reason = "out of memory";
    if (text) {
        memcpy(text, nfc ? (const char *)nfc : "", nfc_len);
        text[nfc_len] = '\0';
    }
    free(nfc);
    *out = text;
    return reason;
}

const char *validate_name(const char *in, char **out)
{
    const char *reason = validate_text(in, 1, 100, out);
    if (reason != NULL)
        return reason;
    const uint8_t *s = (const uint8_t *)*out;
    size_t n = strlen(*out), letters = 0;
    for (size_t i = 0; i < n;) {
        ucs4_t c;
        i += (size_t)u8_mbtouc(&c, s + i, n - i);
        if (uc_is_alpha(c))
            letters++;
        else if (c != ' ' && c != '-' && c != '\'' && c != 0x2019 && c != 0x02BC)
            reason = "may contain only letters, spaces, hyphens and apostrophes";
    }
    if (reason == NULL && letters == 0)
        reason = "must contain a letter";
    if (reason != NULL) {
        free(*out);
        *out = NULL;
    }
    return reason;
}

const char *validate_fin(const char *in, char out[8])
{
    if (in == NULL)
        return "is required";
    if (strlen(in) != 7)
        return "must be 7 characters";
    for (int i = 0; i < 7; i++) {
        char c = in[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')))
            return "must be 7 letters and digits";
        out[i] = c;
    }
    out[7] = '\0';
    return NULL;
}

const char *validate_digits(const char *in, size_t min, size_t max, char *out, size_t size)
{
    if (in == NULL)
        return "is required";
    size_t n = strlen(in);
    if (n < min || n > max || n >= size || strspn(in, "0123456789") != n)
        return min == max ? "must be exactly the required number of digits" : "must be digits only, of the required length";
    memcpy(out, in, n + 1);
    return NULL;
}

/* Keeps the digits of in (allowing one leading '+', spaces, hyphens and one pair of parentheses). */
static int mobile_digits(const char *in, char *digits, size_t size)
{
    size_t n = 0;
    int open = 0, closed = 0;
    for (const char *p = in; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n + 1 >= size)
                return -1;
            digits[n++] = *p;
        } else if (*p == '+' && p == in) {
            continue;
        } else if (*p == '(' && !open) {
            open = 1;
        } else if (*p == ')' && open && !closed) {
            closed = 1;
        } else if (*p != ' ' && *p != '-') {
            return -1;
        }
    }
    digits[n] = '\0';
    return open == closed ? 0 : -1;
}

const char *validate_mobile(const char *in, char out[14])
{
    static const char *const operators[] = {"10", "50", "51", "55", "60", "70", "77", "99"};
    char digits[24];
    if (in == NULL)
        return "is required";
    if (strlen(in) > 24 || mobile_digits(in, digits, sizeof digits) != 0)
        return "must be an Azerbaijani mobile number such as +994501234567";
    const char *national = NULL;
    size_t n = strlen(digits);
    if (n == 12 && strncmp(digits, "994", 3) == 0)
        national = digits + 3;
    else if (n == 10 && digits[0] == '0' && in[0] != '+')
        national = digits + 1;
    for (size_t i = 0; national && i < sizeof operators / sizeof operators[0]; i++) {
        if (strncmp(national, operators[i], 2) == 0) {
            memcpy(out, "+994", 4);
            memcpy(out + 4, national, 10);
            return NULL;
        }
    }
    return "must be an Azerbaijani mobile number (operator 10, 50, 51, 55, 60, 70, 77 or 99)";
}

static int valid_domain(const char *d)
{
    size_t n = strlen(d), label = 0;
    if (n == 0 || strchr(d, '.') == NULL || d[0] == '.' || d[n - 1] == '.')
        return 0;
    for (size_t i = 0; i <= n; i++) {
        if (d[i] == '.' || d[i] == '\0') {
            if (label == 0 || label > 63 || d[i - 1] == '-' || d[i - label] == '-')
                return 0;
            label = 0;
        } else if (!((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= 'A' && d[i] <= 'Z') || (d[i] >= '0' && d[i] <= '9') ||
                     d[i] == '-')) {
            return 0;
        } else {
            label++;
        }
    }
    return 1;
}

const char *validate_email(const char *in, char **out)
{
    *out = NULL;
    if (in == NULL)
        return NULL;
    size_t n = strlen(in);
    const char *at = strchr(in, '@');
    if (n > 254 || at == NULL || at == in || at - in > 64 || strchr(at + 1, '@') != NULL || !valid_domain(at + 1))
        return "must be an e-mail address";
    for (const char *p = in; p < at; p++)
        if (*p <= ' ' || *p >= 0x7F || strchr("()<>[]:;,\\\"", *p) != NULL)
            return "must be an e-mail address";
    *out = strdup(in);
    return *out ? NULL : "out of memory";
}

const char *validate_birth_date(const char *in, time_t now, char out[11])
{
    int y, m, d;
    if (in == NULL)
        return "is required";
    if (time_parse_date(in, &y, &m, &d) != 0)
        return "must be a real date YYYY-MM-DD";
    struct tm today;
    gmtime_r(&now, &today);
    long given = y * 10000L + m * 100L + d;
    long current = (today.tm_year + 1900) * 10000L + (today.tm_mon + 1) * 100L + today.tm_mday;
    if (given < 19000101L || given >= current)
        return "must be a date in the past";
    memcpy(out, in, 11);
    return NULL;
}
