/* The log and http (libcurl) SMS transports. */
#include "notify/transport.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "notify/http_post.h"
#include "notify/sms_text.h"

#define SMS_CONNECT_TIMEOUT_MS 5000L
#define SMS_TOTAL_TIMEOUT_MS 15000L

struct sms_transport {
    int http;
    char url[512];
    char auth_header[600];           /* "" when no token */
};

sms_transport *sms_transport_new(const config *cfg, err *e)
{
    sms_transport *t = calloc(1, sizeof *t);
    if (t == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    t->http = strcmp(cfg->sms_transport, "http") == 0;
    if (t->http && strncmp(cfg->sms_gateway_url, "http", 4) != 0) {
        err_set(e, ERR_INVALID, "ARAYIS_SMS_TRANSPORT=http needs ARAYIS_SMS_GATEWAY_URL");
        goto fail;
    }
    _Static_assert(sizeof t->url >= sizeof cfg->sms_gateway_url, "the gateway URL always fits");
    snprintf(t->url, sizeof t->url, "%s", cfg->sms_gateway_url);
    const char *token = getenv("ARAYIS_SMS_GATEWAY_TOKEN");
    if (token && token[0] &&
        (size_t)snprintf(t->auth_header, sizeof t->auth_header, "Authorization: Bearer %s", token) >= sizeof t->auth_header) {
        err_set(e, ERR_TOO_LONG, "ARAYIS_SMS_GATEWAY_TOKEN is longer than %zu bytes",
                sizeof t->auth_header - sizeof "Authorization: Bearer ");
        goto fail;
    }
    return t;
fail:
    free(t);
    return NULL;
}

void sms_transport_free(sms_transport *t)
{
    free(t);
}

static send_result send_to_log(const outbox_message *m)
{
    char masked[32];
    sms_encoding enc;
    sms_mask_number(m->recipient, masked, sizeof masked);
    int parts = sms_count_parts(m->body, &enc, NULL);
    log_write(LOG_INFO, "sms", json_pack("{s:s, s:s, s:i, s:s}", "reference", m->reference, "to", masked, "parts", parts,
                                         "encoding", enc == SMS_GSM7 ? "gsm7" : "ucs2"));
    return SEND_OK;
}

static send_result send_to_gateway(const sms_transport *t, const outbox_message *m, long *retry_after_s, char *error,
                                   size_t size)
{
    static const post_limits limits = {SMS_CONNECT_TIMEOUT_MS, SMS_TOTAL_TIMEOUT_MS};
    json_t *payload = json_pack("{s:s, s:s, s:s}", "to", m->recipient, "text", m->body, "reference", m->reference);
    char *body = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    if (body == NULL) {
        snprintf(error, size, "out of memory for the message");
        return SEND_RETRY;
    }
    char idempotency[128];
    snprintf(idempotency, sizeof idempotency, "Idempotency-Key: %s", m->reference);
    const char *headers[] = {idempotency, t->auth_header[0] ? t->auth_header : NULL, NULL};
    post_result r = http_post_json("gateway", t->url, body, strlen(body), headers, &limits, retry_after_s, error, size);
    free(body);
    return r == POST_OK ? SEND_OK : r == POST_RETRY ? SEND_RETRY : SEND_FAIL;
}

send_result sms_transport_send(sms_transport *t, const outbox_message *m, long *retry_after_s, char *error, size_t size)
{
    *retry_after_s = 0;
    error[0] = '\0';
    return t->http ? send_to_gateway(t, m, retry_after_s, error, size) : send_to_log(m);
}
