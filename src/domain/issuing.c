/* The application workflow. Two short durable writes frame the PDF work: the first records the application
   and takes the certificate number, the second stores the signed PDF, the history and the SMS notice.
   Rendering and signing run between them, outside SQLite's write lock; the writes of concurrent requests
   share one commit (store_write). */
#include "domain/issuing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "domain/ids.h"
#include "domain/links.h"
#include "domain/vcode.h"
#include "store/applications.h"
#include "store/certificates.h"
#include "store/outbox.h"
#include "store/subscribers.h"

#define DAY_SECONDS (24 * 60 * 60)

static applicant_data applicant_of(const application *a)
{
    return (applicant_data){a->fin,      a->full_name, a->birth_date, a->id_document, a->address,
                            a->org_voen[0] ? a->org_voen : NULL, a->org_name, a->mobile, a->email};
}

static application_row row_of(const application *a, long long key_id, const char *request_sha256, time_t now)
{
    application_row row = {0};
    ids_new_application_id(row.id);
    row.api_key_id = key_id;
    snprintf(row.portal_reference, sizeof row.portal_reference, "%s", a->portal_reference);
    snprintf(row.request_sha256, sizeof row.request_sha256, "%s", request_sha256);
    row.non_residential = a->non_residential;
    snprintf(row.subscriber_code, sizeof row.subscriber_code, "%s", a->subscriber_code);
    row.submitted_at = now;
    return row;
}

/* Looks for an earlier application with the same key and portal_reference. Returns 1 (outcome set), 0 none, -1 error. */
static int find_replay(db *d, long long key_id, const application *a, const char *request_sha256,
                       submit_outcome *outcome, char app_id[32], err *e)
{
    if (a->portal_reference[0] == '\0')
        return 0;
    application_row earlier;
    int found = applications_find_by_reference(d, key_id, a->portal_reference, &earlier, e);
    if (found == 1) {
        *outcome = strcmp(earlier.request_sha256, request_sha256) == 0 ? SUBMIT_REPLAYED : SUBMIT_CONFLICT;
        snprintf(app_id, 32, "%s", earlier.id);
    }
    return found;
}

static int queue_sms(const issuer *is, db *d, sms_kind kind, const char *reference, const char *app_id,
                     const char *mobile, const char *const *vars, err *e)
{
    buf text = BUF_INIT;
    int rc = sms_messages_render(is->messages, kind, vars, &text, e) == 0 &&
                     outbox_enqueue(d, reference, app_id, mobile, buf_cstr(&text), time(NULL), e) == 0
                 ? 0
                 : -1;
    buf_free(&text);
    return rc;
}

typedef struct rejection_write {
    const issuer *is;
    const application_row *row;
    const application *a;
    submit_outcome why;
} rejection_write;

static int write_rejection(db *d, void *ctx, err *e)
{
    const rejection_write *w = ctx;
    applicant_data who = applicant_of(w->a);
    const char *vars[] = {"subscriber_code", w->a->subscriber_code, NULL};
    char reference[64];
    snprintf(reference, sizeof reference, "%s-rejected", w->row->id);
    return applications_insert(d, w->row, &who, e) == 0 &&
                   application_events_append(d, w->row->id, "received", w->row->submitted_at, NULL, e) == 0 &&
                   application_events_append(d, w->row->id, "rejected", w->row->submitted_at, w->row->rejection_code, e) == 0 &&
                   queue_sms(w->is, d, w->why == SUBMIT_NOT_FOUND ? SMS_REJECTED_NOT_FOUND : SMS_REJECTED_MISMATCH,
                             reference, w->row->id, w->a->mobile, vars, e) == 0
               ? 0
               : -1;
}

/* Records a rejected application (history: received, rejected) and its SMS notice in one durable write. */
static int record_rejection(const issuer *is, application_row *row, const application *a, submit_outcome why, err *e)
{
    snprintf(row->status, sizeof row->status, "rejected");
    snprintf(row->rejection_code, sizeof row->rejection_code, "%s",
             why == SUBMIT_NOT_FOUND ? "subscriber_not_found" : "subscriber_mismatch");
    rejection_write w = {is, row, a, why};
    return store_write(is->store, write_rejection, &w, e);
}

static void certificate_of(const issuer *is, const application_row *row, const billing_record *rec, certificate_row *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->application_id, sizeof c->application_id, "%s", row->id);
    vcode_generate(c->code);
    c->issued_at = row->submitted_at;
    c->valid_until = row->submitted_at + (time_t)is->cfg->validity_days * DAY_SECONDS;
    c->non_residential = rec->non_residential;
    snprintf(c->subscriber_code, sizeof c->subscriber_code, "%s", rec->subscriber_code);
    snprintf(c->holder, sizeof c->holder, "%s", rec->holder_name);
    snprintf(c->address, sizeof c->address, "%s", rec->address ? rec->address : "");
    snprintf(c->voen, sizeof c->voen, "%s", rec->non_residential ? rec->owner_voen : "");
    c->debt_qepik = rec->debt_qepik;
    c->debt_as_of = rec->as_of;
}

typedef struct numbered_write {
    const application_row *row;
    const application *a;
    certificate_row *c;
} numbered_write;

static int write_numbered(db *d, void *ctx, err *e)
{
    const numbered_write *w = ctx;
    applicant_data who = applicant_of(w->a);
    return applications_insert(d, w->row, &who, e) == 0 &&
                   application_events_append(d, w->row->id, "received", w->row->submitted_at, NULL, e) == 0 &&
                   application_events_append(d, w->row->id, "debt_checked", w->row->submitted_at, NULL, e) == 0 &&
                   certificates_reserve(d, w->c, e) == 0
               ? 0
               : -1;
}

/* First write: the application as debt_checked, its history so far, and the certificate number. */
static int record_and_number(const issuer *is, application_row *row, const application *a, certificate_row *c, err *e)
{
    snprintf(row->status, sizeof row->status, "debt_checked");
    numbered_write w = {row, a, c};
    return store_write(is->store, write_numbered, &w, e);
}

/* Renders and signs c's document into pdf. */
static int render(const issuer *is, const certificate_row *c, buf *pdf, err *e)
{
    buf verify_url = BUF_INIT;
    links_verify_url(&verify_url, is->cfg->public_base_url, c->number, c->code);
    cert_doc doc = {
        .number = c->number, .verification_code = c->code, .issued_at = c->issued_at,
        .valid_until = c->valid_until, .non_residential = c->non_residential,
        .subscriber_code = c->subscriber_code, .holder_name = c->holder,
        .organization_name = c->non_residential ? c->holder : NULL, .voen = c->voen,
        .address = c->address, .debt_qepik = c->debt_qepik, .debt_as_of = c->debt_as_of,
        .verify_url = buf_cstr(&verify_url), .public_base_url = is->cfg->public_base_url,
    };
    int rc = pdf_render_certificate(is->renderer, is->signer, &doc, pdf, e);
    buf_free(&verify_url);
    return rc;
}

typedef struct issued_write {
    const issuer *is;
    const certificate_row *c;
    const buf *pdf;
    const char *sha256;
    const char *pdf_url;
} issued_write;

static int write_issued(db *d, void *ctx, err *e)
{
    const issued_write *w = ctx;
    const certificate_row *c = w->c;
    const char *vars[] = {"number", c->number, "pdf_url", w->pdf_url, NULL};
    application_row row;
    char mobile[16];
    if (applications_find(d, c->application_id, &row, e) != 1 ||
        applications_mobile(d, c->application_id, mobile, sizeof mobile, e) != 1)
        return -1;
    snprintf(row.status, sizeof row.status, "issued");
    return certificates_store_pdf(d, c->number, w->pdf->data, w->pdf->len, w->sha256, e) == 0 &&
                   applications_update(d, &row, e) == 0 &&
                   application_events_append(d, c->application_id, "issued", time(NULL), c->number, e) == 0 &&
                   queue_sms(w->is, d, SMS_ISSUED, c->number, c->application_id, mobile, vars, e) == 0
               ? 0
               : -1;
}

/* Second write: the PDF, the application issued, and the SMS with the download link. */
static int store_issued(const issuer *is, const certificate_row *c, const buf *pdf, err *e)
{
    char sha[SHA256_HEX_LEN + 1];
    hash_sha256_hex(pdf->data, pdf->len, sha);
    buf pdf_url = BUF_INIT;
    links_pdf_url(&pdf_url, is->cfg->public_base_url, c->number, c->code);
    issued_write w = {is, c, pdf, sha, buf_cstr(&pdf_url)};
    int rc = store_write(is->store, write_issued, &w, e);
    buf_free(&pdf_url);
    return rc;
}

static int complete(const issuer *is, const certificate_row *c, err *e)
{
    buf pdf = BUF_INIT;
    int rc = render(is, c, &pdf, e) == 0 && store_issued(is, c, &pdf, e) == 0 ? 0 : -1;
    buf_free(&pdf);
    return rc;
}

/* Records a new application against its billing record: rejected, or numbered, rendered and issued. */
static int process_new(const issuer *is, db *d, application_row *row, const application *a, submit_outcome *outcome, err *e)
{
    billing_record rec;
    int found = subscribers_find(d, a->subscriber_code, &rec, e);
    if (found < 0)
        return -1;
    application_match match = found ? application_check_owner(a, &rec) : MATCH_OK;
    if (!found || match != MATCH_OK) {
        if (found)
            billing_record_free(&rec);
        *outcome = found ? SUBMIT_MISMATCH : SUBMIT_NOT_FOUND;
        return record_rejection(is, row, a, *outcome, e);
    }
    row->has_debt = 1;
    row->debt_qepik = rec.debt_qepik;
    row->debt_as_of = rec.as_of;
    certificate_row c;
    certificate_of(is, row, &rec, &c);
    billing_record_free(&rec);
    *outcome = SUBMIT_ISSUED;
    if (record_and_number(is, row, a, &c, e) != 0)
        return -1;
    return complete(is, &c, e);
}

int issuing_submit(const issuer *is, long long key_id, const application *a, const char *request_sha256,
                   submit_outcome *outcome, char app_id[32], err *e)
{
    db *d = store_db(is->store, e);
    if (d == NULL)
        return -1;
    int replay = find_replay(d, key_id, a, request_sha256, outcome, app_id, e);
    if (replay != 0)
        return replay < 0 ? -1 : 0;
    application_row row = row_of(a, key_id, request_sha256, time(NULL));
    snprintf(app_id, 32, "%s", row.id);
    if (process_new(is, d, &row, a, outcome, e) == 0)
        return 0;
    /* A concurrent request with the same reference may have won the insert: answer as a replay. */
    if (e->code == STORE_ERR_CONSTRAINT && find_replay(d, key_id, a, request_sha256, outcome, app_id, e) == 1)
        return 0;
    return -1;
}

typedef struct pending_list {
    certificate_row *rows;
    size_t count, cap;
} pending_list;

static void collect_pending(const certificate_row *c, void *ctx)
{
    pending_list *list = ctx;
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        certificate_row *rows = realloc(list->rows, cap * sizeof *rows);
        if (rows == NULL)
            return;
        list->rows = rows;
        list->cap = cap;
    }
    list->rows[list->count++] = *c;
}

int issuing_resume(const issuer *is, err *e)
{
    db *d = store_db(is->store, e);
    pending_list list = {0};
    if (d == NULL || certificates_each_pending(d, collect_pending, &list, e) != 0) {
        free(list.rows);
        return -1;
    }
    int completed = 0;
    for (size_t i = 0; i < list.count && completed >= 0; i++)
        completed = complete(is, &list.rows[i], e) == 0 ? completed + 1 : -1;
    free(list.rows);
    return completed;
}
