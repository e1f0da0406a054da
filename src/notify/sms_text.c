/* GSM 03.38 membership and segment counting on libunistring's UTF-8 decoder. */
#include "notify/sms_text.h"

#include <stdio.h>
#include <string.h>
#include <unistr.h>

/* The GSM 03.38 default alphabet beyond printable ASCII letters and digits (which are all in it
   except ` and the extension characters). */
static const ucs4_t gsm_basic_extra[] = {0x00A3, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, 0x00D8, 0x00F8,
                                         0x00C5, 0x00E5, 0x0394, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, 0x03A3,
                                         0x0398, 0x039E, 0x00C6, 0x00E6, 0x00DF, 0x00C9, 0x00A4, 0x00A1, 0x00C4, 0x00D6,
                                         0x00D1, 0x00DC, 0x00A7, 0x00BF, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0, '\n', '\r'};
static const char gsm_extension[] = "^{}\\[~]|";

/* Septets c takes in GSM-7, or 0 when it is not in the alphabet. */
static int gsm_septets(ucs4_t c)
{
    if (c < 0x80 && c != 0 && strchr(gsm_extension, (int)c))
        return 2;
    if (c == 0x20AC) /* € */
        return 2;
    if (c >= 0x20 && c < 0x7F && c != '`')
        return 1;
    for (size_t i = 0; i < sizeof gsm_basic_extra / sizeof gsm_basic_extra[0]; i++)
        if (gsm_basic_extra[i] == c)
            return 1;
    return 0;
}

int sms_count_parts(const char *utf8, sms_encoding *enc, size_t *units)
{
    size_t n = strlen(utf8), septets = 0, utf16 = 0;
    int gsm = 1;
    if (u8_check((const uint8_t *)utf8, n) != NULL)
        return -1;
    for (size_t i = 0; i < n;) {
        ucs4_t c;
        i += (size_t)u8_mbtouc(&c, (const uint8_t *)utf8 + i, n - i);
        int s = gsm_septets(c);
        gsm = gsm && s > 0;
        septets += (size_t)s;
        utf16 += c > 0xFFFF ? 2 : 1;
    }
    size_t count = gsm ? septets : utf16, single = gsm ? 160 : 70, multi = gsm ? 153 : 67;
    if (enc)
        *enc = gsm ? SMS_GSM7 : SMS_UCS2;
    if (units)
        *units = count;
    if (count <= single)
        return 1;
    return (int)((count + multi - 1) / multi);
}

void sms_mask_number(const char *e164, char *out, size_t size)
{
    size_t n = strlen(e164);
    if (n < 9) {
        snprintf(out, size, "***");
        return;
    }
    snprintf(out, size, "%.6s%.*s%s", e164, (int)(n - 8), "****************", e164 + n - 2);
}
