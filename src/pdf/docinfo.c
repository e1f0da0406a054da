/* Metadata written as UTF-16BE text strings (libharu 2.3.0 would write UTF-8 bytes as PDFDocEncoding). */
#include "pdf/docinfo.h"

#include <hpdf_objects.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "core/placeholders.h"

/* Adds key = utf8 to dict as a UTF-16BE string with byte-order mark. */
static HPDF_STATUS add_text(HPDF_Dict dict, const char *key, const char *utf8)
{
    size_t units = 0;
    uint16_t *u16 = u8_to_u16((const uint8_t *)utf8, strlen(utf8), NULL, &units);
    unsigned char *be = u16 ? malloc(2 + units * 2) : NULL;
    HPDF_STATUS ret = HPDF_FAILD_TO_ALLOC_MEM;
    if (be != NULL) {
        be[0] = 0xFE;
        be[1] = 0xFF;
        for (size_t i = 0; i < units; i++) {
            be[2 + 2 * i] = (unsigned char)(u16[i] >> 8);
            be[3 + 2 * i] = (unsigned char)u16[i];
        }
        ret = HPDF_Dict_Add(dict, key, HPDF_Binary_New(dict->mmgr, be, (HPDF_UINT)(2 + units * 2)));
    }
    free(u16);
    free(be);
    return ret;
}

int pdf_metadata(HPDF_Doc pdf, const tpl_document *t, const char *const *vars, time_t created, err *e)
{
    struct tm tm;
    gmtime_r(&created, &tm);
    HPDF_Date date = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, 'Z', 0, 0};
    buf title = BUF_INIT;
    if (HPDF_SetInfoAttr(pdf, HPDF_INFO_PRODUCER, "arayis") != HPDF_OK ||
        HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, date) != HPDF_OK ||
        placeholders_expand(t->title, vars, &title, e) != 0) {
        buf_free(&title);
        return err_set(e, 1, "cannot set document metadata");
    }
    HPDF_STATUS ret = add_text(pdf->info, "Title", buf_cstr(&title));
    ret += add_text(pdf->info, "Author", t->author);
    ret += add_text(pdf->info, "Subject", t->subject);
    ret += HPDF_Dict_Add(pdf->catalog, "Lang", HPDF_String_New(pdf->mmgr, t->language, NULL));
    buf_free(&title);
    return ret == HPDF_OK ? 0 : err_set(e, 1, "cannot set document metadata");
}

int pdf_save(HPDF_Doc pdf, buf *out, err *e)
{
    if (HPDF_SaveToStream(pdf) != HPDF_OK)
        return err_set(e, 1, "cannot save the PDF");
    HPDF_UINT32 size = HPDF_GetStreamSize(pdf);
    if (buf_reserve(out, size) != 0)
        return err_set(e, 1, "out of memory");
    HPDF_UINT32 got = size;
    if (HPDF_ReadFromStream(pdf, out->data + out->len, &got) != HPDF_OK && got != size)
        return err_set(e, 1, "cannot read the saved PDF");
    out->len += got;
    out->data[out->len] = '\0';
    return 0;
}
