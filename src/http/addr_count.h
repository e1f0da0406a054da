/* A thread-safe count per client address (open connections, requests in flight). An address is forgotten
   when its count returns to 0, so the memory used follows the addresses counted now, not every one seen. */
#ifndef ARAYIS_HTTP_ADDR_COUNT_H
#define ARAYIS_HTTP_ADDR_COUNT_H

#define ADDR_COUNT_KEY_MAX 48 /* an address in text (INET6_ADDRSTRLEN is 46) and its NUL */

typedef struct addr_count addr_count;

/* An empty table, or NULL when out of memory. */
addr_count *addr_count_new(void);

/* Frees the table and every entry left in it. */
void addr_count_free(addr_count *t);

/* Adds one to addr's count when it is below cap (cap 0: no cap). Returns 1 when added, 0 when addr is at
   its cap, -1 when out of memory or addr is ADDR_COUNT_KEY_MAX bytes or longer. */
int addr_count_add(addr_count *t, const char *addr, unsigned cap);

/* Takes one from addr's count; an address not counted is left alone. */
void addr_count_remove(addr_count *t, const char *addr);

/* addr's count now (0 when not counted). */
unsigned addr_count_get(addr_count *t, const char *addr);

#endif
