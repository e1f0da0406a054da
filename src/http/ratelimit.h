/* Token-bucket rate limiting by a client key (an address or an API key), in a fixed amount of memory. */
#ifndef ARAYIS_HTTP_RATELIMIT_H
#define ARAYIS_HTTP_RATELIMIT_H

typedef struct ratelimit ratelimit;

/* rate tokens per second, burst tokens at most; rate 0 makes a limiter that allows everything.
   Tracks at most 65 536 clients; the least recently seen ones are forgotten first. NULL when out of memory. */
ratelimit *ratelimit_new(double rate, double burst);
void ratelimit_free(ratelimit *r);

/* Takes one token for client at now_ms. Returns 0 when allowed, otherwise the seconds to wait (≥ 1).
   Thread-safe. */
int ratelimit_take(ratelimit *r, const char *client, long long now_ms);

/* ratelimit_take at the monotonic clock's now. */
int ratelimit_take_now(ratelimit *r, const char *client);

#endif
