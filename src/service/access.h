/* Access to the API: finding the key a client presents. */
#ifndef ARAYIS_SERVICE_ACCESS_H
#define ARAYIS_SERVICE_ACCESS_H

#include "core/err.h"
#include "model/apikey.h"
#include "service/services.h"

/* Finds the active API key whose clear text is token (as presented; it is hashed here and kept nowhere).
   Returns 1 with key filled, 0 when no active key has that text (unknown or revoked), or -1 with e set. */
int access_find_key(services *svc, const char *token, apikey_row *key, err *e);

#endif
