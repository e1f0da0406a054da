/* Bounded reading of PDF syntax in untrusted bytes: white space, tokens, whole values, dictionary entries, object
   references. Every read stays between the pointers it is given and nothing recurses. */
#ifndef ARAYIS_PDF_SCAN_H
#define ARAYIS_PDF_SCAN_H

#include <stddef.h>

/* Arrays and dictionaries nested deeper than this are refused as malformed. */
#define PDF_SCAN_MAX_DEPTH 32

/* 1 when c is PDF white space (NUL, tab, line feed, form feed, carriage return, space). */
int pdf_scan_is_space(unsigned char c);

/* The last occurrence of needle in the n bytes at hay, or NULL. */
const unsigned char *pdf_scan_find_last(const unsigned char *hay, size_t n, const char *needle);

/* The first byte at or after p (before end) that is neither white space nor inside a comment. */
const unsigned char *pdf_scan_skip_space(const unsigned char *p, const unsigned char *end);

/* Reads a non-negative decimal of at most 11 digits at *p (after white space), not past end, and moves *p past it.
   Returns 0, or -1 when there is none. */
int pdf_scan_size(const unsigned char **p, const unsigned char *end, size_t *out);

/* Reads an object reference "N 0 R" at *p (after white space) and moves *p past it. Returns 0 with *num set, or
   -1. */
int pdf_scan_ref(const unsigned char **p, const unsigned char *end, size_t *num);

/* Where the token that starts at p (after white space) ends: a name, number or keyword, a literal or hex string,
   or one of [ ] << >>. Returns NULL when p is at end or the token is not closed before end. */
const unsigned char *pdf_scan_token_end(const unsigned char *p, const unsigned char *end);

/* Where the whole value that starts at p (after white space) ends: a token, "N G R", or an array or dictionary
   with everything inside it. Returns NULL when it is malformed, not closed before end, or nested deeper than
   PDF_SCAN_MAX_DEPTH. */
const unsigned char *pdf_scan_value_end(const unsigned char *p, const unsigned char *end);

/* The value of key (a name with its slash, "/Type") among the top-level entries of the dictionary that starts at
   dict ("<<"), not reading past end: *value and *value_end. Returns 1 found, 0 absent, -1 when the dictionary is
   malformed. */
int pdf_scan_dict_get(const unsigned char *dict, const unsigned char *end, const char *key,
                      const unsigned char **value, const unsigned char **value_end);

/* 1 when the value at [a, a_end) is the name given (with its slash), else 0. */
int pdf_scan_is_name(const unsigned char *a, const unsigned char *a_end, const char *name);

/* 1 when the values at [a, a_end) and [b, b_end) are the same tokens (white space and comments between them
   aside), else 0. */
int pdf_scan_same_value(const unsigned char *a, const unsigned char *a_end, const unsigned char *b,
                        const unsigned char *b_end);

/* 1 when the two dictionaries at a and b (each "<<" up to its end) hold the same entries, token for token, leaving
   out the keys in skip (NULL-terminated list of names with their slashes, may be NULL); 0 when they differ or
   either is malformed. White space and comments between tokens do not count; the order of entries does not
   either. */
int pdf_scan_same_dict(const unsigned char *a, const unsigned char *a_end, const unsigned char *b,
                       const unsigned char *b_end, const char *const *skip);

/* Reads the array of references at [p, end) ("[ 4 0 R 9 0 R ]") into nums (at most cap). Returns the count, or -1
   when it is no such array or holds more than cap. */
long pdf_scan_ref_array(const unsigned char *p, const unsigned char *end, size_t *nums, size_t cap);

#endif
