/* The valid / expired / revoked verdict on an issued certificate, and the names of signature levels. */
#include "model/certificate.h"

#include <assert.h>
#include <string.h>

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

static const char *const level_names[] = {[SIGNATURE_B_B] = "B-B", [SIGNATURE_B_T] = "B-T",
                                            [SIGNATURE_B_LT] = "B-LT"};

const char *signature_level_name(signature_level l)
{
    assert((unsigned)l < sizeof level_names / sizeof level_names[0]);
    return level_names[l];
}

int signature_level_parse(const char *text, signature_level *out)
{
    for (size_t i = 0; text && i < sizeof level_names / sizeof level_names[0]; i++)
        if (strcmp(text, level_names[i]) == 0) {
            *out = (signature_level)i;
            return 0;
        }
    return -1;
}
