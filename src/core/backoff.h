/* Retry delays: exponential back-off with jitter, a ceiling, and a floor from the peer's Retry-After. */
#ifndef ARAYIS_CORE_BACKOFF_H
#define ARAYIS_CORE_BACKOFF_H

/* The delay before attempt number attempts+1: base_ms * 2^(attempts-1), times 0.5-1.5 by jitter (a number in
   [0, 1)), at most cap_ms, and never less than retry_after_s seconds. */
long long backoff_ms(int base_ms, int attempts, long long cap_ms, long retry_after_s, double jitter);

/* Milliseconds since the epoch (wall clock), the unit of due times in the outboxes. */
long long backoff_now_ms(void);

/* How long a drainer sleeps when nothing is due now: until next_due_ms (0: nothing pending), at most idle_ms. */
long long backoff_sleep_ms(long long next_due_ms, long long now_ms, long long idle_ms);

#endif
