/* Issued certificates for their holders, their portals and the administrators: the document by code, the details
   for the portal that asked for it, and revocation. */
#ifndef ARAYIS_SERVICE_CERTIFICATES_H
#define ARAYIS_SERVICE_CERTIFICATES_H

#include "core/buf.h"
#include "core/err.h"
#include "model/apikey.h"
#include "model/certificate.h"
#include "model/tlog_entry.h"
#include "service/services.h"

/* The signed document of the issued certificate number, for whoever holds its code (checked as
   verification_by_code does, in equal work). Returns 1 with c filled and the document's bytes appended to pdf,
   0 unknown number or wrong code (indistinguishable by design), -1 store failure (e set). */
int certificate_document(services *svc, const char *number, const char *code, certificate_row *c, buf *pdf, err *e);

/* The issued certificate number as asker may see it: an administrator sees every certificate, a portal only those
   of its own applications. Another portal's certificate is not found, exactly like an unknown number, so that
   numbers cannot be probed across portals. Returns 1 with c filled, 0 not found, -1 store failure (e set). */
int certificate_details(services *svc, const char *number, const apikey_row *asker, certificate_row *c, err *e);

/* Revokes the issued certificate number for reason (validated text, at most CERTIFICATE_REASON_MAX characters) and
   reason code on actor's behalf (a key name), with its audit entry, the application's history entry and its
   transparency log entry (the code, never the text), in one durable write
   shared with concurrent ones (store_write). Revoking a revoked certificate changes nothing. Returns 1 with c
   filled as it now stands (revoked), 0 when no issued certificate has that number, -1 with e set (nothing
   stored). */
int certificate_revoke(services *svc, const char *number, const char *reason, revocation_code code, const char *actor,
                       certificate_row *c, err *e);

#endif
