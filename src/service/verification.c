/* The public checks: by number and code in equal work whatever the outcome, and of a PDF file by signature and
   hash. */
#include "service/verification.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto/hash.h"
#include "model/vcode.h"
#include "pdf/sigcheck.h"
#include "service/context.h"
#include "service/ltv_keeper.h"
#include "service/verify_batch.h"
#include "store/certificates.h"
#include "store/tlog.h"

_Static_assert(sizeof((certificate_row *)0)->code == VCODE_LEN + 1, "the store keeps codes of the length the model makes");

/* The stored code compared when no row precedes the number, and the given code compared when it is malformed: the
   comparison runs on every path. Neither can match, since a code has no '#' or '*' in it. */
static const char unknown_code[VCODE_LEN + 1] = "################";
static const char malformed_code[VCODE_LEN + 1] = "****************";

/* The number read in place of a malformed one, so that the read runs on every path; its row is nobody's answer. */
static const char malformed_number[] = "AZI-2000-000001";

/* The first half of a check: what is read and compared, for any input. */
static void prepare(const char *number, const char *code, code_asked *k)
{
    int year;
    long seq;
    int valid_number = number != NULL && vcode_parse_number(number, &year, &seq) == 0;
    int valid_code = code != NULL && vcode_normalize(code, k->wanted) == 0;
    if (!valid_code)
        memcpy(k->wanted, malformed_code, sizeof k->wanted);
    snprintf(k->number, sizeof k->number, "%s", valid_number ? number : malformed_number);
    k->well_formed = valid_number && valid_code;
}

/* The second half, once the read is in: found says whether it landed on a row. */
static int conclude(const code_asked *k, int found, int exact, certificate_row *c, certificate_status *status)
{
    /* an unknown number and a known one with a wrong code do the same work: one read that lands on a row (the
       certificate's or its neighbour's), one comparison */
    int same = hash_equal_ct(found ? c->code : unknown_code, k->wanted, VCODE_LEN);
    if (!(same && exact && k->well_formed) || c->state != CERTIFICATE_ISSUED) {
        memset(c, 0, sizeof *c); /* a neighbour's row is nobody's answer */
        return 0;
    }
    if (status != NULL)
        *status = certificate_verdict(c, time(NULL));
    return 1;
}

int verification_by_code(services *svc, const char *number, const char *code, certificate_row *c,
                         certificate_status *status, err *e)
{
    code_asked k;
    prepare(number, code, &k);
    int exact;
    int found = verify_batch_find(svc->verify_batch, k.number, c, &exact, e);
    return found < 0 ? -1 : conclude(&k, found, exact, c, status);
}

static void check_read(verify_check *read)
{
    code_check *k = read->owner;
    k->done(k->owner);
}

void verification_begin(services *svc, const char *number, const char *code, code_check *k,
                        void (*done)(void *owner), void *owner)
{
    prepare(number, code, &k->asked);
    k->done = done;
    k->owner = owner;
    k->read = (verify_check){.lookup = {.number = k->asked.number, .row = &k->row}, .done = check_read, .owner = k};
    verify_batch_submit(svc->verify_batch, &k->read);
}

int verification_end(code_check *k, certificate_status *status, err *e)
{
    if (k->read.rc != 0) {
        *e = k->read.e;
        return -1;
    }
    return conclude(&k->asked, k->read.lookup.found, k->read.lookup.exact, &k->row, status);
}

int verification_waits(const services *svc)
{
    return verify_batch_shared(svc->verify_batch);
}

int verification_of_pdf(services *svc, const unsigned char *pdf, size_t len, pdf_verification *out, err *e)
{
    memset(out, 0, sizeof *out);
    pdf_sig_report report;
    err unreadable = {0};
    if (pdf_sigcheck(pdf, len, svc->keyring, svc->tsa_anchors, svc->ocsp, &report, &unreadable) != 0) {
        if (unreadable.code != ERR_UNAVAILABLE && unreadable.code != ERR_NOMEM)
            return 0; /* not a PDF: a verdict on the file, not a failure of the service */
        *e = unreadable; /* no verdict without the revocation status */
        return -1;
    }
    out->readable = 1;
    out->signature_valid = report.signature_valid;
    _Static_assert(sizeof out->signed_by == sizeof report.signed_by, "the signer's name is copied whole");
    memcpy(out->signed_by, report.signed_by, sizeof out->signed_by);
    _Static_assert(sizeof out->level == sizeof report.level, "the level is copied whole");
    memcpy(out->level, report.level, sizeof out->level);
    out->timestamped_at = report.timestamped_at;
    out->document_timestamped_at = report.document_timestamped_at;
    _Static_assert(sizeof out->revocation == sizeof report.revocation, "the revocation status is copied whole");
    memcpy(out->revocation, report.revocation, sizeof out->revocation);
    _Static_assert(sizeof out->revocation_reason == sizeof report.revocation_reason, "the reason is copied whole");
    memcpy(out->revocation_reason, report.revocation_reason, sizeof out->revocation_reason);
    out->revoked_at = report.revoked_at;
    char sha[SHA256_HEX_LEN + 1];
    hash_sha256_hex(pdf, report.signature_valid && report.signed_len ? report.signed_len : len, sha);
    db *d = store_db(svc->store, e);
    int found = d ? certificates_find_by_sha256(d, sha, &out->cert, e) : -1;
    if (found < 0)
        return -1;
    out->registered = found == 1;
    if (out->registered &&
        tlog_store_indexes(d, out->cert.number, &out->cert.log_index, &out->cert.revocation_log_index, e) != 0)
        return -1;
    if (out->registered)
        out->status = certificate_verdict(&out->cert, time(NULL));
    out->genuine = out->registered && out->signature_valid;
    return 0;
}

const keyring *verification_keys(const services *svc)
{
    return svc->keyring;
}

void verification_trust(const services *svc, trust_held *out)
{
    memset(out, 0, sizeof *out);
    out->tsa_anchor_count = ltv_describe_anchors(svc->tsa_anchors, out->tsa_anchors, VERIFICATION_MAX_ANCHORS);
    ltv_set *set = svc->ltv ? ltv_keeper_last(svc->ltv) : NULL;
    if (set == NULL)
        return;
    memcpy(out->answers, set->answers, sizeof out->answers);
    out->answer_count = set->ocsp_count;
    out->fresh_until = set->fresh_until;
    ltv_release(set);
}

void verification_trust_free(trust_held *t)
{
    for (size_t i = 0; i < t->tsa_anchor_count; i++)
        buf_free(&t->tsa_anchors[i].pem);
}
