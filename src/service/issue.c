/* The application workflow. Two short durable writes frame the PDF work: the first records the application
   and takes the certificate number, the second stores the signed PDF, the history and the SMS notice.
   Rendering and signing run between them, outside the database's write lock; the writes of concurrent requests
   share one commit (store_write). A document that cannot be made voids its number and fails the application,
   so one bad record never holds up the others or the next start. */
#include "service/issue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/codes.h"
#include "core/log.h"
#include "crypto/hash.h"
#include "model/links.h"
#include "service/history.h"
#include "service/ltv_keeper.h"
#include "service/tlog_append.h"
#include "store/applications.h"
#include "store/certificates.h"
#include "store/outbox.h"
#include "store/subscribers.h"

#define DAY_SECONDS (24 * 60 * 60)
#define REPLAY_WAIT_MS 3000
#define REPLAY_POLL_MS 20

static applicant_data applicant_of(const application *a)
{
    return (applicant_data){a->fin,      a->full_name, a->birth_date, a->id_document, a->address,
                            a->org_voen[0] ? a->org_voen : NULL, a->org_name, a->mobile, a->email};
}

static application_row row_of(const application *a, long long key_id, const char *request_sha256, time_t now)
{
    application_row row = {0};
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

/* Appends step to the history of the application row, at the time it was submitted. */
static int append_step(db *d, const application_row *row, history_step step, const char *detail, err *e)
{
    return history_append_step(d, row->id, step, row->submitted_at, detail, e);
}

typedef struct rejection_write {
    const issuer *is;
    const application_row *row;
    const application *a;
} rejection_write;

/* The rows of a rejected application: the application, its history and its SMS notice. */
static int write_rejected_application(db *d, void *ctx, err *e)
{
    const rejection_write *w = ctx;
    applicant_data who = applicant_of(w->a);
    const char *vars[] = {"subscriber_code", w->a->subscriber_code, NULL};
    char reference[64];
    snprintf(reference, sizeof reference, "%s-rejected", w->row->id);
    return applications_insert(d, w->row, &who, e) == 0 && append_step(d, w->row, HISTORY_RECEIVED, NULL, e) == 0 &&
                   append_step(d, w->row, HISTORY_REJECTED, application_rejection_name(w->row->rejection), e) == 0 &&
                   queue_sms(w->is, d, w->row->rejection == REJECTION_SUBSCRIBER_NOT_FOUND ? SMS_REJECTED_NOT_FOUND
                                                                                           : SMS_REJECTED_MISMATCH,
                             reference, w->row->id, w->a->mobile, vars, e) == 0
               ? 0
               : -1;
}

/* The portal event of a rejection. */
static int write_rejection_event(db *d, void *ctx, err *e)
{
    const rejection_write *w = ctx;
    return history_raise_event(d, w->row, w->row->id, HISTORY_REJECTED, w->row->submitted_at, NULL, e);
}

/* Records a rejected application (history: received, rejected) and its SMS notice in one durable write. */
static int record_rejection(const issuer *is, application_row *row, const application *a, application_rejection why,
                            err *e)
{
    row->status = APPLICATION_REJECTED;
    row->rejection = why;
    rejection_write w = {is, row, a};
    return store_write_parts(is->store, write_rejected_application, write_rejection_event, &w, e);
}

/* Copies text into a buffer of size bytes, or fails naming what did not fit (never cuts it). */
static int copy_checked(char *dst, size_t size, const char *text, const char *what, err *e)
{
    size_t n = strlen(text);
    if (n >= size)
        return err_set(e, ERR_TOO_LONG, "the billing record's %s (%zu bytes) is longer than a certificate holds (%zu)", what, n,
                       size - 1);
    memcpy(dst, text, n + 1);
    return 0;
}

/* Fills c from the application and its billing record. Fails (e set) when a text of the record is longer than the
   validated maximum, which only a record written around the validation can be. */
static int certificate_of(const issuer *is, const application_row *row, const billing_record *rec, certificate_row *c,
                          err *e)
{
    memset(c, 0, sizeof *c);
    memcpy(c->application_id, row->id, sizeof c->application_id);
    if (codes_new_verification_code(c->code) != 0)
        return err_set(e, ERR_RANDOM, "no randomness for the verification code");
    c->issued_at = row->submitted_at;
    c->valid_until = row->submitted_at + (time_t)is->cfg->validity_days * DAY_SECONDS;
    c->non_residential = rec->non_residential;
    c->debt_qepik = rec->debt_qepik;
    c->debt_as_of = rec->as_of;
    return copy_checked(c->subscriber_code, sizeof c->subscriber_code, rec->subscriber_code, "subscriber_code", e) != 0 ||
                   copy_checked(c->holder, sizeof c->holder, rec->holder_name, "holder_name", e) != 0 ||
                   copy_checked(c->address, sizeof c->address, rec->address ? rec->address : "", "address", e) != 0 ||
                   copy_checked(c->voen, sizeof c->voen, rec->non_residential ? rec->owner_voen : "", "owner_voen", e) != 0
               ? -1
               : 0;
}

/* When a claim taken at `from` runs out: the time a request needs, beyond its wait for the TSA. */
static time_t claim_end(const config *cfg, time_t from)
{
    return from + ISSUE_CLAIM_S + (cfg->tsa_timeout_ms + 999) / 1000;
}

typedef struct new_application {
    const config *cfg;
    const application_row *row;
    const application *a;
    certificate_row *c;              /* its certificate, to be numbered; NULL when it fails at once */
} new_application;

/* The rows of a new application whose billing record matches: the application and its history (received,
   debt_checked, and failed when it has no certificate to number). */
static int write_new_application(db *d, void *ctx, err *e)
{
    const new_application *w = ctx;
    applicant_data who = applicant_of(w->a);
    if (applications_insert(d, w->row, &who, e) != 0 ||
        history_record_checked(d, w->row->id, w->row->submitted_at, e) != 0)
        return -1;
    return w->c != NULL ? 0 : history_append_step(d, w->row->id, HISTORY_FAILED, time(NULL), NULL, e);
}

/* The certificate number of a new application, in the write order. */
static int write_number(db *d, void *ctx, err *e)
{
    const new_application *w = ctx;
    return certificates_reserve(d, w->c, claim_end(w->cfg, w->c->issued_at), e);
}

/* First write: the application as debt_checked, its history so far, and the certificate number. */
static int record_and_number(const issuer *is, application_row *row, const application *a, certificate_row *c, err *e)
{
    row->status = APPLICATION_DEBT_CHECKED;
    new_application w = {is->cfg, row, a, c};
    return store_write_parts(is->store, write_new_application, write_number, &w, e);
}

/* Renders and signs c's document, whose QR code leads to verify_url, into pdf, and sets *level to what its
   signature reaches: B-LT with a TSA and fresh validation data, B-T with a TSA alone, or B-B without one or (when
   the operator allows it) while it is away. */
static int render(const issuer *is, const certificate_row *c, const char *verify_url, buf *pdf, signature_level *level,
                  err *e)
{
    cert_doc doc = {
        .number = c->number, .verification_code = c->code, .issued_at = c->issued_at,
        .valid_until = c->valid_until, .non_residential = c->non_residential,
        .subscriber_code = c->subscriber_code, .holder_name = c->holder,
        .organization_name = c->non_residential ? c->holder : NULL, .voen = c->voen,
        .address = c->address, .debt_qepik = c->debt_qepik, .debt_as_of = c->debt_as_of,
        .verify_url = verify_url, .public_base_url = is->cfg->public_base_url,
    };
    *level = is->tsa ? SIGNATURE_B_T : SIGNATURE_B_B;
    ltv_set *ltv = is->ltv ? ltv_keeper_current(is->ltv) : NULL;
    if (is->ltv && ltv == NULL) {
        if (is->cfg->tsa_required) /* the responders are away: the number stays reserved, as for the TSA */
            return err_set(e, ERR_UNAVAILABLE, "no fresh OCSP answers for the validation data");
        log_printf(LOG_WARN, "validation_data_skipped", "%s issued without validation data (B-T)", c->number);
    }
    int rc = pdf_render_certificate_ltv(is->renderer, is->signer, is->tsa, ltv, &doc, pdf, e);
    if (rc == 0 && ltv != NULL)
        *level = SIGNATURE_B_LT;
    ltv_release(ltv);
    if (rc == 0)
        return 0;
    if (is->tsa == NULL || e->code != ERR_UNAVAILABLE || is->cfg->tsa_required)
        return -1;
    /* the operator accepts B-B documents while the TSA is away */
    log_printf(LOG_WARN, "timestamp_skipped", "%s issued without a signature timestamp (B-B): %s", c->number, e->msg);
    pdf->len = 0;
    *level = SIGNATURE_B_B;
    return pdf_render_certificate(is->renderer, is->signer, &doc, pdf, e);
}

typedef struct issued_write {
    const struct tlog_appender *log;
    const certificate_row *c;        /* with the document's hash and signature level */
    const buf *pdf;
    application_row *row;            /* the application as read before the write; its status becomes issued */
    const char *mobile;
    const char *sms_text;
    time_t at;
} issued_write;

/* The rows of an issued document: the PDF, the issued step of the history and the SMS notice. */
static int write_issued_rows(db *d, void *ctx, err *e)
{
    const issued_write *w = ctx;
    const certificate_row *c = w->c;
    return certificates_put_document(d, c->number, w->pdf->data, w->pdf->len, e) == 0 &&
                   history_append_step(d, c->application_id, HISTORY_ISSUED, w->at, c->number, e) == 0 &&
                   outbox_enqueue(d, c->number, c->application_id, w->mobile, w->sms_text, w->at, e) == 0
               ? 0
               : -1;
}

/* In the write order: the number stored (refused unless pending), its log entry, the application issued and its
   portal event. */
static int write_issued(db *d, void *ctx, err *e)
{
    const issued_write *w = ctx;
    const certificate_row *c = w->c;
    w->row->status = APPLICATION_ISSUED;
    return certificates_mark_stored(d, c->number, c->sha256, c->level, e) == 0 &&
                   tlog_append_issuance(d, w->log, c->number, c->sha256, c->issued_at, c->valid_until, e) == 0 &&
                   applications_update(d, w->row, e) == 0 &&
                   history_raise_event(d, w->row, c->application_id, HISTORY_ISSUED, w->at, c->number, e) == 0
               ? 0
               : -1;
}

/* What the second write needs of the application: its row as read before the write (the status becomes issued) and
   the mobile number its SMS goes to; and what it left: when the application was issued. */
typedef struct application_known {
    application_row row;
    char mobile[16];
    time_t issued_at;
} application_known;

/* Reads what the second write needs of c's application, for a certificate resumed without its request. Returns 0,
   or -1 with e set. */
static int read_known(db *d, const certificate_row *c, application_known *known, err *e)
{
    int found = applications_find(d, c->application_id, &known->row, e);
    if (found == 1)
        found = applications_mobile(d, c->application_id, known->mobile, sizeof known->mobile, e);
    if (found == 0)
        err_set(e, ERR_CONFLICT, "certificate %s has no application", c->number);
    return found == 1 ? 0 : -1;
}

/* Second write: the PDF, its transparency log entry, the application issued, and the SMS with the download link.
   What the write needs from the application is known by the request that numbered it, else read before the write,
   outside the write lock: only this request changes a debt_checked application whose certificate it completes; the
   SMS text is rendered there too. Once stored, c holds the document's hash and level and is issued. */
static int store_issued(const issuer *is, certificate_row *c, const buf *pdf, signature_level level,
                        application_known *known, err *e)
{
    _Static_assert(sizeof c->sha256 == SHA256_HEX_LEN + 1, "the hash is written whole");
    hash_sha256_hex(pdf->data, pdf->len, c->sha256);
    c->level = level;
    buf pdf_url = BUF_INIT, text = BUF_INIT;
    int rc = -1;
    if (links_pdf_url(&pdf_url, is->cfg->public_base_url, c->number, c->code) != 0) {
        err_set(e, ERR_NOMEM, "out of memory for the link of %s", c->number);
        goto out;
    }
    const char *vars[] = {"number", c->number, "pdf_url", buf_cstr(&pdf_url), NULL};
    if (sms_messages_render(is->messages, SMS_ISSUED, vars, &text, e) != 0)
        goto out;
    issued_write w = {is->log, c, pdf, &known->row, known->mobile, buf_cstr(&text), time(NULL)};
    rc = store_write_parts(is->store, write_issued_rows, write_issued, &w, e);
    if (rc == 0) {
        c->state = CERTIFICATE_ISSUED;
        known->issued_at = w.at;
    }
out:
    buf_free(&pdf_url);
    buf_free(&text);
    return rc;
}

typedef struct void_write {
    const char *application_id;
    const char *number;              /* the certificate to void */
    const char *reason;
} void_write;

static int write_void(db *d, void *ctx, err *e)
{
    const void_write *w = ctx;
    time_t now = time(NULL);
    application_row row;
    int found = applications_find(d, w->application_id, &row, e);
    if (found == 0)
        return err_set(e, ERR_CONFLICT, "certificate %s has no application", w->number);
    row.status = APPLICATION_FAILED;
    return found == 1 && certificates_void(d, w->number, now, w->reason, e) >= 0 &&
                   applications_update(d, &row, e) == 0 &&
                   history_record(d, &row, w->application_id, HISTORY_FAILED, now, w->number, NULL, e) == 0
               ? 0
               : -1;
}

/* Voids a numbered certificate whose document could not be made (reason: why, no personal data) and marks its
   application failed, in one durable write. */
static int record_void(const issuer *is, const char *number, const char *application_id, const char *reason, err *e)
{
    void_write w = {application_id, number, reason};
    return store_write(is->store, write_void, &w, e);
}

/* Renders, signs and stores c. Returns 0 issued, 1 when its document could not be made (c is now void and its
   application failed; e holds the reason), -1 on a storage error, out of memory or a required TSA that gave no
   token (ERR_UNAVAILABLE): c stays pending for a replay of its application or issuing_resume. */
static int write_release(db *d, void *ctx, err *e)
{
    return certificates_release(d, ctx, e);
}

/* Gives up this process's claim on number; when that cannot be stored, the claim runs out by itself. */
static void release_claim(const issuer *is, const char *number)
{
    err e = {0};
    if (store_write(is->store, write_release, (void *)number, &e) != 0)
        log_printf(LOG_WARN, "claim_kept", "certificate %s: %s", number, e.msg);
}

static int complete(const issuer *is, certificate_row *c, application_known *known, err *e)
{
    buf pdf = BUF_INIT, verify_url = BUF_INIT;
    int rc = -1;
    if (links_verify_url(&verify_url, is->cfg->public_base_url, c->number, c->code) != 0) {
        err_set(e, ERR_NOMEM, "out of memory for the link of %s", c->number);
        goto out;
    }
    signature_level level;
    if (render(is, c, buf_cstr(&verify_url), &pdf, &level, e) == 0) {
        rc = store_issued(is, c, &pdf, level, known, e);
        goto out;
    }
    if (e->code == ERR_UNAVAILABLE) { /* the TSA is away: the number stays reserved for a retry, by anyone */
        release_claim(is, c->number);
        goto out;
    }
    err why = *e;
    rc = record_void(is, c->number, c->application_id, why.msg, e) == 0 ? 1 : -1;
    if (rc == 1)
        *e = why;
out:
    buf_free(&pdf);
    buf_free(&verify_url);
    return rc;
}

/* What the portal is shown of an application this request has just issued, as its two writes stored it (the
   history they recorded: received and debt_checked at submission, issued when the document was stored). Returns 0,
   or -1 (out of memory) with e set. */
static int issued_details(const application_known *known, const certificate_row *c, application_details *out, err *e)
{
    *out = (application_details){.application = known->row, .has_certificate = 1, .certificate = *c};
    out->certificate.log_index = out->certificate.revocation_log_index = -1; /* not looked up, as when read */
    time_t submitted = known->row.submitted_at;
    if (application_history_add(&out->history, history_step_name(HISTORY_RECEIVED), submitted) == 0 &&
        application_history_add(&out->history, history_step_name(HISTORY_DEBT_CHECKED), submitted) == 0 &&
        application_history_add(&out->history, history_step_name(HISTORY_ISSUED), known->issued_at) == 0)
        return 0;
    application_details_free(out);
    *out = (application_details){0};
    return err_set(e, ERR_NOMEM, "out of memory for the answer about %s", known->row.id);
}

/* Records a new application whose billing record matches: failed when the record cannot go on a certificate,
   otherwise numbered, rendered and issued (or voided). Once issued, fills *issued when it is not NULL. */
static int issue_billed(const issuer *is, application_row *row, const application *a, const billing_record *rec,
                        submit_outcome *outcome, application_details *issued, err *e)
{
    row->has_debt = 1;
    row->debt_qepik = rec->debt_qepik;
    row->debt_as_of = rec->as_of;
    certificate_row c;
    if (certificate_of(is, row, rec, &c, e) != 0) {
        /* nothing numbered yet: the application alone is recorded, failed */
        row->status = APPLICATION_FAILED;
        new_application w = {is->cfg, row, a, NULL};
        *outcome = SUBMIT_FAILED;
        return store_write_parts(is->store, write_new_application, NULL, &w, e);
    }
    if (record_and_number(is, row, a, &c, e) != 0)
        return -1;
    application_known known = {.row = *row};
    snprintf(known.mobile, sizeof known.mobile, "%s", a->mobile);
    int done = complete(is, &c, &known, e);
    *outcome = done == 1 ? SUBMIT_VOIDED : SUBMIT_ISSUED;
    if (done == 0 && issued != NULL)
        return issued_details(&known, &c, issued, e);
    return done < 0 ? -1 : 0;
}

/* Records a new application against its billing record (billing: its lookup, sent ahead): rejected, failed, or
   numbered, rendered and issued (then filling *issued when it is not NULL). */
static int process_new(const issuer *is, stmt *billing, application_row *row, const application *a,
                       submit_outcome *outcome, application_details *issued, err *e)
{
    billing_record rec;
    int found = subscribers_read(billing, a->subscriber_code, &rec, e);
    if (found < 0)
        return -1;
    if (found == 0) {
        *outcome = SUBMIT_NOT_FOUND;
        return record_rejection(is, row, a, REJECTION_SUBSCRIBER_NOT_FOUND, e);
    }
    int rc;
    if (application_check_owner(a, &rec) == MATCH_OK) {
        rc = issue_billed(is, row, a, &rec, outcome, issued, e);
    } else {
        *outcome = SUBMIT_MISMATCH;
        rc = record_rejection(is, row, a, REJECTION_SUBSCRIBER_MISMATCH, e);
    }
    billing_record_free(&rec);
    return rc;
}

static int complete_replayed(const issuer *is, db *d, const char *app_id, err *e);

int issuing_submit(const issuer *is, long long key_id, const application *a, const char *request_sha256,
                   submit_outcome *outcome, char app_id[32], application_details *issued, err *e)
{
    db *d = store_db(is->store, e);
    /* the billing record is asked for with the earlier application, in one round trip */
    stmt *billing = d != NULL ? subscribers_find_ahead(d, a->subscriber_code, e) : NULL;
    if (billing == NULL)
        return -1;
    int replay = find_replay(d, key_id, a, request_sha256, outcome, app_id, e);
    if (replay == 1 && *outcome == SUBMIT_REPLAYED)
        return complete_replayed(is, d, app_id, e);
    if (replay != 0)
        return replay < 0 ? -1 : 0;
    if (!signer_ready(is->signer, e))
        return -1; /* a signing token that is down: nothing is recorded, the portal retries later */
    application_row row = row_of(a, key_id, request_sha256, time(NULL));
    if (codes_new_application_id(row.id) != 0)
        return err_set(e, ERR_RANDOM, "no randomness for the application id");
    snprintf(app_id, 32, "%s", row.id);
    if (process_new(is, billing, &row, a, outcome, issued, e) == 0)
        return 0;
    /* A concurrent request with the same reference may have won the insert: answer as a replay. */
    if (e->code == ERR_CONFLICT && find_replay(d, key_id, a, request_sha256, outcome, app_id, e) == 1)
        return *outcome == SUBMIT_REPLAYED ? complete_replayed(is, d, app_id, e) : 0;
    return -1;
}

typedef struct pending_certificate {
    char *number, *application_id;   /* owned */
} pending_certificate;

typedef struct pending_list {
    pending_certificate *items;
    size_t count, cap;
    int out_of_memory;
} pending_list;

static void collect_pending(const char *number, const char *application_id, void *ctx)
{
    pending_list *list = ctx;
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        pending_certificate *items = realloc(list->items, cap * sizeof *items);
        if (items == NULL) {
            list->out_of_memory = 1;
            return;
        }
        list->items = items;
        list->cap = cap;
    }
    pending_certificate p = {strdup(number), strdup(application_id)};
    if (p.number == NULL || p.application_id == NULL) {
        free(p.number);
        free(p.application_id);
        list->out_of_memory = 1;
        return;
    }
    list->items[list->count++] = p;
}

static void pending_free(pending_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].number);
        free(list->items[i].application_id);
    }
    free(list->items);
}

typedef struct claim_write {
    const config *cfg;
    const char *number;
    time_t unclaimed_at;
    int claimed;
} claim_write;

static int write_claim(db *d, void *ctx, err *e)
{
    claim_write *w = ctx;
    time_t now = time(NULL);
    w->claimed = certificates_claim(d, w->number, w->unclaimed_at, claim_end(w->cfg, now), e);
    return w->claimed < 0 ? -1 : 0;
}

/* Claims, then issues or voids one pending certificate; a claim of another process that lasts past unclaimed_at is
   left alone. Returns 0 issued, 1 void, 2 claimed by another (or completed meanwhile), -1 left pending (storage
   error, e set). */
static int resume_one(const issuer *is, db *d, const pending_certificate *p, time_t unclaimed_at, err *e)
{
    claim_write claim = {is->cfg, p->number, unclaimed_at, 0};
    if (store_write(is->store, write_claim, &claim, e) != 0)
        return -1;
    if (!claim.claimed)
        return 2;
    certificate_row c;
    application_known known;
    int found = certificates_find(d, p->number, &c, e);
    if (found == 1)
        return read_known(d, &c, &known, e) == 0 ? complete(is, &c, &known, e) : -1;
    if (found == 0)
        return err_set(e, ERR_CONFLICT, "pending certificate %s vanished", p->number);
    if (e->code != ERR_TOO_LONG)
        return -1;
    err why = *e;
    return record_void(is, p->number, p->application_id, why.msg, e) == 0 ? 1 : -1;
}

/* Waits up to REPLAY_WAIT_MS for the request that holds the claim on pending certificate number to store or void
   it (it takes milliseconds), so that a replay racing its original answers as the original does. Returns 1 when it
   did, 0 when it is still pending or cannot be read. */
static int wait_completed(db *d, const char *number, err *e)
{
    for (int waited = 0; waited < REPLAY_WAIT_MS; waited += REPLAY_POLL_MS) {
        certificate_row c;
        if (certificates_find(d, number, &c, e) != 1)
            return 0;
        if (c.state != CERTIFICATE_PENDING)
            return 1;
        struct timespec pause = {0, REPLAY_POLL_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
    return 0;
}

/* Completes the certificate of the replayed application app_id when an earlier attempt left it pending (its TSA was
   away). Returns 0 (nothing pending, issued or void: the stored application says which), -1 with e set when it is
   still pending or storage failed. */
static int complete_replayed(const issuer *is, db *d, const char *app_id, err *e)
{
    pending_list list = {0};
    int rc = -1;
    if (certificates_each_pending(d, time(NULL) + 1, ISSUE_ANY_CLAIM, collect_pending, &list, e) != 0)
        goto out;
    if (list.out_of_memory) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
    for (size_t i = 0; rc == 0 && i < list.count; i++) {
        if (strcmp(list.items[i].application_id, app_id) != 0)
            continue;
        int done = resume_one(is, d, &list.items[i], time(NULL), e);
        if (done == 2 && !wait_completed(d, list.items[i].number, e)) {
            err_set(e, ERR_UNAVAILABLE, "certificate %s is being completed by another request", list.items[i].number);
            done = -1;
        }
        rc = done < 0 ? -1 : 0;
    }
out:
    pending_free(&list);
    return rc;
}

int issuing_resume(const issuer *is, time_t unclaimed_at, issuing_resumed *out, err *e)
{
    db *d = store_db(is->store, e);
    pending_list list = {0};
    int rc = -1;
    *out = (issuing_resumed){0, 0, 0};
    if (d == NULL || certificates_each_pending(d, time(NULL) + 1, unclaimed_at, collect_pending, &list, e) != 0)
        goto out;
    if (list.out_of_memory) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < list.count; i++) {
        err one = {0};
        int done = resume_one(is, d, &list.items[i], unclaimed_at, &one);
        if (done < 0)
            *e = one;
        out->issued += done == 0;
        out->voided += done == 1;
        out->left += done < 0;
    }
    rc = 0;
out:
    pending_free(&list);
    return rc;
}
