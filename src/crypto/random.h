/* Cryptographically secure random bytes from OpenSSL's CSPRNG. */
#ifndef ARAYIS_CRYPTO_RANDOM_H
#define ARAYIS_CRYPTO_RANDOM_H

#include <stddef.h>

/* Fills out with n random bytes. Returns 0, or -1 when the CSPRNG fails (callers must not continue). */
int random_bytes(void *out, size_t n);

#endif
