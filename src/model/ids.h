/* Application identifiers: 26-character ULIDs (48-bit millisecond time + 80 random bits, Crockford base32), sortable by creation. */
#ifndef ARAYIS_MODEL_IDS_H
#define ARAYIS_MODEL_IDS_H

#include <stdint.h>

#define IDS_LEN 26

/* Writes the identifier of the millisecond unix_ms with 10 bytes of entropy into out (27 bytes). */
void ids_format(uint64_t unix_ms, const unsigned char entropy[10], char out[IDS_LEN + 1]);

#endif
