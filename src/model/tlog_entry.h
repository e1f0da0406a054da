/* An entry of the transparency log: what it says about a certificate's issuance or revocation, its canonical bytes
   (docs/transparency-log.md) and the reason codes of revocations. No personal data goes into an entry. */
#ifndef ARAYIS_MODEL_TLOG_ENTRY_H
#define ARAYIS_MODEL_TLOG_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#define TLOG_ENTRY_VERSION 1
#define TLOG_NUMBER_MAX 32                          /* bytes of a certificate number in an entry */
#define TLOG_ENTRY_MAX (3 + TLOG_NUMBER_MAX + 32 + 8 + 8 + 32 + 9) /* the longest entry, in bytes */

typedef enum tlog_entry_type {
    TLOG_ISSUANCE = 1,
    TLOG_REVOCATION = 2,
} tlog_entry_type;

/* Why a certificate was revoked, numbered as RFC 5280's CRLReason. */
typedef enum revocation_code {
    REVOCATION_UNSPECIFIED = 0,
    REVOCATION_KEY_COMPROMISE = 1,
    REVOCATION_SUPERSEDED = 4,
    REVOCATION_CESSATION_OF_OPERATION = 5,
} revocation_code;

typedef struct tlog_entry {
    tlog_entry_type type;
    char number[TLOG_NUMBER_MAX + 1];
    unsigned char document_sha256[32];
    int64_t issued_at, valid_until;
    unsigned char signing_key_id[32];   /* SHA-256 of the DER of the signing certificate */
    int64_t revoked_at;                 /* revocations only */
    revocation_code reason;             /* revocations only */
} tlog_entry;

/* Writes the canonical bytes of e into out. Returns their length, or 0 when e cannot be encoded (a number of 0 or
   more than TLOG_NUMBER_MAX bytes, an unknown type or reason). */
size_t tlog_entry_encode(const tlog_entry *e, unsigned char out[TLOG_ENTRY_MAX]);

/* Reads the len bytes at data as an entry. Returns 0, or -1 when they are not exactly one entry of version 1. */
int tlog_entry_decode(const unsigned char *data, size_t len, tlog_entry *out);

/* "unspecified", "key_compromise", "superseded", "cessation_of_operation" (static strings); NULL for another. */
const char *revocation_code_name(revocation_code c);

/* The code named text. Returns 0, or -1 for an unknown name (*out unchanged). */
int revocation_code_parse(const char *text, revocation_code *out);

/* The code numbered n (as stored). Returns 0, or -1 for a number that is no code. */
int revocation_code_of(long long n, revocation_code *out);

/* Reads 64 hex digits (either case) into out. Returns 0, or -1 when text is anything else. */
int tlog_hex32(const char *text, unsigned char out[32]);

#endif
