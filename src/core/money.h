/* Money as integer qəpik (1 AZN = 100 qəpik): parsing the API's decimal strings and formatting for JSON and for Azerbaijani text. */
#ifndef ARAYIS_CORE_MONEY_H
#define ARAYIS_CORE_MONEY_H

#include <stddef.h>
#include <stdint.h>

#define MONEY_TEXT_MAX 32

/* Parses a non-negative decimal string "123", "123.4" or "123.45" (no sign, no exponent, no spaces,
   no leading zeros except "0.xx", at most 2 fraction digits, at most 999 999 999 999.99) into qəpik.
   Returns 0, or -1 when the text is not such a number. */
int money_parse(const char *text, int64_t *qepik);

/* Writes the API form "1234.56" (always two decimals) into out. Returns out. */
char *money_format_api(int64_t qepik, char out[MONEY_TEXT_MAX]);

/* Writes the Azerbaijani form "1 234,56" (space thousands, comma decimals; no currency) into out. Returns out. */
char *money_format_az(int64_t qepik, char out[MONEY_TEXT_MAX]);

#endif
