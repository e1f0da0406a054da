/* Metadata as UTF-16BE text strings; the document saved through libharu's memory stream. */
#include "pdf/docinfo.h"

#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "core/placeholders.h"
#include "pdf/objects.h"

HPDF_Binary pdf_text_string(HPDF_MMgr mmgr, const char *utf8)
{
    size_t units = 0;
    uint16_t *u16 = u8_to_u16((const uint8_t *)utf8, strlen(utf8), NULL, &units);
    unsigned char *be = u16 ? malloc(2 + units * 2) : NULL;
    HPDF_Binary text = NULL;
    if (be != NULL) {
        be[0] = 0xFE;
        be[1] = 0xFF;
        for (size_t i = 0; i < units; i++) {
            be[2 + 2 * i] = (unsigned char)(u16[i] >> 8);
            be[3 + 2 * i] = (unsigned char)u16[i];
        }
        text = HPDF_Binary_New(mmgr, be, (HPDF_UINT)(2 + units * 2));
    }
    free(u16);
    free(be);
    return text;
}

int pdf_metadata(HPDF_Doc pdf, const tpl_document *t, const char *const *vars, time_t created, err *e)
{
    struct tm tm;
    gmtime_r(&created, &tm);
    HPDF_Date date = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, 'Z', 0, 0};
    buf title = BUF_INIT;
    if (placeholders_expand(t->title, vars, &title, e) != 0) {
        buf_free(&title);
        return -1;
    }
    int rc = HPDF_SetInfoAttr(pdf, HPDF_INFO_PRODUCER, "arayis") == HPDF_OK &&
                     HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, date) == HPDF_OK &&
                     pdf_dict_put(pdf->info, "Title", pdf_text_string(pdf->mmgr, buf_cstr(&title))) == 0 &&
                     pdf_dict_put(pdf->info, "Author", pdf_text_string(pdf->mmgr, t->author)) == 0 &&
                     pdf_dict_put(pdf->info, "Subject", pdf_text_string(pdf->mmgr, t->subject)) == 0 &&
                     pdf_dict_put(pdf->catalog, "Lang", HPDF_String_New(pdf->mmgr, t->language, NULL)) == 0
                 ? 0
                 : err_set(e, ERR_RENDER, "cannot set the document metadata (libharu error 0x%04lX)",
                           (unsigned long)HPDF_GetError(pdf));
    buf_free(&title);
    return rc;
}

int pdf_save(HPDF_Doc pdf, buf *out, err *e)
{
    if (HPDF_SaveToStream(pdf) != HPDF_OK)
        return err_set(e, ERR_RENDER, "cannot save the PDF (libharu error 0x%04lX)", (unsigned long)HPDF_GetError(pdf));
    HPDF_UINT32 size = HPDF_GetStreamSize(pdf);
    if (buf_reserve(out, size) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    HPDF_UINT32 got = size;
    HPDF_STATUS st = HPDF_ReadFromStream(pdf, out->data + out->len, &got);
    if ((st != HPDF_OK && st != HPDF_STREAM_EOF) || got != size)
        return err_set(e, ERR_RENDER, "cannot read the saved PDF");
    out->len += got;
    out->data[out->len] = '\0';
    return 0;
}
