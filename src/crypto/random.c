/* Random bytes from RAND_bytes only, so that no caller reaches for a weaker source. */
#include "crypto/random.h"

#include <limits.h>
#include <openssl/rand.h>

int random_bytes(void *out, size_t n)
{
    if (n > INT_MAX)
        return -1;
    return RAND_bytes(out, (int)n) == 1 ? 0 : -1;
}

double random_unit(void)
{
    unsigned int r = 0;
    if (random_bytes(&r, sizeof r) != 0)
        return 0.5;
    return (double)r / 4294967296.0;
}
