/* OCSP (RFC 6960): asking the responder of a certificate (its AIA, or a configured one) whether it is revoked, checking
   the answer, and keeping answers until their nextUpdate. */
#ifndef ARAYIS_CRYPTO_OCSP_H
#define ARAYIS_CRYPTO_OCSP_H

#include <openssl/types.h>
#include <stddef.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"

/* Answers kept at once (our chain and the TSA's); the oldest is dropped past this. */
#define OCSP_CACHE_MAX 64
/* A responder answer larger than this is refused. */
#define OCSP_RESPONSE_MAX (64u * 1024)
/* Bytes of a responder URL. */
#define OCSP_URL_MAX 512

typedef enum ocsp_cert_status { OCSP_CERT_GOOD, OCSP_CERT_REVOKED, OCSP_CERT_UNKNOWN } ocsp_cert_status;

/* One checked answer about one certificate. */
typedef struct ocsp_answer {
    ocsp_cert_status status;
    time_t revoked_at;          /* when status is OCSP_CERT_REVOKED, else 0 */
    int reason;                 /* the CRLReason code (1 keyCompromise, …) when revoked and given, else -1 */
    time_t this_update;         /* the responder's thisUpdate */
    time_t next_update;         /* its nextUpdate, 0 when it gave none (then the answer is never kept) */
    buf der;                    /* the whole DER OCSPResponse, as embedded in validation data */
} ocsp_answer;

typedef struct ocsp_client ocsp_client;

typedef struct ocsp_settings {
    const char *url;            /* responder for our own chain, overriding its AIA; NULL or "" for the AIA */
    int timeout_ms;             /* the longest one exchange may take, connection included */
} ocsp_settings;

/* A client with an empty cache. Returns NULL with e set: ERR_TOO_LONG (the URL), ERR_NOMEM. */
ocsp_client *ocsp_client_new(const ocsp_settings *settings, err *e);
void ocsp_client_free(ocsp_client *c);

/* The responder URL for cert: for one of our own chain (ours set) the configured one when there is one, else the
   first http(s) OCSP address of its AIA. Writes it into url (OCSP_URL_MAX bytes). Returns 1 when there is one, 0
   when there is none. */
int ocsp_responder(const ocsp_client *c, X509 *cert, int ours, char url[OCSP_URL_MAX]);

/* The status of cert, issued by issuer (ours: as for ocsp_responder): a kept answer while before its nextUpdate (unless fresh is set), otherwise
   asked now (with a nonce) and checked: a successful response signed by issuer or by a responder it delegated
   (id-kp-OCSPSigning), a single answer for this certificate, thisUpdate not in the future and nextUpdate not
   past (5 minutes of clock skew allowed). Fills out (caller frees out->der with buf_free; out is set only on 1).
   Thread-safe. Returns 1 answered, 0 no responder is known for cert, -1 with e set: ERR_UNAVAILABLE (the responder
   did not answer in time, answered an HTTP error or an unsuccessful status, or its answer failed a check), ERR_NOMEM. */
int ocsp_status(ocsp_client *c, X509 *cert, X509 *issuer, int ours, int fresh, ocsp_answer *out, err *e);

/* 1 when the len bytes at der are a successful OCSPResponse, signed by issuer or a responder it delegated, that says
   cert is good; else 0 (as validation data is judged: the time of the answer is not checked here). */
int ocsp_response_good(const unsigned char *der, size_t len, X509 *cert, X509 *issuer);

/* "keyCompromise", "superseded", … (RFC 5280 CRLReason names) for reason, "unspecified" for -1 or unknown codes. */
const char *ocsp_reason_name(int reason);

/* "good", "revoked", "unknown". */
const char *ocsp_status_name(ocsp_cert_status status);

/* Copies the kept answers' summaries (der left empty) into out, at most cap of them, with the certificate each
   is about as a SHA-256 fingerprint in lower-case hex (65 bytes each) into fingerprints. Returns the count. */
size_t ocsp_cached(ocsp_client *c, ocsp_answer *out, char (*fingerprints)[65], size_t cap);

#endif
