/* RFC 3161 signature timestamps: asking a timestamping authority over HTTP, checking its answer, embedding the token
   in a CMS signature as the CAdES signature-time-stamp, and verifying an embedded token later. */
#ifndef ARAYIS_CRYPTO_TIMESTAMP_H
#define ARAYIS_CRYPTO_TIMESTAMP_H

#include <openssl/cms.h>
#include <openssl/types.h>
#include <stddef.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"

/* The largest token taken, in DER bytes; a larger token is refused, never cut. Enough for a token that carries an
   RSA 4096 TSA certificate and its RSA 4096 CA certificate. */
#define TSA_TOKEN_MAX_BYTES 6144
/* Room kept above the largest token a TSA has given: its tokens differ in their serial number, nonce, fraction of a
   second and the length of an ECDSA signature, a few tens of bytes together. */
#define TSA_TOKEN_MARGIN_BYTES 64
/* Idle connections to the TSA kept for reuse, one per concurrent request at most. */
#define TSA_POOL_MAX 64

typedef struct tsa_client tsa_client;

typedef struct tsa_settings {
    const char *url;            /* http:// or https:// address of the TSA */
    const char *ca_file;        /* PEM file of the certificates a TSA certificate must chain to */
    const char *user;           /* HTTP basic credentials, NULL or "" for none */
    const char *password;
    int timeout_ms;             /* the longest one request may take, connection included */
} tsa_settings;

/* A client for the TSA of settings, whose anchors are read from settings->ca_file. Returns NULL with e set:
   ERR_NOT_FOUND or ERR_IO (the anchors file), ERR_CRYPTO (no certificate in it), ERR_NOMEM. */
tsa_client *tsa_client_new(const tsa_settings *settings, err *e);
void tsa_client_free(tsa_client *t);

/* Asks the TSA for a token over the SHA-256 of the len bytes at data, with a fresh 64-bit nonce, and checks the
   answer: status granted, the nonce, the message imprint, and the token's signature by a TSA certificate (critical
   timeStamping extended key usage) that chains to the anchors. The TSA's certificates are asked for until a token
   with them has passed; later tokens are asked for without them, checked against them (tsa_known.h) and given them
   back, and a token they do not verify is asked for once more with certificates. Appends the DER token (a CMS
   ContentInfo with the TSA's certificates) to token, remembers its size (tsa_token_room) and sets *gen_time.
   Thread-safe; connections are reused. Returns 0, or -1 with e set: ERR_UNAVAILABLE (the TSA did not answer in
   time, answered with an HTTP error or a refusal, or its token failed a check), ERR_NOMEM, ERR_RANDOM (no nonce). */
int tsa_request(tsa_client *t, const unsigned char *data, size_t len, buf *token, time_t *gen_time, err *e);

/* The DER bytes to reserve for t's next token: the largest token t has been given so far (by tsa_request, also for
   a token that was then not used) plus TSA_TOKEN_MARGIN_BYTES, at most TSA_TOKEN_MAX_BYTES; TSA_TOKEN_MAX_BYTES
   before the first token. It only grows while t lives. Thread-safe. */
size_t tsa_token_room(const tsa_client *t);

/* Adds a signature-time-stamp from t over the signature value of the signed signer info si, as its unsigned
   attribute, before the CMS is encoded. Returns 0, or -1 with e set as by tsa_request, or ERR_TOO_LONG (the token
   is larger than TSA_TOKEN_MAX_BYTES). */
int tsa_stamp_signer(tsa_client *t, CMS_SignerInfo *si, err *e);

/* The anchors of t (borrowed, valid while t lives). */
X509_STORE *tsa_client_anchors(const tsa_client *t);

/* Reads every certificate of the PEM file at path into a new trust store (caller frees with X509_STORE_free).
   Returns NULL with e set: ERR_NOT_FOUND, ERR_IO, ERR_CRYPTO (no certificate), ERR_NOMEM. */
X509_STORE *tsa_anchors_load(const char *path, err *e);

/* What an embedded signature timestamp says. */
typedef struct tsa_token_check {
    int present;                /* the signer carries a signature-time-stamp attribute */
    int valid;                  /* its token verifies over the signature value and chains to the anchors */
    time_t gen_time;            /* the token's time (UTC), 0 when unreadable */
    char problem[128];          /* why it is not valid, in English; "" when valid or absent */
} tsa_token_check;

/* Checks the signature-time-stamp of signer info si (of a parsed CMS) against anchors (may be NULL: then a present
   token is reported not valid). Fills out; never fails otherwise. */
void tsa_check_signer(CMS_SignerInfo *si, X509_STORE *anchors, tsa_token_check *out);

/* Checks the DER RFC 3161 token (zero padding may follow it) of a document timestamp over its signed bytes, the two
   parts (parts[i], lens[i] bytes) of its byte range in order: the token's signature, its TSA's chain to anchors (may
   be NULL: then not valid) and its message imprint, in the token's own digest, over those bytes. out->present is
   always 1. Fills out; never fails otherwise. */
void tsa_check_document(const unsigned char *token, size_t token_len, const unsigned char *const parts[2],
                        const size_t lens[2], X509_STORE *anchors, tsa_token_check *out);

/* The parsed token of si's signature-time-stamp attribute (caller frees with PKCS7_free), or NULL when it has none
   or it does not parse. Not verified: see tsa_check_signer. */
PKCS7 *tsa_signer_token(CMS_SignerInfo *si);

#endif
