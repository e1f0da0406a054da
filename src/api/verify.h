/* Verification for third parties: the QR landing page, the manual form, PDF checks, and our public keys. */
#ifndef ARAYIS_API_VERIFY_H
#define ARAYIS_API_VERIFY_H

#include "http/http.h"

/* GET /v/{number}?code=…: HTML verdict (Azerbaijani, ?lang=en for English) or, with Accept:
   application/json, the contract's JSON. Unknown number and wrong code give the same 404. */
void verify_page(void *ctx, http_request *req, http_response *res);

/* GET /v: the manual form; with ?number=…&code=… it redirects to the certificate's page. */
void verify_form(void *ctx, http_request *req, http_response *res);

/* POST /api/v1/verify/pdf (body: the PDF): signature and register check as JSON. */
void verify_pdf_api(void *ctx, http_request *req, http_response *res);

/* POST /v/pdf (multipart form with field "pdf"): the same check as an HTML page. */
void verify_pdf_form(void *ctx, http_request *req, http_response *res);

/* GET /api/v1/keys: our signing certificates, current and retired, as PEM with validity and fingerprint. */
void verify_keys(void *ctx, http_request *req, http_response *res);

#endif
