/* Starting and stopping the service layer: keys, renderer, texts, interrupted issues and their resumer, the SMS
   sender and the webhook deliverer. */
#include "service/services.h"

#include <openssl/x509.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"
#include "core/share.h"
#include "crypto/signing_key.h"
#include "service/context.h"
#include "service/ltv_keeper.h"
#include "service/resumer.h"

static void register_counters(services *svc)
{
    svc->counter_issued = metrics_counter(svc->metrics, "arayis_certificates_issued_total", "Certificates issued.");
    svc->counter_rejected = metrics_counter(svc->metrics, "arayis_applications_rejected_total", "Applications rejected.");
    svc->counter_sms_queued = metrics_counter(svc->metrics, "arayis_sms_queued_total", "SMS messages queued.");
    svc->counter_void = metrics_counter(svc->metrics, "arayis_certificates_void_total",
                                        "Certificate numbers voided because their document could not be made.");
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
    svc->issuer = (issuer){s, svc->renderer, svc->signer, svc->messages, cfg, svc->tsa, svc->ltv};
    register_counters(svc);
    if (resumer_run(svc, store_is_shared(s) ? time(NULL) : ISSUE_ANY_CLAIM, e) != 0)
        goto fail;
    log_write(LOG_INFO, "signing_key", json_pack("{s:s, s:s, s:s}", "subject", signer_subject(svc->signer), "kind",
                                                 signer_key_type(svc->signer), "store",
                                                 signing_key_in_token(cfg) ? "pkcs11" : "file"));
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
    free(svc);
}

metrics *services_metrics(const services *svc)
{
    return svc->metrics;
}
