/* The use cases of issued certificates: the document for the holder of its code, the details for its portal,
   revocation in one durable write with its audit and history entries. */
#include "service/certificates.h"

#include <assert.h>
#include <time.h>

#include "service/context.h"
#include "service/verification.h"
#include "service/history.h"
#include "store/applications.h"
#include "store/audit.h"
#include "store/certificates.h"

int certificate_document(services *svc, const char *number, const char *code, certificate_row *c, buf *pdf, err *e)
{
    int found = verification_by_code(svc, number, code, c, NULL, e);
    if (found != 1)
        return found;
    db *d = store_db(svc->store, e);
    if (d == NULL)
        return -1;
    found = certificates_read_pdf(d, c->number, pdf, e);
    if (found == 0) /* an issued certificate has its document: a row without one is broken */
        return err_set(e, ERR_INTERNAL, "issued certificate %s has no document", c->number);
    return found;
}

/* True when asker may see the certificate of application_id: always for an administrator, for a portal only when
   it submitted the application. Returns 1, 0, or -1 (e set). */
static int may_see(db *d, const apikey_row *asker, const char *application_id, err *e)
{
    if (asker->role == ROLE_ADMIN)
        return 1;
    application_row owner;
    int found = applications_find(d, application_id, &owner, e);
    if (found != 1)
        return found < 0 ? -1 : err_set(e, ERR_INTERNAL, "certificate of a missing application %s", application_id);
    return owner.api_key_id == asker->id;
}

int certificate_details(services *svc, const char *number, const apikey_row *asker, certificate_row *c, err *e)
{
    assert(asker->role == ROLE_ADMIN || asker->role == ROLE_PORTAL);
    db *d = store_db(svc->store, e);
    if (d == NULL)
        return -1;
    int found = certificates_find(d, number, c, e);
    if (found != 1 || c->state != CERTIFICATE_ISSUED)
        return found < 0 ? -1 : 0;
    return may_see(d, asker, c->application_id, e);
}

/* One revocation as a unit of the shared write. */
typedef struct revocation {
    const char *number, *reason, *actor;
    revocation_code code;
    const tlog_appender *log;
    time_t at;
    certificate_row *c;             /* the certificate as it stands after the write */
    int found;                      /* an issued certificate has the number */
} revocation;

/* Revokes, unless already revoked, with the audit and history entries; then reads the row back as it now stands and
   appends its revocation to the transparency log. */
static int write_revocation(db *d, void *ctx, err *e)
{
    revocation *r = ctx;
    int found = certificates_find(d, r->number, r->c, e);
    if (found < 0)
        return -1;
    r->found = found == 1 && r->c->state == CERTIFICATE_ISSUED;
    if (!r->found)
        return 0;
    int changed = certificates_revoke(d, r->number, r->at, r->reason, r->code, r->actor, e);
    if (changed <= 0)
        return changed;
    if (audit_append(d, r->at, r->actor, "certificate.revoke", r->number, r->reason, e) != 0 ||
        history_record(d, NULL, r->c->application_id, HISTORY_REVOKED, r->at, r->reason, r->number, e) != 0)
        return -1;
    found = certificates_find(d, r->number, r->c, e);
    if (found != 1)
        return found < 0 ? -1 : err_set(e, ERR_INTERNAL, "certificate %s vanished while revoked", r->number);
    return tlog_append_revocation(d, r->log, r->c, r->code, e);
}

int certificate_revoke(services *svc, const char *number, const char *reason, revocation_code code, const char *actor,
                       certificate_row *c, err *e)
{
    revocation r = {number, reason, actor, code, &svc->log, time(NULL), c, 0};
    if (store_write(svc->store, write_revocation, &r, e) != 0)
        return -1;
    if (r.found)
        webhook_deliverer_wake(svc->webhooks);
    return r.found;
}
