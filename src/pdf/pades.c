/* The signature dictionary through libharu's object API, and the in-place signing of the saved file. */
#include "pdf/pades.h"

#include <assert.h>
#include <hpdf_objects.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "pdf/docinfo.h"
#include "pdf/objects.h"

/* Ten-digit placeholders, so that the real offsets always fit in their place. */
#define BYTERANGE_PLACEHOLDER 1000000000

/* [0 P P P]: the /ByteRange with ten-digit placeholders, or NULL. */
static HPDF_Array byte_range_placeholder(HPDF_MMgr mmgr)
{
    HPDF_Array range = HPDF_Array_New(mmgr);
    if (range == NULL)
        return NULL;
    int ok = HPDF_Array_AddNumber(range, 0) == HPDF_OK;
    for (int i = 0; ok && i < 3; i++)
        ok = HPDF_Array_AddNumber(range, BYTERANGE_PLACEHOLDER) == HPDF_OK;
    if (!ok) {
        HPDF_Array_Free(range);
        return NULL;
    }
    return range;
}

/* <00…00>: the /Contents placeholder of bytes zero bytes, or NULL. */
static HPDF_Binary contents_placeholder(HPDF_MMgr mmgr, size_t bytes)
{
    unsigned char *zeros = calloc(1, bytes);
    HPDF_Binary contents = zeros ? HPDF_Binary_New(mmgr, zeros, (HPDF_UINT)bytes) : NULL; /* copies the bytes */
    free(zeros);
    return contents;
}

/* The signature dictionary, an indirect object of the document, with its ByteRange and Contents placeholders for
   pades_sign to fill. NULL when libharu fails. */
static HPDF_Dict signature_dict(HPDF_Doc pdf, time_t signing_time, const char *reason, size_t contents_bytes)
{
    HPDF_MMgr mmgr = pdf->mmgr;
    char when[32];
    struct tm tm;
    gmtime_r(&signing_time, &tm);
    strftime(when, sizeof when, "D:%Y%m%d%H%M%SZ", &tm);
    HPDF_Dict sig = HPDF_Dict_New(mmgr);
    if (sig == NULL || HPDF_Xref_Add(pdf->xref, sig) != HPDF_OK) /* the document's from here on */
        return NULL;
    if (HPDF_Dict_AddName(sig, "Type", "Sig") != HPDF_OK || HPDF_Dict_AddName(sig, "Filter", "Adobe.PPKLite") != HPDF_OK ||
        HPDF_Dict_AddName(sig, "SubFilter", "ETSI.CAdES.detached") != HPDF_OK ||
        pdf_dict_put(sig, "Reason", pdf_text_string(mmgr, reason)) != 0 ||
        pdf_dict_put(sig, "M", HPDF_String_New(mmgr, when, NULL)) != 0 ||
        pdf_dict_put(sig, "ByteRange", byte_range_placeholder(mmgr)) != 0 ||
        pdf_dict_put(sig, "Contents", contents_placeholder(mmgr, contents_bytes)) != 0)
        return NULL;
    return sig;
}

/* An empty form XObject as the widget's normal appearance: the footer text under it stays what one sees. A new
   direct dictionary, or NULL. */
static HPDF_Dict empty_appearance(HPDF_Doc pdf, const double box[4])
{
    double bbox[4] = {0, 0, box[2] - box[0], box[3] - box[1]};
    HPDF_Dict form = HPDF_DictStream_New(pdf->mmgr, pdf->xref); /* indirect: the document's */
    if (form == NULL || HPDF_Dict_AddName(form, "Type", "XObject") != HPDF_OK ||
        HPDF_Dict_AddName(form, "Subtype", "Form") != HPDF_OK || pdf_dict_put(form, "BBox", pdf_box_array(pdf->mmgr, bbox)) != 0)
        return NULL;
    HPDF_Dict ap = HPDF_Dict_New(pdf->mmgr);
    if (ap == NULL || pdf_dict_put(ap, "N", form) != 0) {
        if (ap != NULL)
            HPDF_Dict_Free(ap);
        return NULL;
    }
    return ap;
}

/* The signature field merged with its widget annotation on page, valued sig: an indirect object of the document,
   or NULL. */
static HPDF_Dict signature_widget(HPDF_Doc pdf, HPDF_Page page, const double box[4], HPDF_Dict sig)
{
    HPDF_MMgr mmgr = pdf->mmgr;
    HPDF_Dict ap = empty_appearance(pdf, box), field = NULL;
    if (ap == NULL)
        return NULL;
    if ((field = HPDF_Dict_New(mmgr)) == NULL || HPDF_Xref_Add(pdf->xref, field) != HPDF_OK) {
        HPDF_Dict_Free(ap);
        return NULL;
    }
    if (HPDF_Dict_AddName(field, "Type", "Annot") != HPDF_OK || HPDF_Dict_AddName(field, "Subtype", "Widget") != HPDF_OK ||
        HPDF_Dict_AddName(field, "FT", "Sig") != HPDF_OK ||
        pdf_dict_put(field, "T", HPDF_String_New(mmgr, "Signature1", NULL)) != 0 ||
        HPDF_Dict_AddNumber(field, "F", 132) != HPDF_OK || /* print, locked */
        pdf_dict_put(field, "Rect", pdf_box_array(mmgr, box)) != 0 || pdf_dict_put(field, "P", page) != 0) {
        HPDF_Dict_Free(ap);
        return NULL;
    }
    if (pdf_dict_put(field, "AP", ap) != 0 || pdf_dict_put(field, "V", sig) != 0)
        return NULL;
    return field;
}

/* Lists field in the page's /Annots and in the catalog's /AcroForm, whose /SigFlags say that signatures exist and
   that the file may only be appended to. Returns 0 or -1. */
static int attach_field(HPDF_Doc pdf, HPDF_Page page, HPDF_Dict field)
{
    HPDF_MMgr mmgr = pdf->mmgr;
    HPDF_Array annots = HPDF_Array_New(mmgr), fields = HPDF_Array_New(mmgr);
    HPDF_Dict form = HPDF_Dict_New(mmgr);
    int rc = -1;
    if (annots == NULL || fields == NULL || form == NULL || pdf_array_put(annots, field) != 0 ||
        pdf_array_put(fields, field) != 0)
        goto out;
    rc = pdf_dict_put(page, "Annots", annots);
    annots = NULL; /* the page's, or freed */
    if (rc != 0)
        goto out;
    rc = pdf_dict_put(form, "Fields", fields);
    fields = NULL; /* the form's, or freed */
    if (rc != 0 || (rc = HPDF_Dict_AddNumber(form, "SigFlags", 3) == HPDF_OK ? 0 : -1) != 0)
        goto out;
    rc = pdf_dict_put(pdf->catalog, "AcroForm", form);
    form = NULL; /* the catalog's, or freed */
out:
    if (annots != NULL)
        HPDF_Array_Free(annots);
    if (fields != NULL)
        HPDF_Array_Free(fields);
    if (form != NULL)
        HPDF_Dict_Free(form);
    return rc;
}

/* /Extensions << /ESIC << /BaseVersion /1.7 /ExtensionLevel 2 >> >>: the PAdES developer extension. Returns 0 or -1. */
static int add_extension(HPDF_Doc pdf)
{
    HPDF_Dict esic = HPDF_Dict_New(pdf->mmgr), extensions = HPDF_Dict_New(pdf->mmgr);
    int rc = -1;
    if (esic == NULL || extensions == NULL || HPDF_Dict_AddName(esic, "BaseVersion", "1.7") != HPDF_OK ||
        HPDF_Dict_AddNumber(esic, "ExtensionLevel", 2) != HPDF_OK)
        goto out;
    rc = pdf_dict_put(extensions, "ESIC", esic);
    esic = NULL; /* the extensions', or freed */
    if (rc == 0)
        rc = pdf_dict_put(pdf->catalog, "Extensions", extensions);
    extensions = NULL; /* the catalog's, or freed */
out:
    if (esic != NULL)
        HPDF_Dict_Free(esic);
    if (extensions != NULL)
        HPDF_Dict_Free(extensions);
    return rc;
}

int pades_prepare(HPDF_Doc pdf, HPDF_Page page, const double box[4], time_t signing_time, const char *reason,
                  size_t contents_bytes, err *e)
{
    assert(pdf != NULL && page != NULL && box != NULL && reason != NULL && contents_bytes > 0);
    HPDF_Dict sig = signature_dict(pdf, signing_time, reason, contents_bytes);
    HPDF_Dict field = sig ? signature_widget(pdf, page, box, sig) : NULL;
    if (field == NULL || attach_field(pdf, page, field) != 0 || add_extension(pdf) != 0)
        return err_set(e, ERR_RENDER, "cannot build the signature field (libharu error 0x%04lX)",
                       (unsigned long)HPDF_GetError(pdf));
    return 0;
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

size_t pades_contents_bytes(const signer *s, const tsa_client *tsa)
{
    /* the unsigned attribute around the token: its type, set and sequence headers */
    return signer_max_signature_size(s) + (tsa ? tsa_token_room(tsa) + 64 : 0);
}

int pades_sign(buf *pdf, const signer *s, tsa_client *tsa, err *e)
{
    assert(pdf != NULL && s != NULL);
    unsigned char *range = find_last(pdf->data, pdf->len, "/ByteRange [");
    size_t after_range = range ? pdf->len - (size_t)(range - pdf->data) : 0;
    unsigned char *contents = range ? memmem(range, after_range, "/Contents <", 11) : NULL;
    unsigned char *range_end = range ? memchr(range, ']', after_range < 80 ? after_range : 80) : NULL;
    unsigned char *hex_start = contents ? contents + 11 : NULL;
    unsigned char *hex_end = hex_start ? memchr(hex_start, '>', pdf->len - (size_t)(hex_start - pdf->data)) : NULL;
    if (!range || !range_end || !hex_end)
        return err_set(e, ERR_INTERNAL, "signature placeholders not found");
    size_t a = (size_t)(hex_start - 1 - pdf->data), b = (size_t)(hex_end + 1 - pdf->data);
    range += strlen("/ByteRange ");
    if (write_byte_range(range, (size_t)(range_end - range) + 1, a, b, pdf->len - b) != 0)
        return err_set(e, ERR_INTERNAL, "ByteRange placeholder too small");
    const unsigned char *parts[] = {pdf->data, pdf->data + b};
    size_t lens[] = {a, pdf->len - b};
    buf der = BUF_INIT;
    char *hex = NULL;
    int rc = signer_sign_detached(s, parts, lens, 2, tsa, &der, e);
    if (rc != 0)
        goto out;
    if (der.len * 2 > (size_t)(hex_end - hex_start)) {
        /* the room was sized from the TSA's earlier tokens, and this one is larger */
        rc = tsa ? 1 : err_set(e, ERR_INTERNAL, "signature larger than its placeholder");
        goto out;
    }
    if ((hex = malloc(der.len * 2 + 1)) == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    hash_hex(der.data, der.len, hex);
    memcpy(hex_start, hex, der.len * 2); /* without hash_hex's NUL */
out:
    free(hex);
    buf_free(&der);
    return rc;
}
