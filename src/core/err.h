/* A small error carrier: a status code and a human-readable message, filled by the function that failed. */
#ifndef ARAYIS_CORE_ERR_H
#define ARAYIS_CORE_ERR_H

#include <stddef.h>

typedef struct err {
    int code;        /* module-specific; 0 means no error */
    char msg[256];   /* English, for logs and CLI output; never personal data */
} err;

/* Sets e->code and formats e->msg (truncated to fit). e may be NULL. Returns -1 so callers can `return err_set(...)`. */
int err_set(err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Clears e (code 0, empty message). e may be NULL. */
void err_clear(err *e);

#endif
