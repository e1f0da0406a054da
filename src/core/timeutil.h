/* Time stamps: RFC 3339 in UTC for the API, DD.MM.YYYY in Baku time (UTC+4, no DST) for documents. */
#ifndef ARAYIS_CORE_TIMEUTIL_H
#define ARAYIS_CORE_TIMEUTIL_H

#include <stddef.h>
#include <time.h>

#define TIME_TEXT_MAX 32
#define TIME_BAKU_OFFSET (4 * 3600)

/* Parses RFC 3339 ("2026-11-25T10:03:00Z", "2026-11-25T14:03:00+04:00", fractional seconds allowed and
   dropped) into a UTC time_t. Validates every field (month days, leap years). Returns 0 or -1. */
int time_parse_rfc3339(const char *text, time_t *out);

/* Writes "2026-11-25T10:03:00Z" into out. Returns out. */
char *time_format_rfc3339(time_t t, char out[TIME_TEXT_MAX]);

/* Writes the Baku calendar date "25.11.2026" of t into out. Returns out. */
char *time_format_az_date(time_t t, char out[TIME_TEXT_MAX]);

/* Parses the len bytes at text as a full PDF date (PDF 32000-1, 7.9.4): "D:YYYYMMDDHHmmSS" then "Z", or "+HH'mm'"
   or "-HH'mm'" (the last apostrophe optional), into a UTC time_t. Validates every field. Returns 0 or -1. */
int time_parse_pdf_date(const char *text, size_t len, time_t *out);

/* Parses a calendar date "1985-04-12" (real date: month lengths, leap years) into year/month/day. Returns 0 or -1. */
int time_parse_date(const char *text, int *year, int *month, int *day);

#endif
