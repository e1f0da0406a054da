/* Application identifiers: 26-character ULIDs (48-bit millisecond time + 80 random bits, Crockford base32), sortable by creation. */
#ifndef ARAYIS_DOMAIN_IDS_H
#define ARAYIS_DOMAIN_IDS_H

#define IDS_LEN 26

/* Writes a new identifier into out (27 bytes). Returns 0, or -1 when no randomness is available. */
int ids_new_application_id(char out[IDS_LEN + 1]);

#endif
