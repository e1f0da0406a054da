/* New application identifiers and verification codes, from the clock and the CSPRNG. */
#ifndef ARAYIS_CRYPTO_CODES_H
#define ARAYIS_CRYPTO_CODES_H

#include "model/ids.h"
#include "model/vcode.h"

/* Writes a new application identifier (a ULID of now). Returns 0, or -1 when no randomness is available. */
int codes_new_application_id(char out[IDS_LEN + 1]);

/* Writes a new verification code (80 random bits). Returns 0, or -1 when no randomness is available. */
int codes_new_verification_code(char out[VCODE_LEN + 1]);

#endif
