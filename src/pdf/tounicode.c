/* Writing an identity ToUnicode CMap: 2-byte codes map to the same UTF-16 value, surrogates excluded. */
#include "pdf/tounicode.h"

#include <hpdf_objects.h>
#include <hpdf_streams.h>
#include <stdio.h>

static const char cmap_head[] =
    "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
static const char cmap_tail[] = "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";

/* The high bytes whose 256 codes map to themselves (0xD8-0xDF are UTF-16 surrogates). */
static int mapped_high_byte(int hi)
{
    return hi < 0xD8 || hi > 0xDF;
}

static HPDF_STATUS write_ranges(HPDF_Stream st)
{
    char line[48];
    HPDF_STATUS ret = HPDF_Stream_WriteStr(st, cmap_head);
    int in_block = 0;
    for (int hi = 0; hi < 256; hi++) {
        if (!mapped_high_byte(hi))
            continue;
        if (in_block == 0) {
            int left = 0;
            for (int h = hi; h < 256 && left < 100; h++)
                left += mapped_high_byte(h);
            snprintf(line, sizeof line, "%d beginbfrange\n", left);
            ret += HPDF_Stream_WriteStr(st, line);
        }
        snprintf(line, sizeof line, "<%02X00> <%02XFF> <%02X00>\n", hi, hi, hi);
        ret += HPDF_Stream_WriteStr(st, line);
        if (++in_block == 100 || hi == 255) {
            ret += HPDF_Stream_WriteStr(st, "endbfrange\n");
            in_block = 0;
        }
    }
    return ret + HPDF_Stream_WriteStr(st, cmap_tail);
}

int tounicode_fix(HPDF_Font font)
{
    HPDF_Dict cmap = HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT);
    if (cmap == NULL || cmap->stream == NULL)
        return -1;
    HPDF_MemStream_FreeData(cmap->stream);
    return write_ranges(cmap->stream) == HPDF_OK ? 0 : -1;
}
