/* ULID generation from the clock and the CSPRNG. */
#include "domain/ids.h"

#include <stdint.h>
#include <time.h>

#include "crypto/random.h"
#include "domain/vcode.h"

int ids_new_application_id(char out[IDS_LEN + 1])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    for (int i = 9; i >= 0; i--, ms >>= 5)
        out[i] = alphabet[ms & 31];
    unsigned char entropy[10];
    if (random_bytes(entropy, sizeof entropy) != 0)
        return -1;
    vcode_encode(entropy, out + 10);
    return 0;
}
