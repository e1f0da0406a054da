/* ULIDs from a time and 80 bits of entropy. */
#include "model/ids.h"

#include "model/vcode.h"

void ids_format(uint64_t unix_ms, const unsigned char entropy[10], char out[IDS_LEN + 1])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    for (int i = 9; i >= 0; i--, unix_ms >>= 5)
        out[i] = alphabet[unix_ms & 31];
    vcode_encode(entropy, out + 10);
}
