/* The checkpointer thread. A checkpoint of the same size is signed once: another node's of that size is the same
   note (Ed25519 signatures are deterministic), so whichever node stores it first, the others find it there. */
#include "service/log_checkpointer.h"

#include <stdlib.h>

#include "core/bgthread.h"
#include "core/log.h"
#include "service/context.h"
#include "service/tlog.h"

struct log_checkpointer {
    struct services *svc;
    bgthread *thread;
    int failing;                     /* the last attempt failed: said once until one succeeds */
};

static long long checkpointer_step(bgthread *t, void *ctx)
{
    log_checkpointer *c = ctx;
    if (bgthread_stopping(t))
        return BGTHREAD_EXIT;
    bgthread_unlock(t);
    err e = {0};
    int made = 0;
    if (tlog_checkpoint(c->svc, &made, &e) != 0) {
        if (!c->failing)
            log_printf(LOG_ERROR, "log_checkpoint_failed", "%s", e.msg);
        c->failing = 1;
    } else {
        c->failing = 0;
    }
    bgthread_lock(t);
    return LOG_CHECKPOINT_INTERVAL_MS;
}

log_checkpointer *log_checkpointer_start(struct services *svc, err *e)
{
    log_checkpointer *c = calloc(1, sizeof *c);
    if (c == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    c->svc = svc;
    if ((c->thread = bgthread_start("log checkpointer", 1, checkpointer_step, c, e)) == NULL) {
        free(c);
        return NULL;
    }
    return c;
}

void log_checkpointer_stop(log_checkpointer *c)
{
    if (c == NULL)
        return;
    bgthread_stop(c->thread);
    free(c);
}
