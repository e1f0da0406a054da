/* Cryptographically secure random bytes from OpenSSL's CSPRNG. */
#ifndef ARAYIS_CRYPTO_RANDOM_H
#define ARAYIS_CRYPTO_RANDOM_H

#include <stddef.h>

/* Fills out with n random bytes. Returns 0, or -1 when the CSPRNG fails; out then holds nothing usable. Where the
   bytes are a secret or a code (keys, verification codes, serial numbers) the caller fails with ERR_RANDOM; where
   they only need to be unique (request ids) it may fall back on something else, saying why. */
int random_bytes(void *out, size_t n);

/* A number in [0, 1) for jitter; 0.5 (no jitter) when the CSPRNG fails, since jitter only spreads retries out. */
double random_unit(void);

#endif
