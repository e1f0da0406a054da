/* Shaping (one glyph per character: the certificate's scripts need no ligatures or reordering) and greedy line
   breaking on the widths of the prepared fonts. */
#include "pdf/text.h"

#include <stdlib.h>
#include <string.h>
#include <unistr.h>

static int reserve(text_glyphs *t, size_t n)
{
    if (n <= t->cap)
        return 0;
    font_glyph *g = realloc(t->g, n * sizeof *g);
    if (g == NULL)
        return -1;
    t->g = g;
    t->cap = n;
    return 0;
}

int text_shape(const font_set *f, int face, const char *utf8, text_glyphs *t, err *e)
{
    size_t len = strlen(utf8);
    t->n = 0;
    if (reserve(t, len + 1) != 0) /* never more characters than bytes */
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < len;) {
        ucs4_t c;
        i += (size_t)u8_mbtouc(&c, (const uint8_t *)utf8 + i, len - i);
        if (font_set_glyph(f, face, c, &t->g[t->n]) != 0)
            return err_set(e, ERR_RENDER, "the certificate font has no glyph for U+%04X", (unsigned)c);
        t->n++;
    }
    return 0;
}

double text_width(const font_glyph *g, size_t n, double size)
{
    long units = 0;
    for (size_t i = 0; i < n; i++)
        units += g[i].width;
    return (double)units * size / 1000.0;
}

size_t text_break(const font_glyph *g, size_t n, double size, double width, size_t *next)
{
    double limit = width * 1000.0 / size;
    long units = 0;
    size_t i = 0, space = 0, len;
    int spaced = 0;
    for (; i < n; i++) {
        if (g[i].cp == ' ') {
            space = i; /* everything before it fits */
            spaced = 1;
        }
        units += g[i].width;
        if ((double)units > limit && g[i].cp != ' ')
            break;
    }
    if (i == n)
        len = *next = n;
    else if (spaced)
        len = space, *next = space + 1;
    else
        len = *next = i > 0 ? i : 1;
    while (len > 0 && g[len - 1].cp == ' ')
        len--;
    while (*next < n && g[*next].cp == ' ')
        (*next)++;
    return len;
}

void text_free(text_glyphs *t)
{
    free(t->g);
    *t = (text_glyphs)TEXT_INIT;
}
