/* The characters a certificate may show: the one list the validators accept text by and the renderer checks its
   fonts against at start-up, so that validated text always renders; and the byte bound of validated text. */
#ifndef ARAYIS_MODEL_CHARSET_H
#define ARAYIS_MODEL_CHARSET_H

#include <stddef.h>
#include <stdint.h>

/* At most how many bytes n characters of UTF-8 take (4 each), to size buffers for a validated maximum. */
#define CHARSET_UTF8_BYTES(n) ((n) * 4)

/* A closed range of code points. */
typedef struct charset_range {
    uint32_t first, last;
} charset_range;

/* The ranges of printable characters (Basic Latin, Latin-1, Latin Extended-A/B, and ə ʼ – — ‘ ’ “ ” „ №), in
   ascending order; *count receives how many. Static storage. */
const charset_range *charset_ranges(size_t *count);

/* 1 when cp is one of them, 0 otherwise (control characters included). */
int charset_printable(uint32_t cp);

#endif
