/* The resumer thread and the logging of what a resume did. */
#include "service/resumer.h"

#include <stdlib.h>

#include "core/bgthread.h"
#include "core/log.h"
#include "service/context.h"

struct resumer {
    struct services *svc;
    bgthread *thread;
};

int resumer_run(struct services *svc, time_t unclaimed_at, err *e)
{
    issuing_resumed resumed;
    if (issuing_resume(&svc->issuer, unclaimed_at, &resumed, e) != 0)
        return -1;
    metrics_add(svc->metrics, svc->counter_void, (unsigned long)resumed.voided);
    if (resumed.issued > 0 || resumed.voided > 0)
        log_printf(LOG_WARN, "issues_resumed", "completed %d interrupted certificate(s), voided %d (arayis certificates failed)",
                   resumed.issued, resumed.voided);
    if (resumed.left > 0)
        log_printf(LOG_ERROR, "issues_left_pending", "%d interrupted certificate(s) left for the next run: %s",
                   resumed.left, e->msg);
    return 0;
}

/* One run outside the lock, then a sleep of RESUME_INTERVAL_MS. */
static long long resumer_step(bgthread *t, void *ctx)
{
    resumer *r = ctx;
    if (bgthread_stopping(t))
        return BGTHREAD_EXIT;
    bgthread_unlock(t);
    err e = {0};
    if (resumer_run(r->svc, time(NULL), &e) != 0)
        log_printf(LOG_ERROR, "resume_failed", "%s", e.msg);
    bgthread_lock(t);
    return RESUME_INTERVAL_MS;
}

resumer *resumer_start(struct services *svc, err *e)
{
    resumer *r = calloc(1, sizeof *r);
    if (r == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    r->svc = svc;
    if ((r->thread = bgthread_start("issue resumer", 1, resumer_step, r, e)) == NULL) {
        free(r);
        return NULL;
    }
    return r;
}

void resumer_stop(resumer *r)
{
    if (r == NULL)
        return;
    bgthread_stop(r->thread);
    free(r);
}
