/* Retry delays: exponential back-off with jitter, a ceiling, and a floor from the peer's Retry-After. */
#ifndef ARAYIS_CORE_BACKOFF_H
#define ARAYIS_CORE_BACKOFF_H

/* The delay before attempt number attempts+1: base_ms * 2^(attempts-1), times 0.5-1.5 by jitter (a number in
   [0, 1)), at most cap_ms, and never less than retry_after_s seconds. */
long long backoff_ms(int base_ms, int attempts, long long cap_ms, long retry_after_s, double jitter);

#endif
