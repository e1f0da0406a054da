/* A fixed pool of threads that run queued jobs in arrival order: where requests wait on disk, off the event loop. */
#ifndef ARAYIS_HTTP_WORKERS_H
#define ARAYIS_HTTP_WORKERS_H

#include "core/err.h"

typedef struct work_pool work_pool;

/* A job, embedded in the caller's own state: nothing is allocated to queue it. */
typedef struct work_item {
    void (*run)(void *job);
    void *job;
    struct work_item *next;          /* the pool's */
} work_item;

/* Starts threads workers. Returns NULL with e set. */
work_pool *work_pool_start(unsigned threads, err *e);

/* Queues item->run(item->job) to run on a pool thread, first come, first served. item must stay valid until run
   has returned. The server queues at most one item per open connection, so its connection limit bounds the queue. */
void work_pool_submit(work_pool *p, work_item *item);

/* Runs every queued job to its end, stops the threads and frees p. p may be NULL. */
void work_pool_stop(work_pool *p);

#endif
