/* The checkpointer thread. A checkpoint of the same size is signed once: another node's of that size is the same
   note (Ed25519 signatures are deterministic), so whichever node stores it first, the others find it there. */
#include "service/log_checkpointer.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/bgthread.h"
#include "core/log.h"
#include "crypto/merkle.h"
#include "crypto/signed_note.h"
#include "service/context.h"
#include "service/tlog_append.h"
#include "store/tlog.h"

struct log_checkpointer {
    struct services *svc;
    bgthread *thread;
    int failing;                     /* the last attempt failed: said once until one succeeds */
};

/* A signed checkpoint as one write. */
typedef struct checkpoint_write {
    uint64_t size;
    const unsigned char *root;
    const char *note;
} checkpoint_write;

static int write_checkpoint(db *d, void *ctx, err *e)
{
    const checkpoint_write *w = ctx;
    return tlog_store_put_checkpoint(d, w->size, w->root, w->note, time(NULL), e);
}

/* Signs and stores a checkpoint of the whole tree when it is larger than the latest one (also of the empty tree
   when there is none). Returns 0, or -1 with e set. */
static int make_checkpoint(struct services *svc, err *e)
{
    db *d = store_db(svc->store, e);
    uint64_t size, published;
    unsigned char root[MERKLE_HASH_LEN];
    int found = d ? tlog_store_latest_checkpoint(d, &published, root, NULL, e) : -1;
    if (found < 0 || tlog_store_size(d, &size, e) != 0)
        return -1;
    if (found == 1 && size <= published)
        return 0;
    checkpoint_body body = {.size = size};
    snprintf(body.origin, sizeof body.origin, "%s", svc->log_origin);
    buf text = BUF_INIT, note = BUF_INIT;
    int rc = -1;
    if (merkle_root(size, tlog_stored_subtree, d, body.root, e) != 0 || checkpoint_text(&text, &body, e) != 0 ||
        signed_note_sign(&note, buf_cstr(&text), svc->log_origin, svc->log_key, e) != 0)
        goto out;
    checkpoint_write w = {size, body.root, buf_cstr(&note)};
    rc = store_write(svc->store, write_checkpoint, &w, e);
out:
    buf_free(&text);
    buf_free(&note);
    return rc;
}

/* One checkpoint outside the lock, then a sleep; at stop, a last one of the tree as the service leaves it. */
static long long checkpointer_step(bgthread *t, void *ctx)
{
    log_checkpointer *c = ctx;
    int stopping = bgthread_stopping(t);
    bgthread_unlock(t);
    err e = {0};
    if (make_checkpoint(c->svc, &e) != 0) {
        if (!c->failing)
            log_printf(LOG_ERROR, "log_checkpoint_failed", "%s", e.msg);
        c->failing = 1;
    } else {
        c->failing = 0;
    }
    bgthread_lock(t);
    return stopping ? BGTHREAD_EXIT : LOG_CHECKPOINT_INTERVAL_MS;
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
