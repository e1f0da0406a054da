/* Sharded hash table of token buckets; a full slot set evicts its least recently used bucket. */
#include "http/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define SHARDS 64
#define SLOTS_PER_SHARD 1024
#define PROBE 8

typedef struct bucket {
    uint64_t key;            /* 0 = empty */
    double tokens;
    long long last_ms;
} bucket;

typedef struct shard {
    pthread_mutex_t lock;
    bucket slots[SLOTS_PER_SHARD];
} shard;

struct ratelimit {
    double rate, burst;
    shard shards[SHARDS];
};

/* FNV-1a: spreads client keys; never 0. */
static uint64_t key_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h ? h : 1;
}

ratelimit *ratelimit_new(double rate, double burst)
{
    ratelimit *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->rate = rate;
    r->burst = burst < 1 ? 1 : burst;
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_init(&r->shards[i].lock, NULL);
    return r;
}

void ratelimit_free(ratelimit *r)
{
    if (r == NULL)
        return;
    for (int i = 0; i < SHARDS; i++)
        pthread_mutex_destroy(&r->shards[i].lock);
    free(r);
}

/* The client's bucket, or a fresh one in place of the stalest among its probe slots. */
static bucket *find_bucket(const ratelimit *r, shard *s, uint64_t key, long long now_ms)
{
    size_t start = (size_t)(key >> 6) % SLOTS_PER_SHARD;
    bucket *stalest = &s->slots[start];
    for (size_t i = 0; i < PROBE; i++) {
        bucket *b = &s->slots[(start + i) % SLOTS_PER_SHARD];
        if (b->key == key)
            return b;
        if (b->key == 0 || b->last_ms < stalest->last_ms)
            stalest = b;
    }
    *stalest = (bucket){key, r->burst, now_ms};
    return stalest;
}

int ratelimit_take(ratelimit *r, const char *client, long long now_ms)
{
    if (r->rate <= 0)
        return 0;
    uint64_t key = key_hash(client);
    shard *s = &r->shards[key % SHARDS];
    pthread_mutex_lock(&s->lock);
    bucket *b = find_bucket(r, s, key, now_ms);
    b->tokens += (double)(now_ms - b->last_ms) / 1000.0 * r->rate;
    if (b->tokens > r->burst)
        b->tokens = r->burst;
    b->last_ms = now_ms;
    int wait = 0;
    if (b->tokens >= 1)
        b->tokens -= 1;
    else
        wait = (int)ceil((1 - b->tokens) / r->rate);
    pthread_mutex_unlock(&s->lock);
    return wait < 0 ? 1 : wait;
}

int ratelimit_take_now(ratelimit *r, const char *client)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ratelimit_take(r, client, (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}
