/* The certification workflow of a signing key: a PKCS#10 request for the certification centre, and installing the
   certificate it answers with (checked against the key, rotated into place). */
#ifndef ARAYIS_CRYPTO_ENROL_H
#define ARAYIS_CRYPTO_ENROL_H

#include "core/config.h"
#include "core/err.h"

/* Writes to path (created, never overwritten, mode 0644) a PEM PKCS#10 request signed by the configured signing key
   (token or file, see signing_key_open) for the subject c->signer_subject ("/C=AZ/O=…/CN=…"), asking for the key
   usages digitalSignature and nonRepudiation. Returns 0 or -1 with e set (ERR_INVALID for a subject that is not of
   that form, ERR_IO when path exists or cannot be written, and the errors of signing_key_open). */
int enrol_write_csr(const config *c, const char *path, err *e);

/* What enrol_install_cert did. */
typedef struct enrol_installed {
    char retired[1100];      /* where the previous signing certificate went, "" when there was none */
    char subject[512];       /* the new certificate's subject */
} enrol_installed;

/* Installs the PEM certificate at cert_path as keys_dir/signing.crt, with its issuer from chain_path (PEM, one or
   more certificates; when NULL the current keys_dir/ca.crt) as ca.crt. Refuses (ERR_INVALID) a certificate that is
   not for the configured signing key, that is a CA, that lacks the key usage digitalSignature or nonRepudiation,
   that is not valid now, or that its issuer did not sign. The previous signing certificate (and a CA certificate
   that changes) moves to keys_dir/retired/, named by fingerprint, so what it signed keeps verifying; the new
   certificate leaves retired/ when it was there. Files are replaced by rename. Returns 0 with *out filled, or -1
   with e set. */
int enrol_install_cert(const config *c, const char *cert_path, const char *chain_path, enrol_installed *out, err *e);

/* Development only: the keys directory's development CA (ca.key, ca.crt) signs the PEM request at csr_path as a
   document signing certificate valid for days, written to out_path (created, never overwritten). Returns 0 or -1
   with e set (ERR_NOT_FOUND without a development CA, ERR_CRYPTO for a request whose signature is wrong). */
int enrol_dev_sign_csr(const char *keys_dir, const char *csr_path, const char *out_path, int days, err *e);

#endif
