/* Field validators shared by the application intake and the billing data: each returns NULL when the
   value is acceptable (writing its normalised form) or a short English reason for the field error. */
#ifndef ARAYIS_MODEL_VALIDATE_H
#define ARAYIS_MODEL_VALIDATE_H

#include <stddef.h>
#include <time.h>

/* Valid UTF-8, no control or bidirectional-override characters, every character printable on the
   certificate (Latin script incl. all Azerbaijani letters, digits, punctuation, “ ” ‘ ’ – — №),
   min..max characters after NFC normalisation. Leading and trailing spaces are trimmed.
   *out receives the NFC text (malloc'd, caller frees) on success. */
const char *validate_text(const char *in, size_t min_chars, size_t max_chars, char **out);

/* A person's name: validate_text with 1..100 characters, only letters, space, hyphen and apostrophes
   (' ’ ʼ), at least one letter. */
const char *validate_name(const char *in, char **out);

/* FIN: 7 characters [0-9A-Z]; lower case accepted and upper-cased into out. */
const char *validate_fin(const char *in, char out[8]);

/* min..max ASCII digits, copied to out (size ≥ max + 1). VÖEN is (10, 10), a subscriber code (6, 16). */
const char *validate_digits(const char *in, size_t min, size_t max, char *out, size_t size);

/* An Azerbaijani mobile number in the accepted spellings (+994501234567, 994501234567, 0501234567,
   050 123 45 67, (050) 123-45-67), operator 10, 50, 51, 55, 60, 70, 77 or 99, written as +994XXXXXXXXX. */
const char *validate_mobile(const char *in, char out[14]);

/* An e-mail address (local@domain.tld, ASCII, at most 254 characters); *out is a malloc'd copy. */
const char *validate_email(const char *in, char **out);

/* A real calendar date YYYY-MM-DD, not before 1900-01-01 and before now's UTC date; copied to out. */
const char *validate_birth_date(const char *in, time_t now, char out[11]);

#endif
