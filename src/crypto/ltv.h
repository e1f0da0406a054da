/* Long-term validation material for PAdES B-LT: the signer's chain, the TSA's chain, and an OCSP answer for each
   certificate of both that is not an anchor, collected at once into an immutable, shared set. */
#ifndef ARAYIS_CRYPTO_LTV_H
#define ARAYIS_CRYPTO_LTV_H

#include <openssl/cms.h>
#include <stddef.h>
#include <time.h>

#include "core/buf.h"
#include "core/err.h"
#include "crypto/keyring.h"
#include "crypto/ocsp.h"
#include "crypto/timestamp.h"

/* Certificates in both chains together, and so also OCSP answers; a longer chain is refused. */
#define LTV_MAX_CERTS 8
/* How long an answer without a nextUpdate is used, in seconds from its thisUpdate. */
#define LTV_NO_NEXT_UPDATE_S 300

/* What one OCSP answer of a set is about. */
typedef struct ltv_answer {
    char subject[256];          /* "CN=…, O=…" of the certificate */
    char role[8];               /* "signer" (our chain) or "tsa" */
    ocsp_cert_status status;
    time_t this_update, next_update;   /* next_update 0 when the responder gave none */
} ltv_answer;

/* One collected set. Shared by reference: ltv_retain and ltv_release from any thread; never changed once made. */
typedef struct ltv_set {
    buf certs[LTV_MAX_CERTS];   /* DER certificates: our chain, then the TSA's, roots included */
    size_t cert_count;
    buf ocsps[LTV_MAX_CERTS];   /* DER OCSPResponses, one per certificate that is not self-signed */
    ltv_answer answers[LTV_MAX_CERTS];
    size_t ocsp_count;
    time_t fresh_until;         /* the earliest nextUpdate (or thisUpdate + LTV_NO_NEXT_UPDATE_S) of the answers */
    time_t refresh_at;          /* half way from the latest thisUpdate to fresh_until: when to ask again */
    int refs;                   /* changed atomically by ltv_retain and ltv_release */
} ltv_set;

/* 1 when every certificate of ours (the current signing certificate of keys and its chain to our CA) has an OCSP
   responder known to ocsp, so that the set can be made; 0 otherwise. */
int ltv_possible(const keyring *keys, ocsp_client *ocsp);

/* Collects a new set (refs 1): the chain of the current signing certificate of keys, the TSA's chain (learned from
   a token asked of tsa over a fixed digest, chained to its anchors), and a fresh OCSP answer for each certificate
   that is not self-signed, all of them good. Returns NULL with e set: ERR_UNAVAILABLE (the TSA or a responder did
   not answer, an answer failed its check, or a certificate is revoked or unknown), ERR_NOT_FOUND (a certificate
   has no responder), ERR_CRYPTO (a chain cannot be built), ERR_TOO_LONG (more than LTV_MAX_CERTS), ERR_NOMEM. */
ltv_set *ltv_collect(const keyring *keys, tsa_client *tsa, ocsp_client *ocsp, err *e);

/* Validation data as read from a document: pointers to DER items and their lengths. */
typedef struct ltv_view {
    const unsigned char *certs[LTV_MAX_CERTS * 2];
    size_t cert_lens[LTV_MAX_CERTS * 2];
    size_t cert_count;
    const unsigned char *ocsps[LTV_MAX_CERTS * 2];
    size_t ocsp_lens[LTV_MAX_CERTS * 2];
    size_t ocsp_count;
} ltv_view;

/* 1 when view covers the only signer of cms, whose certificate is signer: the chain of signer to our_trust and the
   chain of its signature timestamp's TSA to tsa_anchors are among view's certificates, and each certificate of them
   that is not self-signed has among view's OCSP answers one signed for its issuer that says good; else 0. */
int ltv_covers(CMS_ContentInfo *cms, X509 *signer, X509_STORE *our_trust, X509_STORE *tsa_anchors, const ltv_view *view);

/* One trust anchor, described for showing. */
typedef struct ltv_anchor {
    char subject[256];          /* "CN=…, O=…" */
    char sha256[65];            /* fingerprint of the DER certificate, lower-case hex */
    time_t not_before, not_after;
    buf pem;                    /* the PEM text; the caller frees it with buf_free */
} ltv_anchor;

/* Describes the certificates of store (at most cap) into out. Returns the count; one that cannot be described
   (out of memory) is left out. */
size_t ltv_describe_anchors(X509_STORE *store, ltv_anchor *out, size_t cap);

/* Takes one more reference on set (not NULL) and returns it. */
ltv_set *ltv_retain(ltv_set *set);

/* Drops a reference; the last one frees the set. set may be NULL. */
void ltv_release(ltv_set *set);

#endif
