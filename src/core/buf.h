/* A growable byte buffer for strings and binary documents built in memory; every append reports running out of
   memory instead of cutting. */
#ifndef ARAYIS_CORE_BUF_H
#define ARAYIS_CORE_BUF_H

#include <stddef.h>

typedef struct buf {
    unsigned char *data; /* owned; always NUL-terminated after data[len] when non-NULL */
    size_t len;
    size_t cap;
} buf;

#define BUF_INIT {NULL, 0, 0}

/* Ensures room for `extra` more bytes plus the terminating NUL. Returns 0, or -1 on overflow / out of memory. */
int buf_reserve(buf *b, size_t extra);

/* Like buf_reserve, but when it must grow it allocates exactly len + extra + 1 bytes instead of doubling: for data
   whose final size is known in advance. Returns 0, or -1 on overflow / out of memory. */
int buf_reserve_exact(buf *b, size_t extra);

/* Appends n bytes. Returns 0 or -1 (out of memory). */
int buf_append(buf *b, const void *data, size_t n);

/* Appends a NUL-terminated string. Returns 0 or -1. */
int buf_puts(buf *b, const char *s);

/* Appends printf-formatted text. Returns 0 or -1. */
int buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends v in decimal, without printf's cost (for documents with many numbers). Returns 0 or -1. */
int buf_put_uint(buf *b, unsigned long v);

/* Appends the low 16 bits of v as four upper-case hex digits ("00E7"). Returns 0 or -1. */
int buf_put_hex4(buf *b, unsigned v);

/* Returns the contents as a C string ("" when empty); the pointer stays owned by b. */
const char *buf_cstr(const buf *b);

/* Gives the data to the caller (free() it) and leaves b empty. Returns NULL when b was never written. */
unsigned char *buf_detach(buf *b, size_t *len);

/* Frees the data and leaves b empty and reusable. */
void buf_free(buf *b);

#endif
