/* Identifiers and codes drawn from the CSPRNG. */
#include "crypto/codes.h"

#include <time.h>

#include "crypto/random.h"

int codes_new_application_id(char out[IDS_LEN + 1])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned char entropy[10];
    if (random_bytes(entropy, sizeof entropy) != 0)
        return -1;
    ids_format((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u, entropy, out);
    return 0;
}

int codes_new_verification_code(char out[VCODE_LEN + 1])
{
    unsigned char bytes[10];
    if (random_bytes(bytes, sizeof bytes) != 0)
        return -1;
    vcode_encode(bytes, out);
    return 0;
}
