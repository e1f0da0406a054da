/* The valid / expired / revoked verdict on an issued certificate. */
#include "model/certificate.h"

#include <assert.h>

static const char *const status_names[] = {
    [CERTIFICATE_VALID] = "valid",
    [CERTIFICATE_EXPIRED] = "expired",
    [CERTIFICATE_REVOKED] = "revoked",
};

certificate_status certificate_verdict(const certificate_row *c, time_t now)
{
    assert(c->state == CERTIFICATE_ISSUED);
    if (c->revoked_at != 0)
        return CERTIFICATE_REVOKED;
    return now >= c->valid_until ? CERTIFICATE_EXPIRED : CERTIFICATE_VALID;
}

const char *certificate_status_name(certificate_status s)
{
    assert((unsigned)s < sizeof status_names / sizeof status_names[0]);
    return status_names[s];
}
