/* The log and http (libcurl) SMS transports. */
#include "notify/transport.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
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
        free(t);
        err_set(e, 1, "ARAYIS_SMS_TRANSPORT=http needs ARAYIS_SMS_GATEWAY_URL");
        return NULL;
    }
    snprintf(t->url, sizeof t->url, "%s", cfg->sms_gateway_url);
    const char *token = getenv("ARAYIS_SMS_GATEWAY_TOKEN");
    if (token && token[0])
        snprintf(t->auth_header, sizeof t->auth_header, "Authorization: Bearer %s", token);
    return t;
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

static size_t discard(char *data, size_t size, size_t n, void *ctx)
{
    (void)data, (void)ctx;
    return size * n;
}

static send_result send_to_gateway(const sms_transport *t, const outbox_message *m, long *retry_after_s, char *error,
                                   size_t size)
{
    json_t *payload = json_pack("{s:s, s:s, s:s}", "to", m->recipient, "text", m->body, "reference", m->reference);
    char *body = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL;
    char idempotency[128];
    snprintf(idempotency, sizeof idempotency, "Idempotency-Key: %s", m->reference);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, idempotency);
    if (t->auth_header[0])
        headers = curl_slist_append(headers, t->auth_header);
    send_result result = SEND_RETRY;
    if (curl && body && headers) {
        curl_easy_setopt(curl, CURLOPT_URL, t->url);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, SMS_CONNECT_TIMEOUT_MS);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, SMS_TOTAL_TIMEOUT_MS);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        CURLcode rc = curl_easy_perform(curl);
        long status = 0;
        curl_off_t retry_after = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after);
        *retry_after_s = (long)retry_after;
        if (rc != CURLE_OK)
            snprintf(error, size, "gateway unreachable: %s", curl_easy_strerror(rc));
        else
            snprintf(error, size, "gateway answered %ld", status);
        result = rc != CURLE_OK                       ? SEND_RETRY
                 : status >= 200 && status < 300       ? SEND_OK
                 : status == 429 || status >= 500      ? SEND_RETRY
                                                       : SEND_FAIL;
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    free(body);
    return result;
}

send_result sms_transport_send(sms_transport *t, const outbox_message *m, long *retry_after_s, char *error, size_t size)
{
    *retry_after_s = 0;
    error[0] = '\0';
    return t->http ? send_to_gateway(t, m, retry_after_s, error, size) : send_to_log(m);
}
