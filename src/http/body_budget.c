/* The shared request-body budget: a compare-and-swap counter of the bytes all bodies in flight may hold. */
#include "http/body_budget.h"

#include <assert.h>
#include <malloc.h>
#include <stdlib.h>

/* glibc's default threshold, fixed so that it no longer moves up after a large free. */
#define BODY_BUDGET_MMAP_THRESHOLD (128 * 1024)

void body_budget_init(body_budget *b, size_t total)
{
    atomic_init(&b->used, 0);
    b->total = total;
    mallopt(M_MMAP_THRESHOLD, BODY_BUDGET_MMAP_THRESHOLD);
}

size_t body_budget_claim(const char *content_length, const char *transfer_encoding, size_t limit)
{
    if (content_length == NULL)
        return transfer_encoding != NULL ? limit : 0;
    char *end;
    unsigned long long n = strtoull(content_length, &end, 10);
    if (content_length[0] < '0' || content_length[0] > '9' || *end != '\0' || n > limit)
        return limit;
    return (size_t)n;
}

int body_budget_take(body_budget *b, size_t n)
{
    size_t used = atomic_load(&b->used);
    do {
        if (n > b->total - used)
            return -1;
    } while (!atomic_compare_exchange_weak(&b->used, &used, used + n));
    return 0;
}

void body_budget_give(body_budget *b, size_t n)
{
    size_t before = atomic_fetch_sub(&b->used, n);
    assert(before >= n);
    (void)before;
}
