/* Unit tests of the rule for revisions appended after a signature (pdf/update_rules.c) and of the PDF syntax reader
   under it (pdf/scan.c): small files composed here, with their cross-reference offsets computed as a writer does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "pdf/scan.h"
#include "pdf/update_rules.h"

#define CATALOG "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [ 5 0 R ] /SigFlags 3 >> >>"
#define PAGE "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [ 5 0 R ] >>"

/* One object of a revision: its number and its body. */
typedef struct object {
    int num;
    const char *body;
} object;

/* Appends to pdf a revision defining objects (count of them) with a classic table and a trailer naming prev (the
   previous table's offset, or -1 for none); returns the offset of the new table. */
static long add_revision(buf *pdf, const object *objects, size_t count, long prev)
{
    size_t offsets[8];
    assert_true(count <= 8);
    for (size_t i = 0; i < count; i++) {
        offsets[i] = pdf->len;
        assert_int_equal(buf_printf(pdf, "%d 0 obj\n%s\nendobj\n", objects[i].num, objects[i].body), 0);
    }
    long xref = (long)pdf->len;
    assert_int_equal(buf_puts(pdf, "xref\n0 1\n0000000000 65535 f\r\n"), 0);
    for (size_t i = 0; i < count; i++)
        assert_int_equal(buf_printf(pdf, "%d 1\n%010zu 00000 n\r\n", objects[i].num, offsets[i]), 0);
    assert_int_equal(buf_puts(pdf, "trailer\n<< /Size 20 /Root 1 0 R"), 0);
    if (prev >= 0)
        assert_int_equal(buf_printf(pdf, " /Prev %ld", prev), 0);
    assert_int_equal(buf_printf(pdf, " >>\nstartxref\n%ld\n%%%%EOF\n", xref), 0);
    return xref;
}

/* The signed revision: catalog, pages, page, content, signature field. */
static long signed_revision(buf *pdf)
{
    static const object objects[] = {
        {1, CATALOG}, {2, "<< /Type /Pages /Kids [ 3 0 R ] /Count 1 >>"}, {3, PAGE},
        {4, "<< /Length 5 >>\nstream\n0 0 m\nendstream"},
        {5, "<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [ 10 10 200 30 ] /P 3 0 R >>"},
    };
    assert_int_equal(buf_puts(pdf, "%PDF-1.7\n"), 0);
    return add_revision(pdf, objects, sizeof objects / sizeof objects[0], -1);
}

static int check(const buf *pdf, size_t signed_len, pdf_updates *out)
{
    return pdf_updates_check(pdf->data, signed_len, pdf->len, out);
}

static void nothing_after_the_signature_or_white_space(void **state)
{
    (void)state;
    buf pdf = BUF_INIT;
    signed_revision(&pdf);
    size_t signed_len = pdf.len;
    pdf_updates out;
    assert_int_equal(check(&pdf, signed_len, &out), 0);
    assert_int_equal(buf_puts(&pdf, "\r\n  \n"), 0);
    assert_int_equal(check(&pdf, signed_len, &out), 0);
    assert_int_equal(out.revisions, 0);
    buf_free(&pdf);
}

static void validation_data_is_allowed(void **state)
{
    (void)state;
    buf pdf = BUF_INIT;
    long xref = signed_revision(&pdf);
    size_t signed_len = pdf.len;
    const object dss[] = {
        {1, "<< /AcroForm << /SigFlags 3 /Fields [5 0 R] >> /Pages 2 0 R /Type /Catalog /DSS 7 0 R >>"},
        {6, "<< /Length 3 >>\nstream\nabc\nendstream"},
        {7, "<< /Type /DSS /Certs [ 6 0 R ] /OCSPs [ 6 0 R ] /VRI << /ABC << /Cert [ 6 0 R ] >> >> >>"},
    };
    xref = add_revision(&pdf, dss, 3, xref);
    pdf_updates out;
    assert_int_equal(check(&pdf, signed_len, &out), 0);
    assert_int_equal(out.revisions, 1);
    assert_int_equal(out.timestamp_count, 0);
    /* a later revision may give the DSS dictionary a new version */
    const object again[] = {{7, "<< /Type /DSS /Certs [ 6 0 R ] >>"}};
    add_revision(&pdf, again, 1, xref);
    assert_int_equal(check(&pdf, signed_len, &out), 0);
    assert_int_equal(out.revisions, 2);
    buf_free(&pdf);
}

static void expect_refused(const object *objects, size_t count, const char *why)
{
    buf pdf = BUF_INIT;
    long xref = signed_revision(&pdf);
    size_t signed_len = pdf.len;
    add_revision(&pdf, objects, count, xref);
    pdf_updates out;
    assert_int_equal(check(&pdf, signed_len, &out), -1);
    assert_non_null(strstr(out.problem, why));
    buf_free(&pdf);
}

static void changes_to_what_is_shown_are_refused(void **state)
{
    (void)state;
    const object content[] = {{4, "<< /Length 3 >>\nstream\n1 1\nendstream"}};
    expect_refused(content, 1, "changes object 4");
    const object page[] = {{3, "<< /Type /Page /Parent 2 0 R /Contents 6 0 R /Annots [ 5 0 R ] >>"}};
    expect_refused(page, 1, "changes a page");
    const object note[] = {{6, "<< /Type /Annot /Subtype /Text /Rect [ 1 1 50 50 ] >>"},
                           {3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [ 5 0 R 6 0 R ] >>"}};
    expect_refused(note, 2, "is not a document timestamp");
    const object removed[] = {{3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [ ] >>"}};
    expect_refused(removed, 1, "removes entries of /Annots");
    const object catalog[] = {{1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [ 5 0 R ] /SigFlags 3 >> "
                                  "/OpenAction 3 0 R >>"}};
    expect_refused(catalog, 1, "changes the catalog");
    const object form[] = {{1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [ 5 0 R ] /SigFlags 3 "
                               "/NeedAppearances true >> >>"}};
    expect_refused(form, 1, "changes the form");
    const object field[] = {{5, "<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [ 0 0 0 0 ] /P 3 0 R >>"}};
    expect_refused(field, 1, "changes object 5");
}

/* A signed revision followed by a revision adding a document timestamp field with the given /Rect and signature
   dictionary type; the timestamp's /ByteRange is written once the revision's length is known. */
static int with_timestamp(const char *rect, const char *type, pdf_updates *out)
{
    buf pdf = BUF_INIT;
    long xref = signed_revision(&pdf);
    size_t signed_len = pdf.len;
    char field[160];
    snprintf(field, sizeof field, "<< /Type /Annot /Subtype /Widget /FT /Sig /Rect %s /P 3 0 R /V 6 0 R >>", rect);
    char sig[160];
    snprintf(sig, sizeof sig, "<< /Type %s /SubFilter /ETSI.RFC3161 /ByteRange [0 0000000 0000000 0000000] "
                              "/Contents <00000000> >>", type);
    const object objects[] = {
        {1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [ 5 0 R 7 0 R ] /SigFlags 3 >> >>"},
        {3, "<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Annots [ 5 0 R 7 0 R ] >>"},
        {6, sig},
        {7, field},
    };
    add_revision(&pdf, objects, 4, xref);
    char *range = strstr((char *)pdf.data + signed_len, "[0 0000000");
    size_t b = (size_t)(strstr(range, "<00000000>") - (char *)pdf.data), c = b + 10;
    char text[32];
    snprintf(text, sizeof text, "[0 %07zu %07zu %07zu]", b, c, pdf.len - c);
    memcpy(range, text, strlen(text));
    int rc = check(&pdf, signed_len, out);
    if (rc == 0) {
        assert_int_equal(out->timestamp_count, 1);
        assert_int_equal(out->timestamps[0].range.b, b);
        assert_int_equal(out->timestamps[0].range.c + out->timestamps[0].range.d, pdf.len);
    }
    buf_free(&pdf);
    return rc;
}

static void document_timestamps_are_allowed_and_found(void **state)
{
    (void)state;
    pdf_updates out;
    assert_int_equal(with_timestamp("[ 0 0 0 0 ]", "/DocTimeStamp", &out), 0);
    assert_int_equal(with_timestamp("[ 5 5 5 90 ]", "/DocTimeStamp", &out), 0);
    assert_int_equal(with_timestamp("[ 5 5 90 90 ]", "/DocTimeStamp", &out), -1);
    assert_non_null(strstr(out.problem, "visible widget"));
    assert_int_equal(with_timestamp("[ 0 0 0 0 ]", "/Sig", &out), -1);
    assert_non_null(strstr(out.problem, "not a document timestamp"));
}

static void broken_structure_is_refused(void **state)
{
    (void)state;
    buf pdf = BUF_INIT;
    long xref = signed_revision(&pdf);
    size_t signed_len = pdf.len;
    pdf_updates out;
    /* bytes that are no revision */
    assert_int_equal(buf_puts(&pdf, "4 0 obj\n<< >>\nendobj\n"), 0);
    assert_int_equal(check(&pdf, signed_len, &out), -1);
    assert_non_null(strstr(out.problem, "not a complete revision"));
    /* a trailer that does not name the signed table */
    pdf.len = signed_len;
    const object stream[] = {{6, "<< /Length 0 >>\nstream\n\nendstream"}};
    add_revision(&pdf, stream, 1, xref + 1);
    assert_int_equal(check(&pdf, signed_len, &out), -1);
    assert_non_null(strstr(out.problem, "trailer"));
    /* a signature that ends inside a revision */
    assert_int_equal(check(&pdf, signed_len - 3, &out), -1);
    buf_free(&pdf);
}

static void scan_reads_values_and_compares_dictionaries(void **state)
{
    (void)state;
    const char *a = "<< /A [ 1 0 R (x) ] /B << /C /D >> /E 12 >>", *b = "<</E 12/B<</C/D>>%note\n/A[1 0 R(x)]>>";
    const unsigned char *pa = (const unsigned char *)a, *pb = (const unsigned char *)b;
    static const char *const skip_e[] = {"/E", NULL};
    assert_true(pdf_scan_same_dict(pa, pa + strlen(a), pb, pb + strlen(b), NULL));
    const char *c = "<< /A [ 1 0 R (y) ] /B << /C /D >> /E 13 >>";
    const unsigned char *pc = (const unsigned char *)c;
    assert_false(pdf_scan_same_dict(pa, pa + strlen(a), pc, pc + strlen(c), skip_e));
    const char *d = "<< /A [ 1 0 R (x) ] /B << /C /D >> /E 13 >>";
    const unsigned char *pd = (const unsigned char *)d;
    assert_true(pdf_scan_same_dict(pa, pa + strlen(a), pd, pd + strlen(d), skip_e));
    /* values: a reference is one value, a string with nested parentheses is one token */
    const char *ref = "12 0 R /Next", *str = "(a (b) \\) c) rest";
    const unsigned char *pr = (const unsigned char *)ref, *ps = (const unsigned char *)str;
    assert_ptr_equal(pdf_scan_value_end(pr, pr + strlen(ref)), pr + 6);
    assert_ptr_equal(pdf_scan_token_end(ps, ps + strlen(str)), ps + 12);
    /* nesting past the limit and unclosed values are refused */
    char deep[2 * PDF_SCAN_MAX_DEPTH + 8];
    memset(deep, '[', PDF_SCAN_MAX_DEPTH + 1);
    memset(deep + PDF_SCAN_MAX_DEPTH + 1, ']', PDF_SCAN_MAX_DEPTH + 1);
    const unsigned char *pdeep = (const unsigned char *)deep;
    assert_null(pdf_scan_value_end(pdeep, pdeep + 2 * PDF_SCAN_MAX_DEPTH + 2));
    assert_null(pdf_scan_value_end(pa, pa + strlen(a) - 2));
    size_t nums[2];
    const char *refs = "[ 4 0 R 9 0 R ]", *many = "[ 1 0 R 2 0 R 3 0 R ]";
    assert_int_equal(pdf_scan_ref_array((const unsigned char *)refs, (const unsigned char *)refs + strlen(refs), nums, 2), 2);
    assert_int_equal(nums[1], 9);
    assert_int_equal(pdf_scan_ref_array((const unsigned char *)many, (const unsigned char *)many + strlen(many), nums, 2), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_after_the_signature_or_white_space),
        cmocka_unit_test(validation_data_is_allowed),
        cmocka_unit_test(changes_to_what_is_shown_are_refused),
        cmocka_unit_test(document_timestamps_are_allowed_and_found),
        cmocka_unit_test(broken_structure_is_refused),
        cmocka_unit_test(scan_reads_values_and_compares_dictionaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
