/* The signature dictionary through libharu's object API, and the in-place signing of the saved file. */
#include "pdf/pades.h"

#include <hpdf_objects.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "pdf/docinfo.h"

/* Ten-digit placeholders, so that the real offsets always fit in their place. */
#define BYTERANGE_PLACEHOLDER 1000000000

static HPDF_Array box_array(HPDF_MMgr mmgr, const double box[4])
{
    HPDF_Array a = HPDF_Array_New(mmgr);
    for (int i = 0; a && i < 4; i++)
        HPDF_Array_AddReal(a, (HPDF_REAL)box[i]);
    return a;
}

static HPDF_Dict signature_dict(HPDF_Doc pdf, time_t signing_time, const char *reason, size_t contents_bytes)
{
    HPDF_MMgr mmgr = pdf->mmgr;
    HPDF_Dict sig = HPDF_Dict_New(mmgr);
    HPDF_Array range = HPDF_Array_New(mmgr);
    unsigned char *zeros = calloc(1, contents_bytes);
    char when[32];
    struct tm tm;
    gmtime_r(&signing_time, &tm);
    strftime(when, sizeof when, "D:%Y%m%d%H%M%SZ", &tm);
    HPDF_STATUS ret = sig && range && zeros ? HPDF_Xref_Add(pdf->xref, sig) : HPDF_FAILD_TO_ALLOC_MEM;
    ret += HPDF_Dict_AddName(sig, "Type", "Sig");
    ret += HPDF_Dict_AddName(sig, "Filter", "Adobe.PPKLite");
    ret += HPDF_Dict_AddName(sig, "SubFilter", "ETSI.CAdES.detached");
    ret += HPDF_Dict_Add(sig, "Reason", pdf_text_string(mmgr, reason));
    ret += HPDF_Dict_Add(sig, "M", HPDF_String_New(mmgr, when, NULL));
    ret += HPDF_Array_AddNumber(range, 0);
    for (int i = 0; i < 3; i++)
        ret += HPDF_Array_AddNumber(range, BYTERANGE_PLACEHOLDER);
    ret += HPDF_Dict_Add(sig, "ByteRange", range);
    ret += HPDF_Dict_Add(sig, "Contents", HPDF_Binary_New(mmgr, zeros, (HPDF_UINT)contents_bytes));
    free(zeros);
    return ret == HPDF_OK ? sig : NULL;
}

/* An empty form XObject as the widget's normal appearance: the footer text under it stays what one sees. */
static HPDF_Dict empty_appearance(HPDF_Doc pdf, const double box[4])
{
    HPDF_Dict ap = HPDF_Dict_New(pdf->mmgr), form = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    double bbox[4] = {0, 0, box[2] - box[0], box[3] - box[1]};
    HPDF_STATUS ret = ap && form ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM;
    ret += HPDF_Dict_AddName(form, "Type", "XObject");
    ret += HPDF_Dict_AddName(form, "Subtype", "Form");
    ret += HPDF_Dict_Add(form, "BBox", box_array(pdf->mmgr, bbox));
    ret += HPDF_Dict_Add(ap, "N", form);
    return ret == HPDF_OK ? ap : NULL;
}

/* /Extensions << /ESIC << /BaseVersion /1.7 /ExtensionLevel 2 >> >>: the PAdES developer extension. */
static HPDF_STATUS add_extension(HPDF_Doc pdf)
{
    HPDF_Dict extensions = HPDF_Dict_New(pdf->mmgr), esic = HPDF_Dict_New(pdf->mmgr);
    if (!extensions || !esic)
        return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_STATUS ret = HPDF_Dict_AddName(esic, "BaseVersion", "1.7");
    ret += HPDF_Dict_AddNumber(esic, "ExtensionLevel", 2);
    ret += HPDF_Dict_Add(extensions, "ESIC", esic);
    return ret + HPDF_Dict_Add(pdf->catalog, "Extensions", extensions);
}

int pades_prepare(HPDF_Doc pdf, HPDF_Page page, const double box[4], time_t signing_time, const char *reason,
                  size_t contents_bytes, err *e)
{
    HPDF_MMgr mmgr = pdf->mmgr;
    HPDF_Dict sig = signature_dict(pdf, signing_time, reason, contents_bytes), ap = empty_appearance(pdf, box);
    HPDF_Dict field = HPDF_Dict_New(mmgr), form = HPDF_Dict_New(mmgr);
    HPDF_Array fields = HPDF_Array_New(mmgr), annots = HPDF_Array_New(mmgr);
    if (!sig || !ap || !field || !form || !fields || !annots)
        return err_set(e, 1, "cannot build the signature field");
    HPDF_STATUS ret = HPDF_Xref_Add(pdf->xref, field);
    ret += HPDF_Dict_AddName(field, "Type", "Annot");
    ret += HPDF_Dict_AddName(field, "Subtype", "Widget");
    ret += HPDF_Dict_AddName(field, "FT", "Sig");
    ret += HPDF_Dict_Add(field, "T", HPDF_String_New(mmgr, "Signature1", NULL));
    ret += HPDF_Dict_AddNumber(field, "F", 132); /* print, locked */
    ret += HPDF_Dict_Add(field, "Rect", box_array(mmgr, box));
    ret += HPDF_Dict_Add(field, "P", page);
    ret += HPDF_Dict_Add(field, "AP", ap);
    ret += HPDF_Dict_Add(field, "V", sig);
    ret += HPDF_Array_Add(annots, field);
    ret += HPDF_Dict_Add(page, "Annots", annots);
    ret += HPDF_Array_Add(fields, field);
    ret += HPDF_Dict_Add(form, "Fields", fields);
    ret += HPDF_Dict_AddNumber(form, "SigFlags", 3);
    ret += HPDF_Dict_Add(pdf->catalog, "AcroForm", form);
    ret += add_extension(pdf);
    return ret == HPDF_OK ? 0 : err_set(e, 1, "cannot build the signature field");
}

/* The last occurrence of needle in the n bytes at hay (the signature dictionary is written late in the file). */
static unsigned char *find_last(unsigned char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = n >= m ? n - m + 1 : 0; i-- > 0;)
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

/* Rewrites the placeholder array at range ("[0 1000000000 …]") as [0 a b c] padded to the same width. */
static int write_byte_range(unsigned char *range, size_t width, size_t a, size_t b, size_t c)
{
    char text[80];
    int n = snprintf(text, sizeof text, "[0 %zu %zu %zu", a, b, c);
    if (n < 0 || (size_t)n + 1 > width || width > sizeof text)
        return -1;
    memset(text + n, ' ', width - (size_t)n - 1);
    text[width - 1] = ']';
    memcpy(range, text, width);
    return 0;
}

int pades_sign(buf *pdf, const signer *s, err *e)
{
    unsigned char *range = find_last(pdf->data, pdf->len, "/ByteRange [");
    unsigned char *contents = range ? memmem(range, pdf->len - (size_t)(range - pdf->data), "/Contents <", 11) : NULL;
    unsigned char *range_end = range ? memchr(range, ']', 80) : NULL;
    unsigned char *hex_start = contents ? contents + 11 : NULL;
    unsigned char *hex_end = hex_start ? memchr(hex_start, '>', pdf->len - (size_t)(hex_start - pdf->data)) : NULL;
    if (!range || !range_end || !hex_end)
        return err_set(e, 1, "signature placeholders not found");
    size_t a = (size_t)(hex_start - 1 - pdf->data), b = (size_t)(hex_end + 1 - pdf->data);
    range += strlen("/ByteRange ");
    if (write_byte_range(range, (size_t)(range_end - range) + 1, a, b, pdf->len - b) != 0)
        return err_set(e, 1, "ByteRange placeholder too small");
    const unsigned char *parts[] = {pdf->data, pdf->data + b};
    size_t lens[] = {a, pdf->len - b};
    buf der = BUF_INIT;
    int rc = signer_sign_detached(s, parts, lens, 2, &der, e);
    if (rc == 0 && der.len * 2 > (size_t)(hex_end - hex_start))
        rc = err_set(e, 1, "signature larger than its placeholder");
    if (rc == 0) {
        char *hex = malloc(der.len * 2 + 1);
        if (hex == NULL)
            rc = err_set(e, 1, "out of memory");
        else
            hash_hex(der.data, der.len, hex), memcpy(hex_start, hex, der.len * 2);
        free(hex);
    }
    buf_free(&der);
    return rc;
}
