/* SMS arithmetic: how many parts a text takes (GSM-7 or UCS-2), and masking numbers for logs. */
#ifndef ARAYIS_NOTIFY_SMS_TEXT_H
#define ARAYIS_NOTIFY_SMS_TEXT_H

#include <stddef.h>

typedef enum sms_encoding { SMS_GSM7, SMS_UCS2 } sms_encoding;

/* Counts the parts of a UTF-8 text: GSM-7 (160 septets in one part, 153 per part when split; the
   extension characters ^ { } \ [ ] ~ | € take two) when every character is in the GSM default alphabet,
   else UCS-2 (70 UTF-16 units in one part, 67 when split). Returns the parts, or -1 for invalid UTF-8.
   enc and units (septets or UTF-16 units) may be NULL. */
int sms_count_parts(const char *utf8, sms_encoding *enc, size_t *units);

/* Writes "+99450*****67" for "+994501234567" (country code and operator kept, last two digits kept). */
void sms_mask_number(const char *e164, char *out, size_t size);

#endif
