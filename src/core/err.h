/* Errors: a class from one enum (what kind of failure, which decides how callers and the HTTP layer react) and a
   message for logs, filled by the function that failed. */
#ifndef ARAYIS_CORE_ERR_H
#define ARAYIS_CORE_ERR_H

#include <stddef.h>

/* Every class of failure the service knows. The HTTP answer for each is chosen in one place (api/respond.c). */
typedef enum err_code {
    ERR_OK = 0,
    ERR_NOMEM,         /* out of memory */
    ERR_INVALID,       /* bad input, argument or configuration */
    ERR_NOT_FOUND,     /* a file, key or row that must exist does not */
    ERR_CONFLICT,      /* a uniqueness or consistency rule would be broken (duplicate name, reference in use) */
    ERR_TOO_LONG,      /* a text longer than its limit: refused, never cut */
    ERR_PERMISSION,    /* a file's permissions or owner are unsafe, or access is refused */
    ERR_IO,            /* reading or writing a file or the database failed */
    ERR_FULL,          /* the disk is full, or a range (certificate numbers of a year) is exhausted */
    ERR_BUSY,          /* the database stayed locked past its time-out */
    ERR_VERSION,       /* the database was written by a newer version */
    ERR_UNAVAILABLE,   /* a dependency cannot answer now (database, network peer); retrying may help */
    ERR_RANDOM,        /* the CSPRNG gave no bytes */
    ERR_CRYPTO,        /* a key, certificate or signature operation failed */
    ERR_RENDER,        /* a document could not be rendered */
    ERR_NETWORK,       /* an outgoing HTTP exchange failed */
    ERR_INTERNAL,      /* a broken invariant: a bug */
} err_code;

typedef struct err {
    err_code code;   /* ERR_OK means no error */
    char msg[256];   /* English, for logs and CLI output; never personal data; cut to fit, being a message only */
} err;

/* Sets e->code and formats e->msg. e may be NULL. Returns -1 so callers can `return err_set(...)`. */
int err_set(err *e, err_code code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Clears e (ERR_OK, empty message). e may be NULL. */
void err_clear(err *e);

/* The class's name in snake case ("not_found", "io"), for logs. */
const char *err_code_name(err_code code);

/* True for the classes after which the same request may succeed later: out of memory, I/O, full disk, busy,
   unavailable, network. */
int err_is_transient(err_code code);

#endif
