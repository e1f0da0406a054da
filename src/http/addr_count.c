/* A chained hash table under one mutex: each operation is a short walk of one chain. */
#include "http/addr_count.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ADDR_COUNT_BUCKETS 4096

typedef struct entry {
    struct entry *next;
    unsigned count;
    char addr[ADDR_COUNT_KEY_MAX];
} entry;

struct addr_count {
    pthread_mutex_t lock;
    entry *buckets[ADDR_COUNT_BUCKETS];
};

/* FNV-1a over the address text. */
static size_t bucket_of(const char *addr)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *addr; addr++)
        h = (h ^ (unsigned char)*addr) * 1099511628211ULL;
    return (size_t)(h % ADDR_COUNT_BUCKETS);
}

/* The link that points at addr's entry, or at the chain's terminating NULL. Called under the lock. */
static entry **find(addr_count *t, const char *addr)
{
    entry **link = &t->buckets[bucket_of(addr)];
    while (*link && strcmp((*link)->addr, addr) != 0)
        link = &(*link)->next;
    return link;
}

addr_count *addr_count_new(void)
{
    addr_count *t = calloc(1, sizeof *t);
    if (t != NULL)
        pthread_mutex_init(&t->lock, NULL);
    return t;
}

void addr_count_free(addr_count *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < ADDR_COUNT_BUCKETS; i++)
        for (entry *e = t->buckets[i], *next; e; e = next) {
            next = e->next;
            free(e);
        }
    pthread_mutex_destroy(&t->lock);
    free(t);
}

int addr_count_add(addr_count *t, const char *addr, unsigned cap)
{
    size_t len = strlen(addr);
    if (len >= ADDR_COUNT_KEY_MAX)
        return -1;
    int rc = 1;
    pthread_mutex_lock(&t->lock);
    entry **link = find(t, addr);
    if (*link == NULL) {
        if ((*link = calloc(1, sizeof **link)) == NULL) {
            rc = -1;
            goto out;
        }
        memcpy((*link)->addr, addr, len + 1);
    }
    if (cap > 0 && (*link)->count >= cap)
        rc = 0;
    else
        (*link)->count++;
out:
    pthread_mutex_unlock(&t->lock);
    return rc;
}

void addr_count_remove(addr_count *t, const char *addr)
{
    pthread_mutex_lock(&t->lock);
    entry **link = find(t, addr);
    entry *e = *link;
    if (e != NULL && --e->count == 0) {
        *link = e->next;
        free(e);
    }
    pthread_mutex_unlock(&t->lock);
}

unsigned addr_count_get(addr_count *t, const char *addr)
{
    pthread_mutex_lock(&t->lock);
    entry *e = *find(t, addr);
    unsigned count = e ? e->count : 0;
    pthread_mutex_unlock(&t->lock);
    return count;
}
