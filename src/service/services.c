/* Starting and stopping the service layer: keys, renderer, texts, interrupted issues, the SMS sender and the webhook
   deliverer. */
#include "service/services.h"

#include <stdlib.h>

#include "core/log.h"
#include "core/share.h"
#include "crypto/signing_key.h"
#include "service/context.h"

/* Completes or voids what a crash or a storage failure left half issued, and says so in the log. */
static int resume_interrupted(services *svc, err *e)
{
    issuing_resumed resumed;
    if (issuing_resume(&svc->issuer, &resumed, e) != 0)
        return -1;
    metrics_add(svc->metrics, svc->counter_void, (unsigned long)resumed.voided);
    if (resumed.issued > 0 || resumed.voided > 0)
        log_printf(LOG_WARN, "issues_resumed", "completed %d interrupted certificate(s), voided %d (arayis certificates failed)",
                   resumed.issued, resumed.voided);
    if (resumed.left > 0)
        log_printf(LOG_ERROR, "issues_left_pending", "%d interrupted certificate(s) left for the next start: %s",
                   resumed.left, e->msg);
    return 0;
}

static void register_counters(services *svc)
{
    svc->counter_issued = metrics_counter(svc->metrics, "arayis_certificates_issued_total", "Certificates issued.");
    svc->counter_rejected = metrics_counter(svc->metrics, "arayis_applications_rejected_total", "Applications rejected.");
    svc->counter_sms_queued = metrics_counter(svc->metrics, "arayis_sms_queued_total", "SMS messages queued.");
    svc->counter_void = metrics_counter(svc->metrics, "arayis_certificates_void_total",
                                        "Certificate numbers voided because their document could not be made.");
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
        (svc->renderer = pdf_renderer_open(share_dir(), e)) == NULL || (svc->messages = sms_messages_load(e)) == NULL)
        goto fail;
    svc->issuer = (issuer){s, svc->renderer, svc->signer, svc->messages, cfg};
    register_counters(svc);
    if (resume_interrupted(svc, e) != 0)
        goto fail;
    log_write(LOG_INFO, "signing_key", json_pack("{s:s, s:s, s:s}", "subject", signer_subject(svc->signer), "kind",
                                                 signer_key_type(svc->signer), "store",
                                                 signing_key_in_token(cfg) ? "pkcs11" : "file"));
    if ((svc->sender = sms_sender_start(cfg, s, m, e)) == NULL ||
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
    webhook_deliverer_stop(svc->webhooks);
    sms_sender_stop(svc->sender);
    sms_messages_free(svc->messages);
    pdf_renderer_close(svc->renderer);
    keyring_free(svc->keyring);
    signer_free(svc->signer);
    free(svc);
}

metrics *services_metrics(const services *svc)
{
    return svc->metrics;
}
