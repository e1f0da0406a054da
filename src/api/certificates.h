/* The certificates resource: the public PDF download and the metadata for portals and admins. */
#ifndef ARAYIS_API_CERTIFICATES_H
#define ARAYIS_API_CERTIFICATES_H

#include "http/http.h"

/* GET /c/{number}.pdf?code=… (public): the stored bytes; the same 404 for unknown number or wrong code. */
void certificates_download(void *ctx, http_request *req, http_response *res);

/* GET /api/v1/certificates/{number} (role portal for its own, or admin): JSON metadata. Another portal's certificate
   answers 404 exactly like an unknown number. */
void certificates_get(void *ctx, http_request *req, http_response *res);

/* POST /api/v1/certificates/{number}/revoke (role admin), body {"reason"}: 200 with the metadata,
   now revoked; revoking again changes nothing. Recorded in the audit log and the application's history. */
void certificates_post_revoke(void *ctx, http_request *req, http_response *res);

#endif
