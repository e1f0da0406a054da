/* The TSA's certificates once known: learned from a token that came with them and passed its checks, so that later
   tokens may be asked for without certificates and checked against a TSA certificate whose chain is verified. */
#ifndef ARAYIS_CRYPTO_TSA_KNOWN_H
#define ARAYIS_CRYPTO_TSA_KNOWN_H

#include <openssl/pkcs7.h>
#include <openssl/x509.h>

/* Shared by reference between threads: tsa_known_retain and tsa_known_release; never changed once made but for the
   remembered failure of the direct check (atomic). */
typedef struct tsa_known tsa_known;

/* Learns the certificates token came with; token passed every check with them against anchors. Verifies the chain
   of its signer once more (timestamp signing purpose) to learn when the first certificate of it expires. Returns a
   new set (refs 1), or NULL when out of memory or the chain does not verify (tokens then keep coming with their
   certificates). */
tsa_known *tsa_known_learn(PKCS7 *token, X509_STORE *anchors);

/* Takes one more reference on k (not NULL) and returns it. */
tsa_known *tsa_known_retain(tsa_known *k);

/* Drops a reference; the last one frees the set. k may be NULL. */
void tsa_known_release(tsa_known *k);

/* 1 when the signature of token (with or without certificates of its own) verifies as TS_RESP_verify_signature
   does, else 0 (OpenSSL's error queue says why). The TSA certificate is trusted directly while the chain it was
   verified with is in its validity period, which saves verifying that chain for every token; when that fails, the
   token is checked with the known certificates against anchors, and a token that passes only so (a TSA whose
   tokens name its whole chain) makes k check the long way from then on. */
int tsa_known_verify(tsa_known *k, PKCS7 *token, X509_STORE *anchors);

/* Puts the known certificates, in the TSA's order, into token when it came without any (they are outside what the
   TSA signs), so that it is the token the TSA sends when asked for its certificates. Returns 0 or -1 (out of
   memory). */
int tsa_known_complete(const tsa_known *k, PKCS7 *token);

#endif
