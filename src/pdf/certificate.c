/* The renderer: template and fonts prepared once; per certificate the placeholder values, the page layout, the
   libharu document around it (fonts linked from the prepared bytes, metadata, signature field), and the signature. */
#include "pdf/certificate.h"

#include <assert.h>
#include <hpdf.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/path.h"
#include "core/placeholders.h"
#include "core/timeutil.h"
#include "model/charset.h"
#include "model/vcode.h"
#include "pdf/docinfo.h"
#include "pdf/dss.h"
#include "pdf/flate.h"
#include "pdf/font.h"
#include "pdf/layout.h"
#include "pdf/pades.h"
#include "pdf/template.h"

/* How many times a document is built and signed again after its timestamp token did not fit the room measured from
   the TSA's earlier tokens; each time the room grows to the last token's size and margin. */
#define PDF_ROOM_ATTEMPTS 3

struct pdf_renderer {
    tpl_document tpl;
    font_set *fonts;
};

/* The formatted values behind the template's placeholders. */
typedef struct doc_values {
    char issued[TIME_TEXT_MAX], valid_until[TIME_TEXT_MAX], as_of[TIME_TEXT_MAX];
    char amount[MONEY_TEXT_MAX], code[VCODE_LEN + 4];
    buf verify_base;
    const char *vars[32];        /* name, value, …, NULL */
} doc_values;

/* Formats doc's values into v (v->verify_base then needs buf_free). Returns 0, or -1 with e set (ERR_NOMEM). */
static int values_fill(const pdf_renderer *r, const cert_doc *doc, doc_values *v, err *e)
{
    time_format_az_date(doc->issued_at, v->issued);
    time_format_az_date(doc->valid_until, v->valid_until);
    time_format_az_date(doc->debt_as_of, v->as_of);
    money_format_az(doc->debt_qepik, v->amount);
    vcode_group(doc->verification_code, v->code);
    v->verify_base = (buf)BUF_INIT;
    if (buf_printf(&v->verify_base, "%s/v", doc->public_base_url) != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    const char *holder = doc->non_residential && doc->organization_name ? doc->organization_name : doc->holder_name;
    const char *list[] = {"number", doc->number, "issued_date", v->issued, "valid_until_date", v->valid_until,
                          "as_of_date", v->as_of, "amount", v->amount, "code_grouped", v->code,
                          "verify_base", buf_cstr(&v->verify_base), "subscriber_code", doc->subscriber_code,
                          "subscriber_type", doc->non_residential ? r->tpl.word_non_residential : r->tpl.word_residential,
                          "holder", holder ? holder : "", "voen", doc->voen ? doc->voen : "",
                          "address", doc->address ? doc->address : "", NULL};
    _Static_assert(sizeof list <= sizeof v->vars, "doc_values.vars holds every placeholder");
    memcpy(v->vars, list, sizeof list);
    return 0;
}

/* A certificate with every placeholder set, to check the template against the fonts at start-up. */
static const cert_doc sample_doc = {
    .number = "AZI-2026-000001", .verification_code = "K7Q2M9XD4P8T3R6W", .subscriber_code = "1234567890",
    .holder_name = "Məmmədov Əli Şükür oğlu", .voen = "1234567891", .address = "Bakı şəhəri",
    .debt_qepik = 123456, .verify_url = "http://127.0.0.1:8080/v/AZI-2026-000001?code=K7Q2M9XD4P8T3R6W",
    .public_base_url = "http://127.0.0.1:8080",
};

/* Refuses fonts that lack a character validation accepts: whatever passed validation can then be rendered. */
static int check_charset(const font_set *fonts, err *e)
{
    size_t n;
    const charset_range *ranges = charset_ranges(&n);
    font_glyph g;
    for (int face = 0; face < TPL_FACES; face++)
        for (size_t i = 0; i < n; i++)
            for (uint32_t cp = ranges[i].first; cp <= ranges[i].last; cp++)
                if (font_set_glyph(fonts, face, cp, &g) != 0)
                    return err_set(e, ERR_INVALID, "the certificate fonts lack U+%04X, which validation accepts", (unsigned)cp);
    return 0;
}

/* Checks every text of the template against the fonts, with the sample certificate's values. Returns 0 or -1. */
static int check_template(const pdf_renderer *r, err *e)
{
    doc_values v;
    int rc = values_fill(r, &sample_doc, &v, e) == 0 ? layout_check_template(&r->tpl, r->fonts, v.vars, e) : -1;
    buf_free(&v.verify_base);
    return rc;
}

pdf_renderer *pdf_renderer_open(const char *share_dir, err *e)
{
    assert(share_dir != NULL);
    char path[1024];
    pdf_renderer *r = calloc(1, sizeof *r);
    if (r == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    if (path_join(path, sizeof path, share_dir, "templates/certificate.json", e) != 0 || tpl_load(path, &r->tpl, e) != 0) {
        free(r);
        return NULL;
    }
    if ((r->fonts = font_set_load(share_dir, r->tpl.fonts, TPL_FACES, e)) == NULL || check_charset(r->fonts, e) != 0 ||
        check_template(r, e) != 0) {
        pdf_renderer_close(r);
        return NULL;
    }
    return r;
}

void pdf_renderer_close(pdf_renderer *r)
{
    if (r == NULL)
        return;
    font_set_free(r->fonts);
    tpl_free(&r->tpl);
    free(r);
}

static void ignore_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    (void)error_no, (void)detail_no, (void)user_data; /* statuses are checked where the calls are made */
}

/* The page with the laid-out content as its (compressed) content stream and the fonts it names. */
static int add_page(HPDF_Doc pdf, const pdf_renderer *r, const page_layout *page, HPDF_Page *out, err *e)
{
    HPDF_Page p = HPDF_AddPage(pdf);
    if (p == NULL || HPDF_Page_SetWidth(p, (HPDF_REAL)r->tpl.width) != HPDF_OK ||
        HPDF_Page_SetHeight(p, (HPDF_REAL)r->tpl.height) != HPDF_OK ||
        flate_stream_write(((HPDF_PageAttr)p->attr)->contents, &page->content) != 0)
        return err_set(e, ERR_RENDER, "cannot build the page (libharu error 0x%04lX)", (unsigned long)HPDF_GetError(pdf));
    *out = p;
    return font_set_embed(r->fonts, &page->fonts, pdf, p, e);
}

/* Builds the unsigned document with its signature placeholders (contents_bytes of room for the signature) and
   appends the saved bytes to out. */
static int build_document(const pdf_renderer *r, size_t contents_bytes, const ltv_set *ltv, const cert_doc *doc,
                          const doc_values *v, const page_layout *page, buf *out, err *e)
{
    HPDF_Doc pdf = HPDF_New(ignore_error, NULL);
    HPDF_Page p = NULL;
    buf reason = BUF_INIT;
    int rc = -1;
    if (pdf == NULL) {
        err_set(e, ERR_NOMEM, "cannot start a PDF document");
        goto out;
    }
    pdf->pdf_version = HPDF_VER_17;
    if (add_page(pdf, r, page, &p, e) != 0 || pdf_metadata(pdf, &r->tpl, v->vars, doc->issued_at, e) != 0)
        goto out;
    if (placeholders_expand(r->tpl.reason, v->vars, &reason, e) != 0)
        goto out;
    if (pades_prepare(pdf, p, page->footer, doc->issued_at, buf_cstr(&reason), contents_bytes, e) != 0)
        goto out;
    if (ltv && pdf_dss_add(pdf, ltv->certs, ltv->cert_count, ltv->ocsps, ltv->ocsp_count, e) != 0)
        goto out;
    rc = pdf_save(pdf, out, e);
out:
    if (pdf)
        HPDF_Free(pdf);
    buf_free(&reason);
    return rc;
}

int pdf_render_certificate(const pdf_renderer *r, const signer *s, const cert_doc *doc, buf *out, err *e)
{
    return pdf_render_certificate_stamped(r, s, NULL, doc, out, e);
}

int pdf_render_certificate_stamped(const pdf_renderer *r, const signer *s, tsa_client *tsa, const cert_doc *doc,
                                   buf *out, err *e)
{
    return pdf_render_certificate_ltv(r, s, tsa, NULL, doc, out, e);
}

/* Builds the document of page and signs it into pdf (emptied first), again with a grown room while the timestamp
   token does not fit. Returns 0 or -1 with e set. */
static int build_and_sign(const pdf_renderer *r, const signer *s, tsa_client *tsa, const ltv_set *ltv,
                          const cert_doc *doc, const doc_values *v, const page_layout *page, buf *pdf, err *e)
{
    for (int attempt = 0; attempt < PDF_ROOM_ATTEMPTS; attempt++) {
        pdf->len = 0;
        int rc = build_document(r, pades_contents_bytes(s, tsa), ltv, doc, v, page, pdf, e);
        if (rc == 0)
            rc = pades_sign(pdf, s, tsa, e);
        if (rc <= 0)
            return rc;
    }
    return err_set(e, ERR_TOO_LONG, "the TSA's timestamp tokens outgrew their room %d times in a row",
                   PDF_ROOM_ATTEMPTS);
}

int pdf_render_certificate_ltv(const pdf_renderer *r, const signer *s, tsa_client *tsa, const ltv_set *ltv,
                               const cert_doc *doc, buf *out, err *e)
{
    assert(r != NULL && s != NULL && doc != NULL && out != NULL);
    doc_values v;
    page_layout page = {.content = BUF_INIT};
    buf pdf = BUF_INIT;
    int rc = -1;
    err_clear(e);
    if (values_fill(r, doc, &v, e) != 0)
        goto out;
    layout_input in = {.vars = v.vars, .non_residential = doc->non_residential, .has_debt = doc->debt_qepik > 0,
                       .has_address = doc->address && doc->address[0], .qr_text = doc->verify_url,
                       .sample = doc->sample};
    if (layout_page(&r->tpl, r->fonts, &in, &page, e) != 0 || build_and_sign(r, s, tsa, ltv, doc, &v, &page, &pdf, e) != 0)
        goto out;
    rc = buf_append(out, pdf.data, pdf.len) == 0 ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    buf_free(&v.verify_base);
    buf_free(&page.content);
    buf_free(&pdf);
    return rc;
}
