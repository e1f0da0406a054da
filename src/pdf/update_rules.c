/* The rule for revisions appended after a signature, read through their classic cross-reference tables: each
   object an appended revision defines is either new (free: only validation data and timestamp fields may refer to
   it from what is shown) or a new version of the catalog, of the DSS dictionary or of a page, compared entry by
   entry with its previous version. */
#include "pdf/update_rules.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pdf/scan.h"

#define XREF_ENTRY 20 /* bytes of one cross-reference entry (ISO 32000-1 7.5.4) */

typedef struct revision {
    const unsigned char *pdf;
    size_t len;                 /* of the whole file */
    size_t start, eof_end, end; /* the revision is [start, end); eof_end is just after its %%EOF */
    size_t xref, prev_xref;     /* offsets of its table and of the previous revision's */
    const unsigned char *trailer, *prev_trailer; /* just after each table's "trailer" keyword */
    size_t root;                /* the catalog's object number */
} revision;

static int refuse(pdf_updates *out, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(out->problem, sizeof out->problem, fmt, args);
    va_end(args);
    return -1;
}

/* The body of object num, whose "num 0 obj" starts at p, or NULL when something else is there. */
static const unsigned char *object_body(const unsigned char *p, const unsigned char *end, size_t num)
{
    size_t n, gen;
    if (p >= end || *p < '0' || *p > '9' || pdf_scan_size(&p, end, &n) != 0 || n != num ||
        pdf_scan_size(&p, end, &gen) != 0 || gen != 0)
        return NULL;
    p = pdf_scan_skip_space(p, end);
    return end - p >= 3 && memcmp(p, "obj", 3) == 0 ? pdf_scan_skip_space(p + 3, end) : NULL;
}

/* Reads a subsection header at *p of a table: 1 (first, count, and *entries where its entries start), 0 at the
   "trailer" keyword (*p just after it), -1 when malformed. */
static int next_subsection(const unsigned char **p, const unsigned char *end, size_t *first, size_t *count,
                           const unsigned char **entries)
{
    const unsigned char *q = pdf_scan_skip_space(*p, end);
    if (end - q >= 7 && memcmp(q, "trailer", 7) == 0) {
        *p = q + 7;
        return 0;
    }
    if (pdf_scan_size(&q, end, first) != 0 || pdf_scan_size(&q, end, count) != 0)
        return -1;
    q = pdf_scan_skip_space(q, end);
    if (*count > (size_t)(end - q) / XREF_ENTRY)
        return -1;
    *entries = q;
    *p = q + *count * XREF_ENTRY;
    return 1;
}

/* The entry at e: 1 in use (*offset), 0 free, -1 malformed or in use with a generation other than 0. */
static int read_entry(const unsigned char *e, size_t *offset)
{
    const unsigned char *p = e, *end = e + XREF_ENTRY;
    size_t gen;
    if (pdf_scan_size(&p, end, offset) != 0 || pdf_scan_size(&p, end, &gen) != 0)
        return -1;
    p = pdf_scan_skip_space(p, end);
    if (p < end && *p == 'f')
        return 0;
    return p < end && *p == 'n' && gen == 0 ? 1 : -1;
}

/* Looks num up in the one table at xref of the len bytes at pdf: 1 in use (*offset), 0 free, 2 not in this table
   (*trailer, when not NULL: just after its "trailer" keyword), -1 unreadable. SIZE_MAX is in no table. */
static int table_find(const unsigned char *pdf, size_t len, size_t xref, size_t num, size_t *offset,
                      const unsigned char **trailer)
{
    const unsigned char *p = pdf + xref, *end = pdf + len, *entries;
    size_t first, count;
    int got;
    if (xref > len || len - xref < 4 || memcmp(p, "xref", 4) != 0)
        return -1;
    for (p += 4; (got = next_subsection(&p, end, &first, &count, &entries)) == 1;)
        if (num >= first && num - first < count)
            return read_entry(entries + (num - first) * XREF_ENTRY, offset);
    if (got == 0 && trailer != NULL)
        *trailer = p;
    return got == 0 ? 2 : -1;
}

/* The reference at key of the dictionary at dict: 1 (*num), 0 absent, -1 not a reference. */
static int dict_ref(const unsigned char *dict, const unsigned char *end, const char *key, size_t *num)
{
    const unsigned char *v, *v_end;
    int got = pdf_scan_dict_get(dict, end, key, &v, &v_end);
    return got == 1 ? (pdf_scan_ref(&v, v_end, num) == 0 ? 1 : -1) : got;
}

/* The size at key of the dictionary at dict: 1 (*value), 0 absent, -1 not a size. */
static int dict_size(const unsigned char *dict, const unsigned char *end, const char *key, size_t *value)
{
    const unsigned char *v, *v_end;
    int got = pdf_scan_dict_get(dict, end, key, &v, &v_end);
    return got == 1 ? (pdf_scan_size(&v, v_end, value) == 0 ? 1 : -1) : got;
}

/* Where object num is defined as of the table at xref and those before it (by /Prev): 1 (*offset), 0 nowhere or
   freed, -1 unreadable. */
static int lookup(const unsigned char *pdf, size_t len, size_t xref, size_t num, size_t *offset)
{
    for (int hop = 0; hop < UPDATE_MAX_XREF_HOPS; hop++) {
        const unsigned char *trailer;
        int got = table_find(pdf, len, xref, num, offset, &trailer);
        if (got != 2)
            return got;
        if ((got = dict_size(trailer, pdf + len, "/Prev", &xref)) <= 0)
            return got;
    }
    return -1;
}

/* The dictionary of object num as defined at offset before limit: *dict and *dict_end, or -1. */
static int object_dict(const revision *rev, size_t offset, size_t limit, size_t num, const unsigned char **dict,
                       const unsigned char **dict_end)
{
    const unsigned char *end = rev->pdf + limit;
    *dict = offset < limit ? object_body(rev->pdf + offset, end, num) : NULL;
    *dict_end = *dict ? pdf_scan_value_end(*dict, end) : NULL;
    return *dict_end && end - *dict >= 2 && memcmp(*dict, "<<", 2) == 0 ? 0 : -1;
}

/* 1 when the /Rect at [v, v_end) has no area: its two x or its two y are the same number. */
static int rect_without_area(const unsigned char *v, const unsigned char *v_end)
{
    const unsigned char *at[5], *p = pdf_scan_skip_space(v, v_end);
    if (p >= v_end || *p++ != '[')
        return 0;
    for (int i = 0; i < 4; i++) {
        at[i] = pdf_scan_skip_space(p, v_end);
        if ((p = pdf_scan_token_end(at[i], v_end)) == NULL)
            return 0;
    }
    at[4] = p;
    const unsigned char *close = pdf_scan_skip_space(p, v_end);
    if (close >= v_end || *close != ']')
        return 0;
    const unsigned char *x0_end = pdf_scan_token_end(at[0], v_end), *y0_end = pdf_scan_token_end(at[1], v_end);
    return pdf_scan_same_value(at[0], x0_end, at[2], pdf_scan_token_end(at[2], v_end)) ||
           pdf_scan_same_value(at[1], y0_end, at[3], at[4]);
}

/* 1 when the entry key of the dictionary at [d, d_end) is the name given. */
static int has_name(const unsigned char *d, const unsigned char *d_end, const char *key, const char *name)
{
    const unsigned char *v, *v_end;
    return pdf_scan_dict_get(d, d_end, key, &v, &v_end) == 1 && pdf_scan_is_name(v, v_end, name);
}

/* Checks the timestamp signature dictionary [sig, sig_end) of rev and records its range. */
static int take_timestamp(const revision *rev, const unsigned char *sig, const unsigned char *sig_end,
                          pdf_updates *out)
{
    const unsigned char *v, *v_end;
    pdf_byte_range r;
    if (!has_name(sig, sig_end, "/Type", "/DocTimeStamp") || !has_name(sig, sig_end, "/SubFilter", "/ETSI.RFC3161") ||
        pdf_scan_dict_get(sig, sig_end, "/ByteRange", &v, &v_end) != 1 || pdf_byte_range_read(v, v_end, &r) != 0)
        return refuse(out, "a field added after the signature is not a document timestamp");
    /* the hole in the range is this dictionary's /Contents, and the range ends where the revision does */
    if (!pdf_byte_range_shape_ok(rev->pdf, rev->end, &r) || rev->pdf + r.b < sig || rev->pdf + r.c > sig_end ||
        r.c + r.d < rev->eof_end)
        return refuse(out, "a document timestamp does not cover its revision");
    for (size_t i = 0; i < out->timestamp_count; i++)
        if (out->timestamps[i].range.b == r.b)
            return 0;
    if (out->timestamp_count == UPDATE_MAX_REVISIONS)
        return refuse(out, "more than %d document timestamps follow the signature", UPDATE_MAX_REVISIONS);
    out->timestamps[out->timestamp_count++].range = r;
    return 0;
}

/* Checks that object num, added to /Fields or /Annots by rev, is a document timestamp field of rev with a widget
   without area. */
static int check_timestamp_field(const revision *rev, size_t num, pdf_updates *out)
{
    size_t at, sig_num, sig_at;
    const unsigned char *field, *field_end, *sig, *sig_end, *v, *v_end;
    if (table_find(rev->pdf, rev->eof_end, rev->xref, num, &at, NULL) != 1 || at < rev->start ||
        object_dict(rev, at, rev->xref, num, &field, &field_end) != 0 ||
        !has_name(field, field_end, "/FT", "/Sig") || dict_ref(field, field_end, "/V", &sig_num) != 1 ||
        table_find(rev->pdf, rev->eof_end, rev->xref, sig_num, &sig_at, NULL) != 1 || sig_at < rev->start ||
        object_dict(rev, sig_at, rev->xref, sig_num, &sig, &sig_end) != 0)
        return refuse(out, "a field or annotation added after the signature is not a document timestamp");
    if (pdf_scan_dict_get(field, field_end, "/Rect", &v, &v_end) == 1 && !rect_without_area(v, v_end))
        return refuse(out, "a document timestamp added after the signature has a visible widget");
    return take_timestamp(rev, sig, sig_end, out);
}

/* The array of references at key in old and in new: new must start with old's entries, and each one more must be
   a document timestamp field of rev. */
static int check_added(const revision *rev, const unsigned char *old, const unsigned char *old_end,
                       const unsigned char *new, const unsigned char *new_end, const char *key, pdf_updates *out)
{
    size_t before[UPDATE_MAX_REFS], after[UPDATE_MAX_REFS];
    const unsigned char *v, *v_end, *w, *w_end;
    int had = pdf_scan_dict_get(old, old_end, key, &v, &v_end), has = pdf_scan_dict_get(new, new_end, key, &w, &w_end);
    long n_before = had == 1 ? pdf_scan_ref_array(v, v_end, before, UPDATE_MAX_REFS) : had == 0 ? 0 : -1;
    long n_after = has == 1 ? pdf_scan_ref_array(w, w_end, after, UPDATE_MAX_REFS) : has == 0 ? 0 : -1;
    if (n_before < 0 || n_after < n_before)
        return refuse(out, "a revision after the signature removes entries of %s or makes it unreadable", key);
    for (long i = 0; i < n_before; i++)
        if (before[i] != after[i])
            return refuse(out, "a revision after the signature changes entries of %s", key);
    for (long i = n_before; i < n_after; i++)
        if (check_timestamp_field(rev, after[i], out) != 0)
            return -1;
    return 0;
}

/* A new version of the catalog: the same but for /DSS and the /Fields of its /AcroForm. */
static int check_catalog(const revision *rev, const unsigned char *old, const unsigned char *old_end,
                         const unsigned char *new, const unsigned char *new_end, pdf_updates *out)
{
    static const char *const catalog_free[] = {"/DSS", "/AcroForm", NULL}, *const form_free[] = {"/Fields", NULL};
    const unsigned char *f, *f_end, *g, *g_end;
    if (!pdf_scan_same_dict(old, old_end, new, new_end, catalog_free))
        return refuse(out, "a revision after the signature changes the catalog beyond its /DSS");
    int had = pdf_scan_dict_get(old, old_end, "/AcroForm", &f, &f_end), has = pdf_scan_dict_get(new, new_end, "/AcroForm", &g, &g_end);
    if (had == 0 && has == 0)
        return 0;
    if (had == 1 && has == 1 && pdf_scan_same_value(f, f_end, g, g_end))
        return 0;
    if (had != 1 || has != 1 || !pdf_scan_same_dict(f, f_end, g, g_end, form_free))
        return refuse(out, "a revision after the signature changes the form beyond adding document timestamps");
    return check_added(rev, f, f_end, g, g_end, "/Fields", out);
}

/* Checks one object that rev defines at offset. */
static int check_object(const revision *rev, size_t num, size_t offset, pdf_updates *out)
{
    const unsigned char *new, *new_end, *old, *old_end, *root, *root_end;
    size_t before, root_at, dss;
    if (offset < rev->start || offset >= rev->xref || object_body(rev->pdf + offset, rev->pdf + rev->xref, num) == NULL)
        return refuse(out, "a cross-reference entry after the signature does not point at its object");
    int had = lookup(rev->pdf, rev->len, rev->prev_xref, num, &before);
    if (had <= 0)
        return had == 0 ? 0 : refuse(out, "the cross-reference tables cannot be read");
    if (object_dict(rev, before, rev->start, num, &old, &old_end) != 0 ||
        object_dict(rev, offset, rev->xref, num, &new, &new_end) != 0)
        return refuse(out, "a revision after the signature changes object %zu", num);
    if (num == rev->root)
        return check_catalog(rev, old, old_end, new, new_end, out);
    if (lookup(rev->pdf, rev->len, rev->prev_xref, rev->root, &root_at) == 1 &&
        object_dict(rev, root_at, rev->start, rev->root, &root, &root_end) == 0 &&
        dict_ref(root, root_end, "/DSS", &dss) == 1 && dss == num)
        return 0; /* a new version of the validation data */
    static const char *const page_free[] = {"/Annots", NULL};
    if (!has_name(old, old_end, "/Type", "/Page"))
        return refuse(out, "a revision after the signature changes object %zu", num);
    if (!pdf_scan_same_dict(old, old_end, new, new_end, page_free))
        return refuse(out, "a revision after the signature changes a page");
    return check_added(rev, old, old_end, new, new_end, "/Annots", out);
}

/* The trailer of rev: /Prev the previous table, the same /Root and /Info, no /Encrypt. */
static int check_trailer(const revision *rev, pdf_updates *out)
{
    const unsigned char *end = rev->pdf + rev->eof_end, *prev_end = rev->pdf + rev->len, *v, *v_end, *w, *w_end;
    size_t prev, root;
    int info = pdf_scan_dict_get(rev->trailer, end, "/Info", &v, &v_end);
    int prev_info = pdf_scan_dict_get(rev->prev_trailer, prev_end, "/Info", &w, &w_end);
    if (dict_size(rev->trailer, end, "/Prev", &prev) != 1 || prev != rev->prev_xref || dict_ref(rev->trailer, end, "/Root", &root) != 1 || root != rev->root ||
        info != prev_info || (info == 1 && !pdf_scan_same_value(v, v_end, w, w_end)) ||
        pdf_scan_dict_get(rev->trailer, end, "/Encrypt", &v, &v_end) != 0)
        return refuse(out, "the trailer of a revision after the signature does not continue the signed one");
    return 0;
}

static int check_revision(revision *rev, pdf_updates *out)
{
    const unsigned char *at = pdf_scan_find_last(rev->pdf + rev->start, rev->eof_end - rev->start, "startxref");
    const unsigned char *p = at ? at + 9 : NULL, *entries;
    size_t first, count, offset, objects = 0;
    if (p == NULL || pdf_scan_size(&p, rev->pdf + rev->eof_end, &rev->xref) != 0 || rev->xref < rev->start ||
        rev->xref >= rev->eof_end)
        return refuse(out, "a revision after the signature has no cross-reference table of its own");
    if (table_find(rev->pdf, rev->eof_end, rev->xref, SIZE_MAX, NULL, &rev->trailer) != 2)
        return refuse(out, "a revision after the signature has no classic cross-reference table");
    if (check_trailer(rev, out) != 0)
        return -1;
    int got;
    for (p = rev->pdf + rev->xref + 4; (got = next_subsection(&p, rev->pdf + rev->eof_end, &first, &count, &entries)) == 1;)
        for (size_t i = 0; i < count; i++) {
            int kind = read_entry(entries + i * XREF_ENTRY, &offset);
            if (kind < 0 || (kind == 0 && first + i != 0))
                return refuse(out, "a revision after the signature frees or renumbers object %zu", first + i);
            if (kind == 1 && ++objects > UPDATE_MAX_OBJECTS)
                return refuse(out, "a revision after the signature defines more than %d objects", UPDATE_MAX_OBJECTS);
            if (kind == 1 && check_object(rev, first + i, offset, out) != 0)
                return -1;
        }
    return got == 0 ? 0 : refuse(out, "a cross-reference table after the signature cannot be read");
}

int pdf_updates_check(const unsigned char *pdf, size_t signed_len, size_t len, pdf_updates *out)
{
    memset(out, 0, sizeof *out);
    const unsigned char *end = pdf + len, *eof = pdf_scan_find_last(pdf, signed_len, "%%EOF"), *at;
    revision rev = {.pdf = pdf, .len = len};
    if (pdf_scan_skip_space(pdf + signed_len, end) == end)
        return 0;
    at = pdf_scan_find_last(pdf, eof ? (size_t)(eof - pdf) : 0, "startxref");
    const unsigned char *p = at ? at + 9 : NULL;
    if (eof == NULL || pdf_scan_skip_space(eof + 5, pdf + signed_len) != pdf + signed_len || p == NULL ||
        pdf_scan_size(&p, eof, &rev.xref) != 0 || table_find(pdf, len, rev.xref, SIZE_MAX, NULL, &rev.trailer) != 2 ||
        dict_ref(rev.trailer, end, "/Root", &rev.root) != 1)
        return refuse(out, "the signature does not cover a whole revision with a readable cross-reference table");
    for (size_t start = signed_len; (p = pdf_scan_skip_space(pdf + start, end)) < end; start = rev.end) {
        if (out->revisions == UPDATE_MAX_REVISIONS)
            return refuse(out, "more than %d revisions follow the signature", UPDATE_MAX_REVISIONS);
        if ((eof = memmem(p, (size_t)(end - p), "%%EOF", 5)) == NULL)
            return refuse(out, "the bytes after the signature are not a complete revision");
        rev.prev_xref = rev.xref;
        rev.prev_trailer = rev.trailer;
        rev.start = (size_t)(p - pdf);
        rev.eof_end = rev.end = (size_t)(eof - pdf) + 5;
        if (rev.end < len && pdf[rev.end] == '\r')
            rev.end++;
        if (rev.end < len && pdf[rev.end] == '\n')
            rev.end++;
        if (check_revision(&rev, out) != 0)
            return -1;
        out->revisions++;
    }
    return 0;
}
