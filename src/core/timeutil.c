/* RFC 3339 and calendar-date parsing and formatting, all in UTC except the Baku document date. */
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n digits at p. Returns the value or -1. */
static int read_digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static int parse_ymd(const char *p, int *y, int *m, int *d)
{
    *y = read_digits(p, 4);
    *m = read_digits(p + 5, 2);
    *d = read_digits(p + 8, 2);
    if (p[4] != '-' || p[7] != '-' || *y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return -1;
    return 0;
}

int time_parse_date(const char *text, int *year, int *month, int *day)
{
    if (text == NULL || strlen(text) != 10)
        return -1;
    return parse_ymd(text, year, month, day);
}

/* Parses the zone "Z", "+hh:mm" or "-hh:mm" into seconds east of UTC. */
static int parse_zone(const char *p, long *offset)
{
    if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
        *offset = 0;
        return 0;
    }
    int hh = read_digits(p + 1, 2), mm = hh < 0 ? -1 : read_digits(p + 4, 2);
    if ((p[0] != '+' && p[0] != '-') || hh < 0 || hh > 23 || p[3] != ':' || mm < 0 || mm > 59 || p[6] != '\0')
        return -1;
    *offset = (p[0] == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
    return 0;
}

int time_parse_rfc3339(const char *text, time_t *out)
{
    int y, mo, d;
    if (text == NULL || strlen(text) < 20 || strlen(text) > 40 || parse_ymd(text, &y, &mo, &d) != 0)
        return -1;
    const char *p = text + 10;
    int h = read_digits(p + 1, 2), mi = read_digits(p + 4, 2), s = read_digits(p + 7, 2);
    if ((p[0] != 'T' && p[0] != 't') || p[3] != ':' || p[6] != ':' || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
        return -1;
    p += 9;
    if (*p == '.') {
        const char *frac = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == frac)
            return -1;
    }
    long offset;
    if (parse_zone(p, &offset) != 0)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
    *out = timegm(&tm) - offset;
    return 0;
}

char *time_format_rfc3339(time_t t, char out[TIME_TEXT_MAX])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, TIME_TEXT_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

char *time_format_az_date(time_t t, char out[TIME_TEXT_MAX])
{
    time_t local = t + TIME_BAKU_OFFSET;
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(out, TIME_TEXT_MAX, "%d.%m.%Y", &tm);
    return out;
}

int time_parse_pdf_date(const char *text, size_t len, time_t *out)
{
    if (len < 17 || memcmp(text, "D:", 2) != 0)
        return -1;
    const char *p = text + 2;
    int y = read_digits(p, 4), mo = read_digits(p + 4, 2), d = read_digits(p + 6, 2);
    int h = read_digits(p + 8, 2), mi = read_digits(p + 10, 2), s = read_digits(p + 12, 2);
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
        s > 59)
        return -1;
    const char *zone = p + 14;
    size_t zone_len = len - 16;
    long offset = 0;
    if (!(zone_len == 1 && zone[0] == 'Z')) {
        int hh = zone_len >= 6 ? read_digits(zone + 1, 2) : -1, mm = hh < 0 ? -1 : read_digits(zone + 4, 2);
        if ((zone[0] != '+' && zone[0] != '-') || hh < 0 || hh > 23 || zone[3] != '\'' || mm < 0 || mm > 59 ||
            (zone_len != 6 && !(zone_len == 7 && zone[6] == '\'')))
            return -1;
        offset = (zone[0] == '-' ? -1 : 1) * (hh * 3600L + mm * 60L);
    }
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s};
    *out = timegm(&tm) - offset;
    return 0;
}
