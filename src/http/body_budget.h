/* The memory budget for request bodies shared by every connection: a body is read only when its size fits. */
#ifndef ARAYIS_HTTP_BODY_BUDGET_H
#define ARAYIS_HTTP_BODY_BUDGET_H

#include <stdatomic.h>
#include <stddef.h>

typedef struct body_budget {
    atomic_size_t used;   /* bytes held by bodies being read or waiting for their handler */
    size_t total;
} body_budget;

/* Starts an empty budget of total bytes. Also fixes glibc's mmap threshold at BODY_BUDGET_MMAP_THRESHOLD, so
   that large bodies live in their own mappings and their memory goes back to the system when they are freed
   (left alone, glibc raises the threshold after the first such free and keeps later bodies in its arenas). */
void body_budget_init(body_budget *b, size_t total);

/* The bytes a request must take from the budget for its body, from its Content-Length and Transfer-Encoding
   header values (each NULL when absent): the declared length, or limit for a chunked body or a length that is
   not a plain number, never more than limit; 0 when the request has no body. */
size_t body_budget_claim(const char *content_length, const char *transfer_encoding, size_t limit);

/* Takes n bytes. Returns 0, or -1 when they do not fit (nothing taken). Safe on any thread. */
int body_budget_take(body_budget *b, size_t n);

/* Gives back n bytes taken by body_budget_take. Safe on any thread. */
void body_budget_give(body_budget *b, size_t n);

#endif
