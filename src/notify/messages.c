/* Loading and filling the SMS text templates. */
#include "notify/messages.h"

#include <stdlib.h>

#include "core/placeholders.h"
#include "core/share.h"

#define SMS_TEMPLATE_MAX 2048

struct sms_messages {
    buf texts[SMS_KIND_COUNT];
};

static const char *const template_files[SMS_KIND_COUNT] = {
    "templates/sms/issued.txt",
    "templates/sms/rejected-not-found.txt",
    "templates/sms/rejected-mismatch.txt",
};

void sms_messages_free(sms_messages *m)
{
    if (m == NULL)
        return;
    for (int i = 0; i < SMS_KIND_COUNT; i++)
        buf_free(&m->texts[i]);
    free(m);
}

sms_messages *sms_messages_load(err *e)
{
    sms_messages *m = calloc(1, sizeof *m);
    if (m == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    for (int i = 0; i < SMS_KIND_COUNT; i++) {
        if (share_read_file(template_files[i], SMS_TEMPLATE_MAX, &m->texts[i], e) != 0) {
            sms_messages_free(m);
            return NULL;
        }
    }
    return m;
}

int sms_messages_render(const sms_messages *m, sms_kind kind, const char *const *vars, buf *out, err *e)
{
    return placeholders_expand(buf_cstr(&m->texts[kind]), vars, out, e);
}
