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

static size_t discard(char *data, size_t size, size_t n, void *ctx)
{
    (void)data, (void)ctx;
    return size * n;
}

/* Appends line to *list, which stays whole when that fails (curl_slist_append returns NULL then). Returns 0 or -1. */
static int add_header(struct curl_slist **list, const char *line)
{
    struct curl_slist *longer = curl_slist_append(*list, line);
    if (longer == NULL)
        return -1;
    *list = longer;
    return 0;
}

/* The request headers for m: JSON, its idempotency key, the bearer token when set. NULL when out of memory. */
static struct curl_slist *gateway_headers(const sms_transport *t, const outbox_message *m)
{
    struct curl_slist *headers = NULL;
    char idempotency[sizeof "Idempotency-Key: " + sizeof m->reference];
    snprintf(idempotency, sizeof idempotency, "Idempotency-Key: %s", m->reference);
    if (add_header(&headers, "Content-Type: application/json") != 0 || add_header(&headers, idempotency) != 0 ||
        (t->auth_header[0] && add_header(&headers, t->auth_header) != 0)) {
        curl_slist_free_all(headers);
        return NULL;
    }
    return headers;
}

/* Sets up curl to post body with headers to the gateway: http or https only, bounded in time. Returns the first
   failing option's code, or CURLE_OK. */
static CURLcode gateway_options(CURL *curl, const sms_transport *t, const char *body, struct curl_slist *headers)
{
    CURLcode rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_URL, t->url)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https")) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, SMS_CONNECT_TIMEOUT_MS)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, SMS_TOTAL_TIMEOUT_MS)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK)
        return rc;
    return curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
}

/* What the gateway's answer (or its absence) means for the message. */
static send_result gateway_verdict(CURLcode rc, long status)
{
    if (rc != CURLE_OK || status == 429 || status >= 500)
        return SEND_RETRY;
    return status >= 200 && status < 300 ? SEND_OK : SEND_FAIL;
}

static send_result send_to_gateway(const sms_transport *t, const outbox_message *m, long *retry_after_s, char *error,
                                   size_t size)
{
    json_t *payload = json_pack("{s:s, s:s, s:s}", "to", m->recipient, "text", m->body, "reference", m->reference);
    char *body = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
    json_decref(payload);
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = gateway_headers(t, m);
    send_result result = SEND_RETRY;
    if (curl == NULL || body == NULL || headers == NULL) {
        snprintf(error, size, "out of memory");
        goto out;
    }
    CURLcode rc = gateway_options(curl, t, body, headers);
    if (rc != CURLE_OK) {
        snprintf(error, size, "cannot set up the request: %s", curl_easy_strerror(rc));
        goto out;
    }
    rc = curl_easy_perform(curl);
    long status = 0;
    curl_off_t retry_after = 0;
    if (rc == CURLE_OK && curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
        curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK)
        *retry_after_s = (long)retry_after;
    if (rc != CURLE_OK)
        snprintf(error, size, "gateway unreachable: %s", curl_easy_strerror(rc));
    else
        snprintf(error, size, "gateway answered %ld", status);
    result = gateway_verdict(rc, status);
out:
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
