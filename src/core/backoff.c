/* Exponential back-off with jitter, and the clock and sleep of the outbox drainers. */
#include "core/backoff.h"

#include <stddef.h>
#include <sys/time.h>

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

long long backoff_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

long long backoff_sleep_ms(long long next_due_ms, long long now_ms, long long idle_ms)
{
    if (next_due_ms == 0 || next_due_ms - now_ms > idle_ms)
        return idle_ms;
    return next_due_ms > now_ms ? next_due_ms - now_ms : 0;
}
