/* The certificate's character set as a sorted table of ranges. */
#include "model/charset.h"

/* Basic Latin and Latin-1 without their control characters, Latin Extended-A/B, and the extras the fonts carry. */
static const charset_range printable[] = {
    {0x0020, 0x007E}, {0x00A0, 0x024F}, {0x0259, 0x0259}, {0x02BC, 0x02BC}, {0x2013, 0x2014},
    {0x2018, 0x2019}, {0x201C, 0x201E}, {0x2116, 0x2116},
};

const charset_range *charset_ranges(size_t *count)
{
    *count = sizeof printable / sizeof printable[0];
    return printable;
}

int charset_printable(uint32_t cp)
{
    for (size_t i = 0; i < sizeof printable / sizeof printable[0] && printable[i].first <= cp; i++)
        if (cp <= printable[i].last)
            return 1;
    return 0;
}
