/* The signature dictionary through libharu's object API, and the in-place signing of the saved file. */
#include "pdf/pades.h"

#include <hpdf_objects.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"

/* Ten-digit placeholders, so that the real offsets always fit in their place. */
#define BYTERANGE_PLACEHOLDER 1000000000

static HPDF_Array rect_array(HPDF_MMgr mmgr, HPDF_Rect r)
{
    HPDF_Array a = HPDF_Array_New(mmgr);
    if (a) {
        HPDF_Array_AddReal(a, r.left);
        HPDF_Array_AddReal(a, r.bottom);
        HPDF_Array_AddReal(a, r.right);
        HPDF_Array_AddReal(a, r.top);
    }
    return a;
}

static HPDF_Dict signature_dict(HPDF_Doc pdf, time_t signing_time, size_t contents_bytes)
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
    ret += HPDF_Array_AddNumber(range, 0);
    for (int i = 0; i < 3; i++)
        ret += HPDF_Array_AddNumber(range, BYTERANGE_PLACEHOLDER);
    ret += HPDF_Dict_Add(sig, "ByteRange", range);
    ret += HPDF_Dict_Add(sig, "Contents", HPDF_Binary_New(mmgr, zeros, (HPDF_UINT)contents_bytes));
    ret += HPDF_Dict_Add(sig, "M", HPDF_String_New(mmgr, when, NULL));
    free(zeros);
    return ret == HPDF_OK ? sig : NULL;
}

int pades_prepare(HPDF_Doc pdf, HPDF_Page page, HPDF_Rect rect, time_t signing_time, size_t contents_bytes, err *e)
{
    HPDF_MMgr mmgr = pdf->mmgr;
    HPDF_Dict sig = signature_dict(pdf, signing_time, contents_bytes);
    HPDF_Dict field = HPDF_Dict_New(mmgr), form = HPDF_Dict_New(mmgr);
    HPDF_Array fields = HPDF_Array_New(mmgr), annots = HPDF_Array_New(mmgr);
    if (!sig || !field || !form || !fields || !annots)
        return err_set(e, 1, "cannot build the signature field");
    HPDF_STATUS ret = HPDF_Xref_Add(pdf->xref, field) + HPDF_Xref_Add(pdf->xref, form);
    ret += HPDF_Dict_AddName(field, "Type", "Annot");
    ret += HPDF_Dict_AddName(field, "Subtype", "Widget");
    ret += HPDF_Dict_AddName(field, "FT", "Sig");
    ret += HPDF_Dict_Add(field, "T", HPDF_String_New(mmgr, "Signature1", NULL));
    ret += HPDF_Dict_AddNumber(field, "F", 132); /* print, locked */
    ret += HPDF_Dict_Add(field, "Rect", rect_array(mmgr, rect));
    ret += HPDF_Dict_Add(field, "P", page);
    ret += HPDF_Dict_Add(field, "V", sig);
    ret += HPDF_Array_Add(annots, field);
    ret += HPDF_Dict_Add(page, "Annots", annots);
    ret += HPDF_Array_Add(fields, field);
    ret += HPDF_Dict_Add(form, "Fields", fields);
    ret += HPDF_Dict_AddNumber(form, "SigFlags", 3);
    ret += HPDF_Dict_Add(pdf->catalog, "AcroForm", form);
    return ret == HPDF_OK ? 0 : err_set(e, 1, "cannot build the signature field");
}

/* Finds needle in the n bytes at hay, from the end (our dictionary is written after the page contents). */
static unsigned char *find_last(unsigned char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = n >= m ? n - m + 1 : 0; i-- > 0;)
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

int pades_sign(buf *pdf, const signer *s, err *e)
{
    unsigned char *range = find_last(pdf->data, pdf->len, "/ByteRange [");
    unsigned char *contents = range ? find_last(range, pdf->len - (size_t)(range - pdf->data), "/Contents <") : NULL;
    unsigned char *range_end = range ? memchr(range, ']', 80) : NULL;
    if (!range || !contents || !range_end)
        return err_set(e, 1, "signature placeholders not found");
    unsigned char *hex_start = contents + strlen("/Contents <");
    unsigned char *hex_end = memchr(hex_start, '>', pdf->len - (size_t)(hex_start - pdf->data));
    if (hex_end == NULL)
        return err_set(e, 1, "signature placeholder not terminated");
    size_t a = (size_t)(hex_start - 1 - pdf->data), b = (size_t)(hex_end + 1 - pdf->data);
    char text[80];
    int width = (int)(range_end - (range + strlen("/ByteRange ")) + 1);
    int n = snprintf(text, sizeof text, "[0 %zu %zu %zu", a, b, pdf->len - b);
    if (n < 0 || n >= width)
        return err_set(e, 1, "ByteRange placeholder too small");
    memset(text + n, ' ', (size_t)(width - n - 1));
    text[width - 1] = ']';
    memcpy(range + strlen("/ByteRange "), text, (size_t)width);
    const unsigned char *parts[] = {pdf->data, pdf->data + b};
    size_t lens[] = {a, pdf->len - b};
    buf der = BUF_INIT;
    if (signer_sign_detached(s, parts, lens, 2, &der, e) != 0)
        return -1;
    int rc = der.len * 2 <= (size_t)(hex_end - hex_start) ? 0 : err_set(e, 1, "signature larger than its placeholder");
    if (rc == 0) {
        char *hex = malloc(der.len * 2 + 1);
        if (hex == NULL)
            rc = err_set(e, 1, "out of memory");
        else {
            hash_hex(der.data, der.len, hex);
            memcpy(hex_start, hex, der.len * 2);
            free(hex);
        }
    }
    buf_free(&der);
    return rc;
}
