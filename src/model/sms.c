/* The names of SMS outbox statuses. */
#include "model/sms.h"

#include <assert.h>

#include "core/names.h"

static const char *const status_names[] = {
    [SMS_PENDING] = "pending",
    [SMS_SENT] = "sent",
    [SMS_FAILED] = "failed",
};

#define SMS_STATUSES (sizeof status_names / sizeof status_names[0])

const char *sms_status_name(sms_status status)
{
    assert((size_t)status < SMS_STATUSES);
    return status_names[status];
}

int sms_status_parse(const char *text, sms_status *out)
{
    int i = names_find(status_names, (int)SMS_STATUSES, text);
    if (i == (int)SMS_STATUSES)
        return -1;
    *out = (sms_status)i;
    return 0;
}
