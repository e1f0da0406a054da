/* Exponential back-off with jitter. */
#include "core/backoff.h"

long long backoff_ms(int base_ms, int attempts, long long cap_ms, long retry_after_s, double jitter)
{
    long long delay = base_ms;
    for (int i = 1; i < attempts && delay < cap_ms; i++)
        delay *= 2;
    delay = (long long)((double)delay * (0.5 + jitter));
    if (delay > cap_ms)
        delay = cap_ms;
    return retry_after_s * 1000LL > delay ? retry_after_s * 1000LL : delay;
}
