/* Content-stream operators. Numbers are written with at most two decimals (1/7200 inch), trailing zeros dropped. */
#include "pdf/content.h"

#include <math.h>
#include <string.h>

/* Appends v rounded to 0.01 and a separator, without trailing zeros ("12", "12.5", "-0.25"), from the whole number
   of hundredths (no printf: a page has hundreds of numbers). */
static int put_number(buf *out, double v, char separator)
{
    long long hundredths = llround(v * 100);
    unsigned long long magnitude = (unsigned long long)(hundredths < 0 ? -hundredths : hundredths);
    unsigned tenths = (unsigned)(magnitude / 10 % 10), last = (unsigned)(magnitude % 10);
    char fraction[4] = {'.', (char)('0' + tenths), (char)('0' + last), separator};
    size_t fraction_len = last != 0 ? 3 : tenths != 0 ? 2 : 0;
    fraction[fraction_len] = separator;
    return (hundredths < 0 ? buf_append(out, "-", 1) : 0) | buf_put_uint(out, (unsigned long)(magnitude / 100)) |
           buf_append(out, fraction, fraction_len + 1);
}

/* "<gggg…> Tj" for the glyphs [from, to), all of one program. */
static int show_run(buf *out, const font_glyph *g, size_t from, size_t to)
{
    int rc = buf_puts(out, "<");
    for (size_t i = from; i < to; i++)
        rc |= buf_put_hex4(out, g[i].gid);
    return rc | buf_puts(out, "> Tj\n");
}

/* Level text is placed with "Td", turned text with a text matrix ("Tm"). */
int content_text_turned(buf *out, const font_glyph *g, size_t n, double size, double gray, double x, double y,
                        double angle, font_usage *used)
{
    int rc = buf_puts(out, "BT\n") | put_number(out, gray, ' ') | buf_puts(out, "g\n");
    if (angle != 0)
        rc |= put_number(out, cos(angle), ' ') | put_number(out, sin(angle), ' ') | put_number(out, -sin(angle), ' ') |
              put_number(out, cos(angle), ' ');
    rc |= put_number(out, x, ' ') | put_number(out, y, ' ') | buf_puts(out, angle != 0 ? "Tm\n" : "Td\n");
    for (size_t from = 0, to; from < n; from = to) {
        for (to = from; to < n && g[to].program == g[from].program; to++)
            font_usage_mark(used, &g[to]);
        rc |= buf_printf(out, "/F%u ", g[from].program) | put_number(out, size, ' ') | buf_puts(out, "Tf\n");
        rc |= show_run(out, g, from, to);
    }
    return rc | buf_puts(out, "ET\n");
}

int content_text(buf *out, const font_glyph *g, size_t n, double size, double gray, double x, double y, font_usage *used)
{
    return content_text_turned(out, g, n, size, gray, x, y, 0, used);
}

int content_rule(buf *out, double x0, double x1, double y, double width, double gray)
{
    int rc = put_number(out, width, ' ') | buf_puts(out, "w ") | put_number(out, gray, ' ') | buf_puts(out, "G ");
    rc |= put_number(out, x0, ' ') | put_number(out, y, ' ') | buf_puts(out, "m ");
    return rc | put_number(out, x1, ' ') | put_number(out, y, ' ') | buf_puts(out, "l S\n");
}

int content_qr(buf *out, const qr_code *q, double x, double top, double side)
{
    double module = side / (q->modules + 2 * QR_QUIET_ZONE);
    int rc = buf_puts(out, "q 0 g ") | put_number(out, module, ' ') | buf_puts(out, "0 0 ");
    rc |= put_number(out, -module, ' ') | put_number(out, x + QR_QUIET_ZONE * module, ' ');
    rc |= put_number(out, top - QR_QUIET_ZONE * module, ' ') | buf_puts(out, "cm\n");
    for (size_t i = 0; i < q->nrects; i++) {
        const qr_rect *r = &q->rects[i];
        rc |= buf_put_uint(out, r->col) | buf_puts(out, " ") | buf_put_uint(out, r->row) | buf_puts(out, " ");
        rc |= buf_put_uint(out, r->width) | buf_puts(out, " ") | buf_put_uint(out, r->height) | buf_puts(out, " re\n");
    }
    return rc | buf_puts(out, "f Q\n");
}
