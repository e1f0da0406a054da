/* Starting and stopping the service layer: keys, renderer, texts, interrupted issues and their resumer, the SMS
   sender and the webhook deliverer. */
#include "service/services.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"
#include "core/share.h"
#include "crypto/log_key.h"
#include "crypto/signed_note.h"
#include "crypto/signing_key.h"
#include "service/context.h"
#include "service/log_checkpointer.h"
#include "service/ltv_keeper.h"
#include "service/resumer.h"
#include "store/certificates.h"

static void register_counters(services *svc)
{
    svc->counter_issued = metrics_counter(svc->metrics, "arayis_certificates_issued_total", "Certificates issued.");
    svc->counter_rejected = metrics_counter(svc->metrics, "arayis_applications_rejected_total", "Applications rejected.");
    svc->counter_sms_queued = metrics_counter(svc->metrics, "arayis_sms_queued_total", "SMS messages queued.");
    svc->counter_void = metrics_counter(svc->metrics, "arayis_certificates_void_total",
                                        "Certificate numbers voided because their document could not be made.");
    svc->counter_check_reads = metrics_counter(svc->metrics, "arayis_code_check_reads_total",
                                               "Reads for code checks (on PostgreSQL one statement for the checks"
                                               " waiting together).");
    svc->counter_checks_read = metrics_counter(svc->metrics, "arayis_code_checks_read_total",
                                               "Code checks those reads were for.");
}

/* The reads of code checks, on the calling thread's connection, counted. */
static int read_code_checks(certificate_lookups *l, void *ctx, err *e)
{
    services *svc = ctx;
    db *d = store_db(svc->store, e);
    if (d == NULL || certificates_find_each_at_or_before(d, l, e) != 0)
        return -1;
    metrics_add(svc->metrics, svc->counter_check_reads, 1);
    metrics_add(svc->metrics, svc->counter_checks_read, l->count);
    return 0;
}

/* The TSA client and the anchors timestamps are checked against, when configured, and the OCSP client. Returns 0
   or -1 with e set. */
static int open_timestamps(services *svc, const config *cfg, err *e)
{
    if (cfg->tsa_url[0] && !cfg->tsa_ca[0])
        return err_set(e, ERR_INVALID, "ARAYIS_TSA_URL needs ARAYIS_TSA_CA, the anchors its certificate must chain to");
    if (cfg->tsa_ca[0] && (svc->tsa_anchors = tsa_anchors_load(cfg->tsa_ca, e)) == NULL)
        return -1;
    if (cfg->tsa_url[0]) {
        tsa_settings t = {cfg->tsa_url, cfg->tsa_ca, cfg->tsa_user, cfg->tsa_password, cfg->tsa_timeout_ms};
        if ((svc->tsa = tsa_client_new(&t, e)) == NULL)
            return -1;
        log_write(LOG_INFO, "timestamps", json_pack("{s:s,s:b}", "level", "B-T", "required", cfg->tsa_required));
    }
    ocsp_settings o = {cfg->ocsp_url, cfg->ocsp_timeout_ms};
    return (svc->ocsp = ocsp_client_new(&o, e)) != NULL ? 0 : -1;
}

/* With a TSA and an OCSP responder for each certificate of our chain, the keeper of the validation data that makes
   signatures B-LT. Returns 0 or -1 with e set. */
static int open_validation_data(services *svc, err *e)
{
    if (svc->tsa == NULL || !ltv_possible(svc->keyring, svc->ocsp))
        return 0;
    if ((svc->ltv = ltv_keeper_start(svc->keyring, svc->tsa, svc->ocsp, e)) == NULL)
        return -1;
    log_write(LOG_INFO, "validation_data_kept", json_pack("{s:s}", "signature_level", "B-LT"));
    return 0;
}

/* The log's origin: ARAYIS_LOG_ORIGIN, else the host of the public base URL (no scheme, port or path) + "/log". */
static int log_origin(const config *cfg, char *out, size_t size, err *e)
{
    const char *host = strstr(cfg->public_base_url, "://");
    host = host ? host + 3 : cfg->public_base_url;
    size_t n = strcspn(host, ":/");
    int written = cfg->log_origin[0] ? snprintf(out, size, "%s", cfg->log_origin)
                                     : snprintf(out, size, "%.*s/log", (int)n, host);
    if (written < 0 || (size_t)written >= size || !signed_note_name_ok(out))
        return err_set(e, ERR_INVALID, "the log origin must be 1 to %d printable characters without space or '+'"
                       " (ARAYIS_LOG_ORIGIN)", NOTE_ORIGIN_MAX);
    return 0;
}

/* The log key (made when missing, and said so), the origin and the signing certificate's fingerprint; then the
   entries the log lacks. Returns 0 or -1 with e set. */
static int open_log(services *svc, const config *cfg, err *e)
{
    int created = 0;
    if (log_key_ensure(cfg->keys_dir, &created, e) != 0 || (svc->log_key = log_key_load(cfg->keys_dir, e)) == NULL ||
        log_origin(cfg, svc->log_origin, sizeof svc->log_origin, e) != 0)
        return -1;
    if (created)
        log_printf(LOG_WARN, "log_key_created", "made a new transparency log key in %s: keep it, checkpoints are"
                   " checked against it", cfg->keys_dir);
    const keyring_cert *current = keyring_count(svc->keyring) ? keyring_get(svc->keyring, 0) : NULL;
    if (current == NULL || !current->current || tlog_hex32(current->sha256, svc->log.signing_key_id) != 0)
        return err_set(e, ERR_NOT_FOUND, "no current signing certificate for the transparency log's entries");
    svc->log.enabled = cfg->transparency_log;
    if (!svc->log.enabled) {
        log_printf(LOG_WARN, "transparency_log_off", "ARAYIS_TRANSPARENCY_LOG=off: nothing issued or revoked is"
                   " published in the transparency log");
        return 0;
    }
    tlog_backfilled done;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (tlog_backfill(svc->store, &svc->log, &done, e) != 0)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &end);
    if (done.issuances > 0 || done.revocations > 0)
        log_write(LOG_INFO, "log_backfilled",
                  json_pack("{s:I, s:I, s:f}", "issuances", (json_int_t)done.issuances, "revocations",
                            (json_int_t)done.revocations, "seconds",
                            (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9));
    return 0;
}

services *services_start(const config *cfg, store *s, metrics *m, err *e)
{
    services *svc = calloc(1, sizeof *svc);
    if (svc == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    svc->cfg = cfg;
    svc->store = s;
    svc->metrics = m;
    int created = 0;
    if (!signing_key_in_token(cfg) && signer_ensure_dev_keys(cfg->keys_dir, NULL, &created, e) != 0)
        goto fail;
    if (created)
        log_printf(LOG_WARN, "dev_keys_created", "made a DEVELOPMENT CA and signing key in %s: not for production",
                   cfg->keys_dir);
    if ((svc->signer = signer_open(cfg, e)) == NULL || (svc->keyring = keyring_load(cfg->keys_dir, e)) == NULL ||
        (svc->renderer = pdf_renderer_open(share_dir(), e)) == NULL || (svc->messages = sms_messages_load(e)) == NULL ||
        open_timestamps(svc, cfg, e) != 0 || open_validation_data(svc, e) != 0)
        goto fail;
    svc->issuer = (issuer){s, svc->renderer, svc->signer, svc->messages, cfg, svc->tsa, svc->ltv, &svc->log};
    register_counters(svc);
    svc->verify_batch = verify_batch_new(read_code_checks, svc, store_is_shared(s), e);
    if (svc->verify_batch == NULL || (svc->subtrees = subtree_cache_new(e)) == NULL || open_log(svc, cfg, e) != 0)
        goto fail;
    if (resumer_run(svc, store_is_shared(s) ? time(NULL) : ISSUE_ANY_CLAIM, e) != 0)
        goto fail;
    log_write(LOG_INFO, "signing_key", json_pack("{s:s, s:s, s:s}", "subject", signer_subject(svc->signer), "kind",
                                                 signer_key_type(svc->signer), "store",
                                                 signing_key_in_token(cfg) ? "pkcs11" : "file"));
    if (svc->log.enabled && (svc->checkpointer = log_checkpointer_start(svc, e)) == NULL)
        goto fail;
    if ((svc->resumer = resumer_start(svc, e)) == NULL || (svc->sender = sms_sender_start(cfg, s, m, e)) == NULL ||
        (svc->webhooks = webhook_deliverer_start(cfg, s, m, e)) == NULL)
        goto fail;
    return svc;
fail:
    services_stop(svc);
    return NULL;
}

void services_stop(services *svc)
{
    if (svc == NULL)
        return;
    resumer_stop(svc->resumer);
    log_checkpointer_stop(svc->checkpointer); /* after the last writer of entries: its checkpoint covers them all */
    webhook_deliverer_stop(svc->webhooks);
    sms_sender_stop(svc->sender);
    sms_messages_free(svc->messages);
    ltv_keeper_stop(svc->ltv);
    pdf_renderer_close(svc->renderer);
    keyring_free(svc->keyring);
    tsa_client_free(svc->tsa);
    X509_STORE_free(svc->tsa_anchors);
    ocsp_client_free(svc->ocsp);
    signer_free(svc->signer);
    EVP_PKEY_free(svc->log_key);
    subtree_cache_free(svc->subtrees);
    verify_batch_free(svc->verify_batch);
    free(svc);
}

metrics *services_metrics(const services *svc)
{
    return svc->metrics;
}
