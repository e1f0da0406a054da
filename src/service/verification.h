/* Verification for whoever holds the paper: a certificate by its number and code, a PDF file by its signature and
   its exact bytes, and the signing certificates a file can be checked against. */
#ifndef ARAYIS_SERVICE_VERIFICATION_H
#define ARAYIS_SERVICE_VERIFICATION_H

#include <stddef.h>
#include <time.h>

#include "core/err.h"
#include "crypto/keyring.h"
#include "crypto/ltv.h"
#include "model/certificate.h"
#include "model/vcode.h"
#include "service/services.h"
#include "service/verify_batch.h"

/* Loads the issued certificate named by number when code (any accepted spelling, see vcode_normalize) is its
   verification code, and its status as of now. An unknown number, a wrong code and a malformed one do the same
   work (one read that lands on a row, one constant-time comparison), so that timing tells nothing. code and status
   may be NULL. Returns 1 found (c, with its transparency log indexes, and *status set), 0 unknown number or wrong code (indistinguishable by design), -1 store
   failure (e set). */
int verification_by_code(services *svc, const char *number, const char *code, certificate_row *c,
                         certificate_status *status, err *e);

/* The same check in two halves, for a caller that must not wait for the read: verification_begin queues it and
   returns, done(owner) is called once it is read (on another thread when verification_waits), and
   verification_end gives its result as verification_by_code returns it, the certificate in k->row. The struct is
   the caller's, untouched between the halves. */
typedef struct code_asked {
    char number[16];                /* the number read (AZI-YYYY-NNNNNN): the one asked for when well formed */
    char wanted[VCODE_LEN + 1];     /* the normalized code, or one that matches nothing */
    int well_formed;                /* number and code both */
} code_asked;

typedef struct code_check {
    code_asked asked;
    certificate_row row;
    verify_check read;
    void (*done)(void *owner);
    void *owner;
} code_check;

void verification_begin(services *svc, const char *number, const char *code, code_check *k,
                        void (*done)(void *owner), void *owner);
int verification_end(code_check *k, certificate_status *status, err *e);

/* 1 when a check's read waits on the network (a shared store): worth not holding a thread for. */
int verification_waits(const services *svc);

/* What a PDF file is: its signature as checked against our keys, and whether its exact bytes are a document we
   issued. */
typedef struct pdf_verification {
    int readable;                   /* a PDF whose signature could be looked at; nothing below is set otherwise */
    int signature_valid;            /* see pdf_sig_report.signature_valid */
    char signed_by[256];            /* "CN=…, O=…" of the signer, "" when none */
    char level[8];                  /* see pdf_sig_report.level */
    time_t timestamped_at;          /* see pdf_sig_report.timestamped_at */
    time_t document_timestamped_at; /* see pdf_sig_report.document_timestamped_at */
    char revocation[16];            /* see pdf_sig_report.revocation */
    char revocation_reason[24];     /* see pdf_sig_report.revocation_reason */
    time_t revoked_at;              /* see pdf_sig_report.revoked_at */
    int registered;                 /* byte for byte the document of an issued certificate: the whole file, or the
                                       signed revision when only allowed updates follow a valid signature */
    certificate_row cert;           /* that certificate, when registered */
    certificate_status status;      /* its status as of now, when registered */
    int genuine;                    /* readable, validly signed and registered: only then does the file speak for
                                       its certificate */
} pdf_verification;

/* Checks the signature of the len bytes at pdf (with the signing certificate's revocation status) and looks them
   up by SHA-256: the signed revision's bytes when the signature is valid (what follows it only adds validation data
   or document timestamps), else all of them. A file that is no PDF is a verdict (readable 0), not an error. Returns 0 with *out filled, or -1
   when the store fails or the revocation status cannot be had (e set; ERR_UNAVAILABLE for an OCSP responder that
   is away). */
int verification_of_pdf(services *svc, const unsigned char *pdf, size_t len, pdf_verification *out, err *e);

/* TSA anchors shown at most. */
#define VERIFICATION_MAX_ANCHORS 16

/* What the service trusts and holds beside its keys. */
typedef struct trust_held {
    ltv_anchor tsa_anchors[VERIFICATION_MAX_ANCHORS];  /* ARAYIS_TSA_CA's certificates */
    size_t tsa_anchor_count;
    ltv_answer answers[LTV_MAX_CERTS];  /* the OCSP answers of the validation data last collected */
    size_t answer_count;
    time_t fresh_until;                 /* when the first of them passes its nextUpdate; 0 when none is held */
} trust_held;

/* Fills out with the TSA anchors and the OCSP answers held for our chain and the TSA's. Release with
   verification_trust_free. */
void verification_trust(const services *svc, trust_held *out);
void verification_trust_free(trust_held *t);

/* Our signing certificates, current and retired (owned by the services; valid until services_stop). */
const keyring *verification_keys(const services *svc);

#endif
