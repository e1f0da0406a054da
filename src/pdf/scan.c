/* Bounded PDF syntax reading: tokens are found by their first byte (ISO 32000-1 7.2), values by counting brackets,
   never by recursion. */
#include "pdf/scan.h"

#include <string.h>

int pdf_scan_is_space(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0;
}

static int is_delimiter(unsigned char c)
{
    return c != 0 && strchr("()<>[]{}/%", c) != NULL;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

const unsigned char *pdf_scan_find_last(const unsigned char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = n >= m ? n - m + 1 : 0; i-- > 0;)
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

const unsigned char *pdf_scan_skip_space(const unsigned char *p, const unsigned char *end)
{
    while (p < end && (pdf_scan_is_space(*p) || *p == '%')) {
        if (*p == '%')
            while (p < end && *p != '\n' && *p != '\r')
                p++;
        else
            p++;
    }
    return p;
}

int pdf_scan_size(const unsigned char **p, const unsigned char *end, size_t *out)
{
    *p = pdf_scan_skip_space(*p, end);
    size_t v = 0, digits = 0;
    for (; *p < end && is_digit(**p) && digits < 12; (*p)++, digits++)
        v = v * 10 + (size_t)(**p - '0');
    *out = v;
    return digits > 0 && digits < 12 ? 0 : -1;
}

int pdf_scan_ref(const unsigned char **p, const unsigned char *end, size_t *num)
{
    size_t gen;
    if (pdf_scan_size(p, end, num) != 0 || pdf_scan_size(p, end, &gen) != 0 || gen != 0)
        return -1;
    *p = pdf_scan_skip_space(*p, end);
    return *p < end && **p == 'R' ? ((*p)++, 0) : -1;
}

/* The end of the literal string that starts at p ("("), with nested parentheses and escapes, or NULL. */
static const unsigned char *literal_end(const unsigned char *p, const unsigned char *end)
{
    size_t depth = 0;
    for (; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0)
            return p + 1;
    }
    return NULL;
}

const unsigned char *pdf_scan_token_end(const unsigned char *p, const unsigned char *end)
{
    if (p >= end)
        return NULL;
    if (*p == '(')
        return literal_end(p, end);
    if (*p == '<' || *p == '>') {
        if (end - p >= 2 && p[1] == *p)
            return p + 2;
        const unsigned char *close = *p == '<' ? memchr(p, '>', (size_t)(end - p)) : NULL;
        return close ? close + 1 : NULL;
    }
    if (*p == '[' || *p == ']' || *p == '{' || *p == '}')
        return p + 1;
    if (*p == ')' || *p == '%' || pdf_scan_is_space(*p))
        return NULL;
    const unsigned char *q = p + 1;
    while (q < end && !pdf_scan_is_space(*q) && !is_delimiter(*q))
        q++;
    return q;
}

static int is_integer(const unsigned char *p, const unsigned char *t)
{
    for (; p < t; p++)
        if (!is_digit(*p))
            return 0;
    return 1;
}

/* After the integer token [p, t): the end of "N G R" when it is a reference, else t. */
static const unsigned char *ref_or_number(const unsigned char *p, const unsigned char *t, const unsigned char *end)
{
    const unsigned char *g = pdf_scan_skip_space(t, end), *g_end = pdf_scan_token_end(g, end);
    const unsigned char *r = g_end ? pdf_scan_skip_space(g_end, end) : NULL;
    if (is_integer(p, t) && g_end && g_end > g && is_integer(g, g_end) && r < end && *r == 'R' &&
        pdf_scan_token_end(r, end) == r + 1)
        return r + 1;
    return t;
}

const unsigned char *pdf_scan_value_end(const unsigned char *p, const unsigned char *end)
{
    size_t depth = 0;
    for (;;) {
        p = pdf_scan_skip_space(p, end);
        const unsigned char *t = pdf_scan_token_end(p, end);
        if (t == NULL)
            return NULL;
        if (*p == '[' || (*p == '<' && t - p == 2)) {
            if (++depth > PDF_SCAN_MAX_DEPTH)
                return NULL;
        } else if (*p == ']' || (*p == '>' && t - p == 2)) {
            if (depth-- == 0)
                return NULL;
        } else if (depth == 0 && is_digit(*p)) {
            return ref_or_number(p, t, end);
        }
        if (depth == 0)
            return t;
        p = t;
    }
}

/* Walks to the next entry of a dictionary from *p (just after "<<" or after the previous value): key and value
   spans. Returns 1 with an entry, 0 at ">>", -1 when malformed. */
static int next_entry(const unsigned char **p, const unsigned char *end, const unsigned char *span[4])
{
    const unsigned char *q = pdf_scan_skip_space(*p, end);
    if (end - q >= 2 && q[0] == '>' && q[1] == '>')
        return 0;
    if (q >= end || *q != '/')
        return -1;
    span[0] = q;
    span[1] = pdf_scan_token_end(q, end);
    span[2] = pdf_scan_skip_space(span[1], end);
    span[3] = pdf_scan_value_end(span[2], end);
    if (span[3] == NULL)
        return -1;
    *p = span[3];
    return 1;
}

static const unsigned char *dict_body(const unsigned char *dict, const unsigned char *end)
{
    dict = pdf_scan_skip_space(dict, end);
    return end - dict >= 2 && dict[0] == '<' && dict[1] == '<' ? dict + 2 : NULL;
}

static int same_name(const unsigned char *p, const unsigned char *p_end, const char *name)
{
    size_t n = strlen(name);
    return (size_t)(p_end - p) == n && memcmp(p, name, n) == 0;
}

int pdf_scan_dict_get(const unsigned char *dict, const unsigned char *end, const char *key,
                      const unsigned char **value, const unsigned char **value_end)
{
    const unsigned char *p = dict_body(dict, end), *span[4];
    if (p == NULL)
        return -1;
    int got;
    while ((got = next_entry(&p, end, span)) == 1)
        if (same_name(span[0], span[1], key)) {
            *value = span[2];
            *value_end = span[3];
            return 1;
        }
    return got;
}

int pdf_scan_is_name(const unsigned char *a, const unsigned char *a_end, const char *name)
{
    return same_name(a, a_end, name);
}

int pdf_scan_same_value(const unsigned char *a, const unsigned char *a_end, const unsigned char *b,
                       const unsigned char *b_end)
{
    for (;;) {
        a = pdf_scan_skip_space(a, a_end);
        b = pdf_scan_skip_space(b, b_end);
        if (a == a_end || b == b_end)
            return a == a_end && b == b_end;
        const unsigned char *ta = pdf_scan_token_end(a, a_end), *tb = pdf_scan_token_end(b, b_end);
        if (ta == NULL || tb == NULL || ta - a != tb - b || memcmp(a, b, (size_t)(ta - a)) != 0)
            return 0;
        a = ta;
        b = tb;
    }
}

static int skipped(const unsigned char *key, const unsigned char *key_end, const char *const *skip)
{
    for (; skip && *skip; skip++)
        if (same_name(key, key_end, *skip))
            return 1;
    return 0;
}

/* 1 when every entry of a but the skipped ones is in b with the same value. */
static int entries_in(const unsigned char *a, const unsigned char *a_end, const unsigned char *b,
                      const unsigned char *b_end, const char *const *skip)
{
    const unsigned char *p = dict_body(a, a_end), *span[4], *value, *value_end;
    char key[128];
    int got;
    if (p == NULL)
        return 0;
    while ((got = next_entry(&p, a_end, span)) == 1) {
        size_t n = (size_t)(span[1] - span[0]);
        if (skipped(span[0], span[1], skip))
            continue;
        if (n >= sizeof key) /* no key of the dictionaries compared is this long */
            return 0;
        memcpy(key, span[0], n);
        key[n] = '\0';
        if (pdf_scan_dict_get(b, b_end, key, &value, &value_end) != 1 || !pdf_scan_same_value(span[2], span[3], value, value_end))
            return 0;
    }
    return got == 0;
}

int pdf_scan_same_dict(const unsigned char *a, const unsigned char *a_end, const unsigned char *b,
                       const unsigned char *b_end, const char *const *skip)
{
    return entries_in(a, a_end, b, b_end, skip) && entries_in(b, b_end, a, a_end, skip);
}

long pdf_scan_ref_array(const unsigned char *p, const unsigned char *end, size_t *nums, size_t cap)
{
    p = pdf_scan_skip_space(p, end);
    if (p >= end || *p++ != '[')
        return -1;
    size_t count = 0;
    while ((p = pdf_scan_skip_space(p, end)) < end && *p != ']') {
        if (count == cap || pdf_scan_ref(&p, end, &nums[count]) != 0)
            return -1;
        count++;
    }
    return p < end ? (long)count : -1;
}
