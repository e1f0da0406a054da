/* A correct ToUnicode CMap for libharu's UTF-8 TrueType fonts, whose character codes are UTF-16 code units. */
#ifndef ARAYIS_PDF_TOUNICODE_H
#define ARAYIS_PDF_TOUNICODE_H

#include <hpdf.h>

/* Replaces the font's ToUnicode stream (libharu 2.3.0 writes a cidrange there, which readers reject)
   with an identity mapping in bfrange form. Returns 0 or -1. */
int tounicode_fix(HPDF_Font font);

#endif
