/* Public verification handlers. Nothing here shows a FIN, VÖEN of a person, birth date, phone or e-mail. */
#include "api/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/app.h"
#include "api/respond.h"
#include "api/views.h"
#include "api/web.h"
#include "core/money.h"
#include "core/placeholders.h"
#include "core/timeutil.h"
#include "crypto/keyring.h"
#include "http/form.h"
#include "model/vcode.h"
#include "service/tlog.h"
#include "service/verification.h"

static int wants_json(const http_request *req)
{
    const char *accept = http_request_header(req, "Accept");
    return accept && strstr(accept, "application/json") != NULL;
}

static json_t *verify_json(const certificate_row *c, certificate_status status)
{
    char issued[TIME_TEXT_MAX], until[TIME_TEXT_MAX], revoked[TIME_TEXT_MAX];
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s?, s:s?}", "status", certificate_status_name(status),
                     "number", c->number,
                     "issued_at", time_format_rfc3339(c->issued_at, issued), "valid_until",
                     time_format_rfc3339(c->valid_until, until), "subscriber_type",
                     c->non_residential ? "non_residential" : "residential", "subscriber_code", c->subscriber_code,
                     "holder", c->holder, "debt", view_debt(c->debt_qepik, c->debt_as_of), "sha256", c->sha256,
                     "signature_level", signature_level_name(c->level), "revoked_at", c->revoked_at ? time_format_rfc3339(c->revoked_at, revoked) : NULL,
                     "revocation_reason", c->revoked_at ? c->revocation_reason : NULL);
    if (v != NULL && c->log_index >= 0)
        json_object_set_new(v, "log_index", json_integer(c->log_index));
    if (v != NULL && c->revocation_log_index >= 0)
        json_object_set_new(v, "revocation_log_index", json_integer(c->revocation_log_index));
    return v;
}

/* Wraps content (already HTML) in the page shell and answers with status. The language switch leads to
   the same certificate page when one was found (same_page), else to the form, so that every "not found"
   answer is byte-identical. */
static void answer_page(app *a, const http_request *req, web_lang lang, const char *content, int status, int same_page,
                        http_response *res)
{
    buf href = BUF_INIT, page = BUF_INIT;
    err e = {0};
    char code[VCODE_LEN + 1];
    const char *other = lang == LANG_EN ? "az" : "en";
    int rc = same_page && vcode_normalize(http_request_query(req, "code"), code) == 0
                 ? buf_printf(&href, "%s?code=%s&lang=%s", req->path, code, other)
                 : buf_printf(&href, "/v?lang=%s", other);
    buf escaped_href = BUF_INIT;
    if (rc != 0 || web_escape(&escaped_href, buf_cstr(&href)) != 0)
        rc = err_set(&e, ERR_NOMEM, "out of memory for the page");
    const char *vars[] = {"content", content, "lang_switch_href", buf_cstr(&escaped_href), "other_lang",
                          lang == LANG_EN ? "az" : "en", NULL};
    if (rc != 0 || web_render(a->web, lang, WEB_PAGE, vars, &page, &e) != 0) {
        api_fail(req, res, &e);
    } else {
        res->status = status;
        res->content_type = "text/html; charset=utf-8";
        res->body = page;
        page = (buf)BUF_INIT;
        web_security_headers(res);
    }
    buf_free(&page);
    buf_free(&href);
    buf_free(&escaped_href);
}

/* The finding sentence (debt or no debt, as of its date) into out. Returns 0, or -1 with e set. */
static int finding_text(const web_pages *w, web_lang lang, const certificate_row *c, buf *out, err *e)
{
    char date[TIME_TEXT_MAX], amount[MONEY_TEXT_MAX];
    const char *vars[] = {"date", time_format_az_date(c->debt_as_of, date), "amount", money_format_az(c->debt_qepik, amount), NULL};
    return placeholders_expand(web_text(w, lang, c->debt_qepik > 0 ? "t_debt" : "t_no_debt"), vars, out, e);
}

/* The line saying where the certificate is recorded in the public log ("" when it is not, or not looked up). */
static int log_line(const web_pages *w, web_lang lang, const certificate_row *c, buf *out, err *e)
{
    if (c->log_index < 0)
        return 0;
    char position[24];
    snprintf(position, sizeof position, "%lld", c->log_index);
    const char *vars[] = {"position", position, NULL};
    return buf_printf(out, "<dt>%s</dt><dd data-log-index=\"%s\">", web_text(w, lang, "t_log"), position) == 0 &&
                   placeholders_expand(web_text(w, lang, "t_log_recorded"), vars, out, e) == 0 &&
                   buf_puts(out, "</dd>") == 0
               ? 0
               : err_set(e, ERR_NOMEM, "out of memory for the page");
}

/* The verdict fragment for a found certificate. */
static int render_found(app *a, web_lang lang, const certificate_row *c, certificate_status verdict, buf *out, err *e)
{
    char issued[TIME_TEXT_MAX], until[TIME_TEXT_MAX], revoked_date[TIME_TEXT_MAX];
    char verdict_key[32], explanation_key[48];   /* "t_" and "t_…_explanation" around a status name */
    const char *status = certificate_status_name(verdict);
    snprintf(verdict_key, sizeof verdict_key, "t_%s", status);
    snprintf(explanation_key, sizeof explanation_key, "t_%s_explanation", status);
    buf holder = BUF_INIT, reason = BUF_INIT, finding = BUF_INIT, revocation = BUF_INIT, logged = BUF_INIT;
    int rc = web_escape(&holder, c->holder) == 0 && web_escape(&reason, c->revocation_reason) == 0
                 ? finding_text(a->web, lang, c, &finding, e)
                 : err_set(e, ERR_NOMEM, "out of memory for the page");
    if (rc == 0)
        rc = log_line(a->web, lang, c, &logged, e);
    const char *revoked_vars[] = {"revoked_date", time_format_az_date(c->revoked_at, revoked_date), "revocation_reason",
                                  buf_cstr(&reason), NULL};
    if (rc == 0 && c->revoked_at)
        rc = web_render(a->web, lang, WEB_REVOKED, revoked_vars, &revocation, e);
    const char *vars[] = {"status", status, "verdict", web_text(a->web, lang, verdict_key), "explanation",
                          web_text(a->web, lang, explanation_key), "number", c->number, "issued_date",
                          time_format_az_date(c->issued_at, issued), "valid_until_date",
                          time_format_az_date(c->valid_until, until), "revocation", buf_cstr(&revocation),
                          "subscriber_type", web_text(a->web, lang, c->non_residential ? "t_non_residential" : "t_residential"),
                          "subscriber_code", c->subscriber_code, "holder", buf_cstr(&holder), "finding", buf_cstr(&finding),
                          "sha256", c->sha256, "log", buf_cstr(&logged), "level", signature_level_name(c->level), "level_note",
                          web_text(a->web, lang, c->level != SIGNATURE_B_B ? "t_level_timestamped" : "t_level_untimestamped"),
                          NULL};
    if (rc == 0)
        rc = web_render(a->web, lang, WEB_FOUND, vars, out, e);
    buf_free(&holder);
    buf_free(&reason);
    buf_free(&finding);
    buf_free(&revocation);
    buf_free(&logged);
    return rc;
}

static int render_missing(app *a, web_lang lang, buf *out, err *e)
{
    buf form = BUF_INIT;
    const char *none[] = {NULL};
    int rc = web_render(a->web, lang, WEB_FORM, none, &form, e);
    const char *vars[] = {"form", buf_cstr(&form), NULL};
    if (rc == 0)
        rc = web_render(a->web, lang, WEB_MISSING, vars, out, e);
    buf_free(&form);
    return rc;
}

/* The answer to a code check, once read: JSON or the page in the asked language. */
static void answer_check(app *a, http_request *req, int found, const certificate_row *c, certificate_status status,
                         err *e, http_response *res)
{
    if (found < 0) {
        api_fail(req, res, e);
        return;
    }
    if (wants_json(req)) {
        api_json(res, found ? 200 : 404, found ? verify_json(c, status) : json_pack("{s:s}", "status", "not_found"));
        web_security_headers(res);
        return;
    }
    web_lang lang = web_lang_from(http_request_query(req, "lang"));
    buf content = BUF_INIT;
    if ((found ? render_found(a, lang, c, status, &content, e) : render_missing(a, lang, &content, e)) != 0)
        api_fail(req, res, e);
    else
        answer_page(a, req, lang, buf_cstr(&content), found ? 200 : 404, found, res);
    buf_free(&content);
}

/* A code check whose read is shared with others: the request waits parked, not on its event loop. */
typedef struct parked_check {
    http_wait wait;
    app *a;
    const char *number, *code;      /* the request's: valid while it is parked */
    code_check check;
} parked_check;

static void parked_check_read(void *owner)
{
    parked_check *p = owner;
    http_wait_over(&p->wait);
}

static void parked_check_start(http_wait *w)
{
    parked_check *p = w->owner;
    verification_begin(p->a->svc, p->number, p->code, &p->check, parked_check_read, p);
}

static void parked_check_finish(http_wait *w, http_request *req, http_response *res)
{
    parked_check *p = w->owner;
    certificate_status status = CERTIFICATE_VALID;
    err e = {0};
    int found = verification_end(&p->check, &status, &e);
    answer_check(p->a, req, found, &p->check.row, status, &e, res);
    free(p);
}

void verify_page(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    const char *code = http_request_query(req, "code");
    if (verification_waits(a->svc)) {
        parked_check *p = malloc(sizeof *p);
        if (p == NULL) {
            err e = {0};
            err_set(&e, ERR_NOMEM, "out of memory");
            api_fail(req, res, &e);
            return;
        }
        *p = (parked_check){
            .wait = {parked_check_start, parked_check_finish, p, NULL}, .a = a, .number = req->params[0], .code = code};
        http_response_wait(res, &p->wait);
        return;
    }
    certificate_row c;
    certificate_status status = CERTIFICATE_VALID;
    err e = {0};
    int found = verification_by_code(a->svc, req->params[0], code, &c, &status, &e);
    answer_check(a, req, found, &c, status, &e, res);
}

void verify_form(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    web_lang lang = web_lang_from(http_request_query(req, "lang"));
    const char *number = http_request_query(req, "number"), *code = http_request_query(req, "code");
    char canonical[VCODE_LEN + 1], trimmed[32];
    int year;
    long seq;
    if (number && code) {
        const char *start = number + strspn(number, " ");
        snprintf(trimmed, sizeof trimmed, "%.*s", (int)strcspn(start, " "), start);
        for (char *p = trimmed; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        if (vcode_parse_number(trimmed, &year, &seq) == 0 && vcode_normalize(code, canonical) == 0) {
            char location[128];
            snprintf(location, sizeof location, "/v/%s?code=%s%s", trimmed, canonical, lang == LANG_EN ? "&lang=en" : "");
            res->status = 303;
            http_response_header(res, "Location", location);
            web_security_headers(res);
            return;
        }
    }
    buf content = BUF_INIT;
    err e = {0};
    int rc = number && code ? render_missing(a, lang, &content, &e) : web_render(a->web, lang, WEB_FORM, (const char *[]){NULL}, &content, &e);
    if (rc != 0)
        api_fail(req, res, &e);
    else
        answer_page(a, req, lang, buf_cstr(&content), number && code ? 404 : 200, 0, res);
    buf_free(&content);
}

static int is_pdf_content_type(const char *ct)
{
    return ct && strncmp(ct, "application/pdf", 15) == 0 && (ct[15] == '\0' || ct[15] == ';');
}

/* What the checked file is, as one word: the registered certificate's status (valid, expired, revoked) when the
   file is genuine, else "not_genuine". A file is never called genuine without the status of its certificate. */
static const char *pdf_verdict(const pdf_verification *check)
{
    return check->genuine ? certificate_status_name(check->status) : "not_genuine";
}

static json_t *pdf_check_json(const pdf_verification *check)
{
    json_t *body = json_pack("{s:s, s:b, s:s?, s:b, s:s?, s:s?}", "verdict", pdf_verdict(check), "signature_valid",
                             check->signature_valid, "signed_by", check->signed_by[0] ? check->signed_by : NULL,
                             "registered", check->registered, "number", check->registered ? check->cert.number : NULL,
                             "status", check->registered ? certificate_status_name(check->status) : NULL);
    char stamped[TIME_TEXT_MAX], withdrawn[TIME_TEXT_MAX], document_stamped[TIME_TEXT_MAX];
    if (body != NULL)
        json_object_update_new(body, json_pack("{s:s?, s:s?, s:s?, s:{s:s, s:s?, s:s?}}", "level", check->level[0] ? check->level : NULL,
                                               "timestamped_at", check->timestamped_at ? time_format_rfc3339(check->timestamped_at, stamped) : NULL,
                                               "document_timestamped_at", check->document_timestamped_at
                                                   ? time_format_rfc3339(check->document_timestamped_at, document_stamped) : NULL,
                                               "signer_revocation", "status", check->revocation, "revoked_at",
                                               check->revoked_at ? time_format_rfc3339(check->revoked_at, withdrawn) : NULL,
                                               "reason", check->revocation_reason[0] ? check->revocation_reason : NULL));
    if (body != NULL && check->registered) {
        char issued[TIME_TEXT_MAX], until[TIME_TEXT_MAX], revoked[TIME_TEXT_MAX];
        const certificate_row *c = &check->cert;
        json_object_update_new(body, json_pack("{s:s, s:s, s:s?, s:s?}", "issued_at", time_format_rfc3339(c->issued_at, issued),
                                               "valid_until", time_format_rfc3339(c->valid_until, until), "revoked_at",
                                               c->revoked_at ? time_format_rfc3339(c->revoked_at, revoked) : NULL,
                                               "revocation_reason", c->revoked_at ? c->revocation_reason : NULL));
    }
    return body;
}

void verify_pdf_api(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    if (!is_pdf_content_type(http_request_header(req, "Content-Type"))) {
        api_error(res, 415, "unsupported_media_type", "Content-Type must be application/pdf");
        return;
    }
    pdf_verification check;
    err e = {0};
    if (verification_of_pdf(a->svc, req->body, req->body_len, &check, &e) != 0) {
        api_fail(req, res, &e);
        return;
    }
    if (!check.readable) {
        api_error(res, 400, "invalid_pdf", "the body is not a readable PDF");
        return;
    }
    api_json(res, 200, pdf_check_json(&check));
}

/* The verdict fragment of a checked file: for a genuine one exactly what /v/{number} shows (its status first),
   else the not-genuine notice. */
static int render_pdf_verdict(app *a, web_lang lang, const pdf_verification *check, buf *out, err *e)
{
    if (check->genuine)
        return render_found(a, lang, &check->cert, check->status, out, e);
    const char *vars[] = {"explanation", web_text(a->web, lang, check->readable ? "t_file_not_genuine_explanation" : "t_not_pdf"),
                          NULL};
    return web_render(a->web, lang, WEB_NOT_GENUINE, vars, out, e);
}

static void render_pdf_result(app *a, const http_request *req, web_lang lang, const pdf_verification *check,
                              http_response *res)
{
    buf signed_by = BUF_INIT, verdict = BUF_INIT, content = BUF_INIT, form = BUF_INIT, revocation = BUF_INIT;
    err e = {0};
    char stamped[TIME_TEXT_MAX], revocation_key[40], withdrawn[TIME_TEXT_MAX];
    snprintf(revocation_key, sizeof revocation_key, "t_revocation_%s", check->revocation[0] ? check->revocation : "not_checked");
    const char *timestamp = check->timestamped_at ? time_format_rfc3339(check->timestamped_at, stamped)
                                                  : web_text(a->web, lang, "t_no_timestamp");
    int rc = buf_puts(&revocation, web_text(a->web, lang, revocation_key)) == 0 &&
                     (check->revoked_at == 0 ||
                      buf_printf(&revocation, " %s (%s)", time_format_rfc3339(check->revoked_at, withdrawn),
                                 check->revocation_reason) == 0) &&
                     web_escape(&signed_by, check->signed_by[0] ? check->signed_by : "—") == 0 &&
                     render_pdf_verdict(a, lang, check, &verdict, &e) == 0 &&
                     web_render(a->web, lang, WEB_FORM, (const char *[]){NULL}, &form, &e) == 0
                 ? 0
                 : -1;
    const char *vars[] = {
        "verdict", buf_cstr(&verdict),
        "signature", web_text(a->web, lang, check->signature_valid ? "t_signature_valid" : "t_signature_invalid"),
        "signed_by", buf_cstr(&signed_by),
        "level", check->level[0] ? check->level : "—",
        "timestamp", timestamp,
        "revocation", check->revocation[0] ? check->revocation : "not_checked",
        "revocation_text", buf_cstr(&revocation),
        "registered", web_text(a->web, lang, check->registered ? "t_yes" : "t_no"),
        "form", buf_cstr(&form), NULL};
    if (rc != 0 || web_render(a->web, lang, WEB_PDFRESULT, vars, &content, &e) != 0)
        api_fail(req, res, &e);
    else
        answer_page(a, req, lang, buf_cstr(&content), check->readable ? 200 : 400, 0, res);
    buf_free(&signed_by);
    buf_free(&revocation);
    buf_free(&verdict);
    buf_free(&content);
    buf_free(&form);
}

/* The status the answer takes when the form's file cannot be read: 415 when the body is not a form, 413 when the file
   is over the limit, 0 for any other failure (a failure of the service). */
static int form_refusal(const err *e)
{
    return e->code == ERR_INVALID ? 415 : e->code == ERR_TOO_LONG ? 413 : 0;
}

void verify_pdf_form(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    web_lang lang = web_lang_from(http_request_query(req, "lang"));
    buf file = BUF_INIT;
    pdf_verification check;
    err e = {0};
    if (http_form_field(req, "pdf", a->cfg.pdf_body_limit, &file, &e) != 0) {
        if (form_refusal(&e))
            api_on_error(ctx, req, res, form_refusal(&e));
        else
            api_fail(req, res, &e);
    } else if (verification_of_pdf(a->svc, file.data ? file.data : (const unsigned char *)"", file.len, &check, &e) != 0) {
        api_fail(req, res, &e);
    } else {
        render_pdf_result(a, req, lang, &check, res);
    }
    buf_free(&file);
}

void verify_keys(void *ctx, http_request *req, http_response *res)
{
    app *a = ctx;
    const keyring *ours = verification_keys(a->svc);
    json_t *keys = json_array();
    for (size_t i = 0; i < keyring_count(ours); i++) {
        const keyring_cert *k = keyring_get(ours, i);
        char from[TIME_TEXT_MAX], until[TIME_TEXT_MAX];
        json_array_append_new(keys, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "subject", k->subject, "not_before",
                                              time_format_rfc3339(k->not_before, from), "not_after",
                                              time_format_rfc3339(k->not_after, until), "sha256", k->sha256, "pem",
                                              k->pem, "current", k->current));
    }
    trust_held held;
    verification_trust(a->svc, &held);
    json_t *anchors = json_array(), *answers = json_array();
    for (size_t i = 0; i < held.tsa_anchor_count; i++) {
        const ltv_anchor *t = &held.tsa_anchors[i];
        char from[TIME_TEXT_MAX], until[TIME_TEXT_MAX];
        json_array_append_new(anchors, json_pack("{s:s, s:s, s:s, s:s, s:s}", "subject", t->subject, "not_before",
                                                 time_format_rfc3339(t->not_before, from), "not_after",
                                                 time_format_rfc3339(t->not_after, until), "sha256", t->sha256, "pem",
                                                 buf_cstr(&t->pem)));
    }
    for (size_t i = 0; i < held.answer_count; i++) {
        const ltv_answer *r = &held.answers[i];
        char this_update[TIME_TEXT_MAX], next_update[TIME_TEXT_MAX];
        json_array_append_new(answers, json_pack("{s:s, s:s, s:s, s:s, s:s?}", "subject", r->subject, "chain", r->role,
                                                 "status", ocsp_status_name(r->status), "this_update",
                                                 time_format_rfc3339(r->this_update, this_update), "next_update",
                                                 r->next_update ? time_format_rfc3339(r->next_update, next_update) : NULL));
    }
    char fresh[TIME_TEXT_MAX];
    tlog_identity log = {.verifier_key = BUF_INIT};
    err e = {0};
    if (tlog_identity_of(a->svc, &log, &e) != 0) {
        json_decref(keys);
        json_decref(anchors);
        json_decref(answers);
        verification_trust_free(&held);
        buf_free(&log.verifier_key);
        api_fail(req, res, &e);
        return;
    }
    api_json(res, 200, json_pack("{s:o, s:o, s:{s:o, s:s?}, s:{s:s, s:s, s:s}}", "keys", keys, "tsa_anchors", anchors,
                                 "revocation", "ocsp", answers, "fresh_until",
                                 held.fresh_until ? time_format_rfc3339(held.fresh_until, fresh) : NULL, "log",
                                 "origin", log.origin, "public_key", log.public_key, "verifier_key",
                                 buf_cstr(&log.verifier_key)));
    buf_free(&log.verifier_key);
    verification_trust_free(&held);
    http_response_header(res, "Cache-Control", "public, max-age=60");
}
