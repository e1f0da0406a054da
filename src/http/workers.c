/* The job queue is a singly linked FIFO under one mutex; idle threads sleep on a condition variable. */
#include "http/workers.h"

#include <pthread.h>
#include <stdlib.h>

struct work_pool {
    pthread_mutex_t lock;
    pthread_cond_t queued;
    work_item *head, *tail;
    int stopping;
    unsigned nthreads;
    pthread_t threads[];
};

static void *worker_main(void *arg)
{
    work_pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->head == NULL && !p->stopping)
            pthread_cond_wait(&p->queued, &p->lock);
        work_item *item = p->head;
        if (item == NULL)
            break;
        p->head = item->next;
        if (p->head == NULL)
            p->tail = NULL;
        pthread_mutex_unlock(&p->lock);
        item->run(item->job);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Stops and joins the first `started` threads, then frees p. */
static void pool_free(work_pool *p, unsigned started)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->queued);
    pthread_mutex_unlock(&p->lock);
    for (unsigned i = 0; i < started; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->queued);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

work_pool *work_pool_start(unsigned threads, err *e)
{
    work_pool *p = calloc(1, sizeof *p + threads * sizeof(pthread_t));
    if (p == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->queued, NULL);
    for (p->nthreads = 0; p->nthreads < threads; p->nthreads++) {
        if (pthread_create(&p->threads[p->nthreads], NULL, worker_main, p) != 0) {
            err_set(e, ERR_NOMEM, "cannot start worker thread %u of %u", p->nthreads + 1, threads);
            pool_free(p, p->nthreads);
            return NULL;
        }
    }
    return p;
}

void work_pool_submit(work_pool *p, work_item *item)
{
    item->next = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->tail != NULL)
        p->tail->next = item;
    else
        p->head = item;
    p->tail = item;
    pthread_cond_signal(&p->queued);
    pthread_mutex_unlock(&p->lock);
}

void work_pool_stop(work_pool *p)
{
    if (p != NULL)
        pool_free(p, p->nthreads);
}
