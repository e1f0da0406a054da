/* The verification code of an issued certificate by number: the narrow read behind the public code check, made so
   that it costs the same whether the number exists or not. */
#ifndef ARAYIS_STORE_CERT_CODES_H
#define ARAYIS_STORE_CERT_CODES_H

#include "store/db.h"

#define CERT_CODE_LEN 16

/* Reads, with one index seek, the row of number or else the nearest row before it, and copies that row's
   verification code into code: the same work whether number exists or not. Returns 1 when the row is number's
   own and its PDF is stored (code is its code), 0 otherwise (code holds a neighbour's code, or is untouched when
   no row precedes number), -1 on a store failure (e set). */
int cert_codes_find(db *d, const char *number, char code[CERT_CODE_LEN + 1], err *e);

#endif
