/* The job queue is a singly linked FIFO under the threads' lock; idle threads sleep until a job is queued. */
#include "http/workers.h"

#include <stdlib.h>

#include "core/bgthread.h"

struct work_pool {
    bgthread *threads;          /* its lock guards the queue */
    work_item *head, *tail;
};

/* Runs the oldest queued job outside the lock; at the stop, ends once the queue is empty. */
static long long worker_step(bgthread *t, void *ctx)
{
    work_pool *p = ctx;
    work_item *item = p->head;
    if (item == NULL)
        return bgthread_stopping(t) ? BGTHREAD_EXIT : BGTHREAD_IDLE;
    p->head = item->next;
    if (p->head == NULL)
        p->tail = NULL;
    bgthread_unlock(t);
    item->run(item->job);
    bgthread_lock(t);
    return BGTHREAD_AGAIN;
}

work_pool *work_pool_start(unsigned threads, err *e)
{
    work_pool *p = calloc(1, sizeof *p);
    if (p == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    if ((p->threads = bgthread_start("worker pool", threads, worker_step, p, e)) == NULL) {
        free(p);
        return NULL;
    }
    return p;
}

void work_pool_submit(work_pool *p, work_item *item)
{
    item->next = NULL;
    bgthread_lock(p->threads);
    if (p->tail != NULL)
        p->tail->next = item;
    else
        p->head = item;
    p->tail = item;
    bgthread_wake_locked(p->threads);
    bgthread_unlock(p->threads);
}

void work_pool_stop(work_pool *p)
{
    if (p == NULL)
        return;
    bgthread_stop(p->threads);
    free(p);
}
