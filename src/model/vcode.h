/* Verification codes as text (10 bytes as 16 Crockford base32 characters; the bytes come from crypto/codes.h) and
   certificate numbers (AZI-YYYY-NNNNNN). Pure functions, no randomness here. */
#ifndef ARAYIS_MODEL_VCODE_H
#define ARAYIS_MODEL_VCODE_H

#include <stddef.h>

#define VCODE_LEN 16

/* Writes the 16 Crockford base32 characters of the 80 bits of bytes, and a NUL, into out. */
void vcode_encode(const unsigned char bytes[10], char out[VCODE_LEN + 1]);

/* Reads a code as a person may type it: any case, dashes and spaces anywhere, Crockford's aliases
   (O→0, I and L→1). Writes the canonical 16 characters. Returns 0, or -1 when it is not a code
   (or input is NULL). */
int vcode_normalize(const char *input, char out[VCODE_LEN + 1]);

/* Writes "K7Q2-M9XD-4P8T-3R6W" for a canonical code (out: 20 bytes). */
void vcode_group(const char *code, char out[VCODE_LEN + 4]);

/* Parses "AZI-YYYY-NNNNNN" exactly (year 2000-9999, sequence ≥ 1). Returns 0 or -1. */
int vcode_parse_number(const char *text, int *year, long *seq);

#endif
