/* The DSS dictionary and its streams through libharu's object API. */
#include "pdf/dss.h"

#include <assert.h>
#include <hpdf_objects.h>

#include "pdf/objects.h"

/* A new array of one indirect stream per item, or NULL. */
static HPDF_Array streams_of(HPDF_Doc pdf, const buf *items, size_t count)
{
    HPDF_Array array = HPDF_Array_New(pdf->mmgr);
    for (size_t i = 0; array && i < count; i++) {
        HPDF_Dict stream = HPDF_DictStream_New(pdf->mmgr, pdf->xref); /* indirect: the document's */
        if (stream == NULL || HPDF_Stream_Write(stream->stream, items[i].data, (HPDF_UINT)items[i].len) != HPDF_OK ||
            pdf_array_put(array, stream) != 0) {
            HPDF_Array_Free(array);
            return NULL;
        }
    }
    return array;
}

int pdf_dss_add(HPDF_Doc pdf, const buf *certs, size_t cert_count, const buf *ocsps, size_t ocsp_count, err *e)
{
    assert(pdf != NULL && (certs != NULL || cert_count == 0) && (ocsps != NULL || ocsp_count == 0));
    HPDF_Dict dss = HPDF_Dict_New(pdf->mmgr);
    int rc = dss != NULL && HPDF_Dict_AddName(dss, "Type", "DSS") == HPDF_OK &&
                     pdf_dict_put(dss, "Certs", streams_of(pdf, certs, cert_count)) == 0 &&
                     pdf_dict_put(dss, "OCSPs", streams_of(pdf, ocsps, ocsp_count)) == 0
                 ? 0
                 : -1;
    if (rc != 0 && dss != NULL)
        HPDF_Dict_Free(dss);
    else if (rc == 0)
        rc = pdf_dict_put(pdf->catalog, "DSS", dss); /* the catalog's, or freed */
    return rc == 0 ? 0 : err_set(e, ERR_RENDER, "cannot build the DSS (libharu error 0x%04lX)",
                                 (unsigned long)HPDF_GetError(pdf));
}
