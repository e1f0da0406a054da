/* Settings: the defaults, then ARAYIS_* variables and command-line flags, each value checked for its form (number
   range, address, one of a list, length) before it replaces the old one. What a value means together with others
   (the SMS gateway a transport needs, a key file's mode) is checked where it is used. */
#include "core/config.h"

#include "core/addrlist.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const config_setting settings[] = {
    {"ARAYIS_LISTEN", "--listen", "address:port to listen on (127.0.0.1:8080)"},
    {"ARAYIS_DATA_DIR", "--data-dir", "SQLite database directory (./data)"},
    {"ARAYIS_DATABASE_URL", "--database-url", "PostgreSQL connection string (postgresql://... or key=value); unset = SQLite"},
    {"ARAYIS_KEYS_DIR", "--keys-dir", "signing key and certificates (./keys)"},
    {"ARAYIS_PUBLIC_BASE_URL", "--public-base-url", "base of every link and QR code (http://127.0.0.1:8080)"},
    {"ARAYIS_VALIDITY_DAYS", "--validity-days", "days a certificate is valid (30)"},
    {"ARAYIS_SMS_TRANSPORT", "--sms-transport", "log or http (log)"},
    {"ARAYIS_SMS_GATEWAY_URL", "--sms-gateway-url", "where the http transport posts messages"},
    {"ARAYIS_SMS_MAX_ATTEMPTS", "--sms-max-attempts", "delivery attempts before a message is failed (8)"},
    {"ARAYIS_SMS_RETRY_BASE_MS", "--sms-retry-base-ms", "first retry delay in ms, doubled per attempt (2000)"},
    {"ARAYIS_WEBHOOK_RETRY_BASE_MS", "--webhook-retry-base-ms", "first webhook retry delay in ms, doubled per attempt (5000)"},
    {"ARAYIS_WEBHOOK_RETRY_HOURS", "--webhook-retry-hours", "hours an event is retried before it is failed (25)"},
    {"ARAYIS_THREADS", "--threads", "HTTP event-loop threads, 0 = one per core (0)"},
    {"ARAYIS_WORKERS", "--workers", "threads for requests that write (issue, revoke, billing), 0 = four per core (0)"},
    {"ARAYIS_MAX_CONNECTIONS", "--max-connections", "open connections in total (1024)"},
    {"ARAYIS_MAX_CONNECTIONS_PER_IP", "--max-connections-per-ip", "open connections per client address (64)"},
    {"ARAYIS_CONNECTION_TIMEOUT", "--connection-timeout", "seconds a connection may stay idle (15)"},
    {"ARAYIS_BODY_LIMIT", "--body-limit", "largest JSON body in bytes (65536)"},
    {"ARAYIS_PDF_BODY_LIMIT", "--pdf-body-limit", "largest PDF upload in bytes (262144)"},
    {"ARAYIS_BODY_BUDGET", "--body-budget", "bytes of request bodies held at once by all connections (33554432)"},
    {"ARAYIS_REQUEST_DEADLINE", "--request-deadline", "seconds to receive a request's headers and body (30)"},
    {"ARAYIS_MIN_BODY_RATE", "--min-body-rate", "bytes per second a body must arrive at after 5 s, 0 = off (1024)"},
    {"ARAYIS_CONNECTION_RESERVE", "--connection-reserve",
     "connections beyond --max-connections kept for health checks and work in progress (32)"},
    {"ARAYIS_RATE_PUBLIC", "--rate-public", "public requests per second per client address, 0 = off (10)"},
    {"ARAYIS_RATE_PUBLIC_BURST", "--rate-public-burst", "public requests in a burst (30)"},
    {"ARAYIS_RATE_API", "--rate-api", "API requests per second per key, 0 = off (200)"},
    {"ARAYIS_RATE_API_BURST", "--rate-api-burst", "API requests in a burst (400)"},
    {"ARAYIS_TRUSTED_PROXY", "--trusted-proxy", "reverse proxy address whose X-Forwarded-For is used (none)"},
    {"ARAYIS_RATE_AUTH_FAILURES", "--rate-auth-failures", "failed API authentications per second per client address, 0 = off (1)"},
    {"ARAYIS_RATE_AUTH_FAILURES_BURST", "--rate-auth-failures-burst", "failed API authentications in a burst (20)"},
    {"ARAYIS_METRICS_ALLOW", "--metrics-allow", "client addresses that may read /metrics, comma-separated (127.0.0.1,::1)"},
    {"ARAYIS_LOG_LEVEL", "--log-level", "debug, info, warn or error (info)"},
    {"ARAYIS_TSA_URL", "--tsa-url", "RFC 3161 timestamping authority for PAdES B-T signatures (none: B-B)"},
    {"ARAYIS_TSA_CA", "--tsa-ca", "PEM file of the certificates the TSA's certificate must chain to"},
    {"ARAYIS_TSA_USER", "--tsa-user", "user name for the TSA's HTTP basic authentication (none)"},
    {"ARAYIS_TSA_PASSWORD", "--tsa-password", "password for the TSA (set it in the environment, not on the command line)"},
    {"ARAYIS_TSA_TIMEOUT_MS", "--tsa-timeout-ms", "longest wait for one timestamp in ms (5000)"},
    {"ARAYIS_TSA_REQUIRED", "--tsa-required", "true: answer 503 while the TSA is down; false: issue B-B then (true)"},
    {"ARAYIS_SIGNING_KEY", "--signing-key", "pkcs11: URI of a token signing key (none: the keys directory's file)"},
    {"ARAYIS_PKCS11_MODULE", "--pkcs11-module", "PKCS#11 library of the token (the URI's module-path)"},
    {"ARAYIS_PKCS11_PIN", "--pkcs11-pin", "the token's user PIN (the URI's pin-source file)"},
    {"ARAYIS_SIGNER_SUBJECT", "--signer-subject", "subject of a certificate request (" CONFIG_DEFAULT_SUBJECT ")"},
    {"ARAYIS_OCSP_URL", "--ocsp-url", "OCSP responder asked about every certificate, instead of their AIA (none)"},
    {"ARAYIS_OCSP_TIMEOUT_MS", "--ocsp-timeout-ms", "longest wait for one OCSP answer in ms (5000)"},
    {"ARAYIS_TRANSPARENCY_LOG", "--transparency-log", "on | off: append every issue and revocation to the public log and sign checkpoints (on)"},
    {"ARAYIS_LOG_ORIGIN", "--log-origin", "the log's name in its checkpoints (the host of ARAYIS_PUBLIC_BASE_URL + \"/log\")"},
    {NULL, NULL, NULL},
};

const config_setting *config_settings(void)
{
    return settings;
}

void config_defaults(config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen_host, sizeof c->listen_host, "127.0.0.1");
    c->listen_port = 8080;
    snprintf(c->data_dir, sizeof c->data_dir, "./data");
    snprintf(c->keys_dir, sizeof c->keys_dir, "./keys");
    snprintf(c->public_base_url, sizeof c->public_base_url, "http://127.0.0.1:8080");
    c->validity_days = 30;
    snprintf(c->sms_transport, sizeof c->sms_transport, "log");
    c->sms_max_attempts = 8;
    c->sms_retry_base_ms = 2000;
    c->webhook_retry_base_ms = 5000;
    c->webhook_retry_hours = 25;
    c->max_connections = 1024;
    c->max_connections_per_ip = 64;
    c->connection_timeout_s = 15;
    c->body_limit = 64 * 1024;
    c->pdf_body_limit = 256 * 1024;
    c->body_budget = 32 * 1024 * 1024;
    c->request_deadline_s = 30;
    c->min_body_rate = 1024;
    c->connection_reserve = 32;
    snprintf(c->log_level, sizeof c->log_level, "info");
    c->rate_public = 10;
    c->rate_public_burst = 30;
    c->rate_api = 200;
    c->rate_api_burst = 400;
    c->rate_auth_failures = 1;
    c->rate_auth_failures_burst = 20;
    snprintf(c->metrics_allow, sizeof c->metrics_allow, "127.0.0.1,::1");
    c->tsa_timeout_ms = 5000;
    c->tsa_required = 1;
    snprintf(c->signer_subject, sizeof c->signer_subject, "%s", CONFIG_DEFAULT_SUBJECT);
    c->ocsp_timeout_ms = 5000;
    c->transparency_log = 1;
}

static int parse_long(const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '+' || text[0] == '-' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int copy_text(char *dst, size_t size, const char *value)
{
    size_t n = strlen(value);
    if (n >= size)
        return -1;
    memcpy(dst, value, n + 1);
    return 0;
}

static int parse_listen(config *c, const char *value)
{
    const char *colon = strrchr(value, ':');
    long port;
    if (colon == NULL || colon == value || (size_t)(colon - value) >= sizeof c->listen_host ||
        parse_long(colon + 1, 0, 65535, &port) != 0)
        return -1;
    memcpy(c->listen_host, value, (size_t)(colon - value));
    c->listen_host[colon - value] = '\0';
    c->listen_port = (unsigned short)port;
    return 0;
}

static int parse_base_url(config *c, const char *value)
{
    if (strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0)
        return -1;
    if (strpbrk(value, " \t\r\n\"'<>?#") != NULL || copy_text(c->public_base_url, sizeof c->public_base_url, value) != 0)
        return -1;
    size_t n = strlen(c->public_base_url);
    while (n > 0 && c->public_base_url[n - 1] == '/')
        c->public_base_url[--n] = '\0';
    return 0;
}

static int parse_int_setting(const char *env_name, const char *value, config *c)
{
    long v;
    if (strcmp(env_name, "ARAYIS_VALIDITY_DAYS") == 0 && parse_long(value, 1, 3650, &v) == 0)
        c->validity_days = (int)v;
    else if (strcmp(env_name, "ARAYIS_SMS_MAX_ATTEMPTS") == 0 && parse_long(value, 1, 100, &v) == 0)
        c->sms_max_attempts = (int)v;
    else if (strcmp(env_name, "ARAYIS_SMS_RETRY_BASE_MS") == 0 && parse_long(value, 10, 600000, &v) == 0)
        c->sms_retry_base_ms = (int)v;
    else if (strcmp(env_name, "ARAYIS_WEBHOOK_RETRY_BASE_MS") == 0 && parse_long(value, 10, 600000, &v) == 0)
        c->webhook_retry_base_ms = (int)v;
    else if (strcmp(env_name, "ARAYIS_WEBHOOK_RETRY_HOURS") == 0 && parse_long(value, 24, 24 * 30, &v) == 0)
        c->webhook_retry_hours = (int)v;
    else if (strcmp(env_name, "ARAYIS_RATE_PUBLIC") == 0 && parse_long(value, 0, 1000000, &v) == 0)
        c->rate_public = (int)v;
    else if (strcmp(env_name, "ARAYIS_RATE_PUBLIC_BURST") == 0 && parse_long(value, 1, 1000000, &v) == 0)
        c->rate_public_burst = (int)v;
    else if (strcmp(env_name, "ARAYIS_RATE_API") == 0 && parse_long(value, 0, 1000000, &v) == 0)
        c->rate_api = (int)v;
    else if (strcmp(env_name, "ARAYIS_RATE_API_BURST") == 0 && parse_long(value, 1, 1000000, &v) == 0)
        c->rate_api_burst = (int)v;
    else if (strcmp(env_name, "ARAYIS_RATE_AUTH_FAILURES") == 0 && parse_long(value, 0, 1000000, &v) == 0)
        c->rate_auth_failures = (int)v;
    else if (strcmp(env_name, "ARAYIS_RATE_AUTH_FAILURES_BURST") == 0 && parse_long(value, 1, 1000000, &v) == 0)
        c->rate_auth_failures_burst = (int)v;
    else if (strcmp(env_name, "ARAYIS_THREADS") == 0 && parse_long(value, 0, 256, &v) == 0)
        c->threads = (int)v;
    else if (strcmp(env_name, "ARAYIS_WORKERS") == 0 && parse_long(value, 0, 1024, &v) == 0)
        c->workers = (int)v;
    else if (strcmp(env_name, "ARAYIS_MAX_CONNECTIONS") == 0 && parse_long(value, 1, 100000, &v) == 0)
        c->max_connections = (int)v;
    else if (strcmp(env_name, "ARAYIS_MAX_CONNECTIONS_PER_IP") == 0 && parse_long(value, 1, 100000, &v) == 0)
        c->max_connections_per_ip = (int)v;
    else if (strcmp(env_name, "ARAYIS_CONNECTION_TIMEOUT") == 0 && parse_long(value, 1, 3600, &v) == 0)
        c->connection_timeout_s = (int)v;
    else if (strcmp(env_name, "ARAYIS_BODY_LIMIT") == 0 && parse_long(value, 1024, 16L << 20, &v) == 0)
        c->body_limit = (size_t)v;
    else if (strcmp(env_name, "ARAYIS_PDF_BODY_LIMIT") == 0 && parse_long(value, 1024, 64L << 20, &v) == 0)
        c->pdf_body_limit = (size_t)v;
    else if (strcmp(env_name, "ARAYIS_BODY_BUDGET") == 0 && parse_long(value, 1L << 20, 1L << 30, &v) == 0)
        c->body_budget = (size_t)v;
    else if (strcmp(env_name, "ARAYIS_REQUEST_DEADLINE") == 0 && parse_long(value, 1, 3600, &v) == 0)
        c->request_deadline_s = (int)v;
    else if (strcmp(env_name, "ARAYIS_MIN_BODY_RATE") == 0 && parse_long(value, 0, 1L << 30, &v) == 0)
        c->min_body_rate = (size_t)v;
    else if (strcmp(env_name, "ARAYIS_CONNECTION_RESERVE") == 0 && parse_long(value, 0, 10000, &v) == 0)
        c->connection_reserve = (int)v;
    else if (strcmp(env_name, "ARAYIS_TSA_TIMEOUT_MS") == 0 && parse_long(value, 100, 120000, &v) == 0)
        c->tsa_timeout_ms = (int)v;
    else if (strcmp(env_name, "ARAYIS_OCSP_TIMEOUT_MS") == 0 && parse_long(value, 100, 120000, &v) == 0)
        c->ocsp_timeout_ms = (int)v;
    else
        return -1;
    return 0;
}

static int is_one_of(const char *value, const char *const *choices)
{
    for (; *choices; choices++)
        if (strcmp(value, *choices) == 0)
            return 1;
    return 0;
}

/* "" (unset) or an http(s) address. */
static int is_http_url(const char *value)
{
    return value[0] == '\0' || strncmp(value, "http://", 7) == 0 || strncmp(value, "https://", 8) == 0;
}

static int apply_setting(config *c, const char *env_name, const char *value)
{
    static const char *const transports[] = {"log", "http", NULL};
    static const char *const levels[] = {"debug", "info", "warn", "error", NULL};
    if (strcmp(env_name, "ARAYIS_LISTEN") == 0)
        return parse_listen(c, value);
    if (strcmp(env_name, "ARAYIS_DATABASE_URL") == 0)
        return copy_text(c->database_url, sizeof c->database_url, value);
    if (strcmp(env_name, "ARAYIS_DATA_DIR") == 0)
        return value[0] ? copy_text(c->data_dir, sizeof c->data_dir, value) : -1;
    if (strcmp(env_name, "ARAYIS_KEYS_DIR") == 0)
        return value[0] ? copy_text(c->keys_dir, sizeof c->keys_dir, value) : -1;
    if (strcmp(env_name, "ARAYIS_PUBLIC_BASE_URL") == 0)
        return parse_base_url(c, value);
    if (strcmp(env_name, "ARAYIS_SMS_TRANSPORT") == 0)
        return is_one_of(value, transports) ? copy_text(c->sms_transport, sizeof c->sms_transport, value) : -1;
    if (strcmp(env_name, "ARAYIS_SMS_GATEWAY_URL") == 0)
        return copy_text(c->sms_gateway_url, sizeof c->sms_gateway_url, value);
    if (strcmp(env_name, "ARAYIS_TRUSTED_PROXY") == 0)
        return copy_text(c->trusted_proxy, sizeof c->trusted_proxy, value);
    if (strcmp(env_name, "ARAYIS_METRICS_ALLOW") == 0)
        return addrlist_valid(value) ? copy_text(c->metrics_allow, sizeof c->metrics_allow, value) : -1;
    if (strcmp(env_name, "ARAYIS_TSA_URL") == 0)
        return is_http_url(value) ? copy_text(c->tsa_url, sizeof c->tsa_url, value) : -1;
    if (strcmp(env_name, "ARAYIS_OCSP_URL") == 0)
        return is_http_url(value) ? copy_text(c->ocsp_url, sizeof c->ocsp_url, value) : -1;
    if (strcmp(env_name, "ARAYIS_TSA_CA") == 0)
        return copy_text(c->tsa_ca, sizeof c->tsa_ca, value);
    if (strcmp(env_name, "ARAYIS_TSA_USER") == 0)
        return copy_text(c->tsa_user, sizeof c->tsa_user, value);
    if (strcmp(env_name, "ARAYIS_TSA_PASSWORD") == 0)
        return copy_text(c->tsa_password, sizeof c->tsa_password, value);
    if (strcmp(env_name, "ARAYIS_TSA_REQUIRED") == 0) {
        static const char *const booleans[] = {"true", "false", NULL};
        if (!is_one_of(value, booleans))
            return -1;
        c->tsa_required = strcmp(value, "true") == 0;
        return 0;
    }
    if (strcmp(env_name, "ARAYIS_SIGNING_KEY") == 0)
        return value[0] == '\0' || strncmp(value, "pkcs11:", 7) == 0 ? copy_text(c->signing_key, sizeof c->signing_key, value) : -1;
    if (strcmp(env_name, "ARAYIS_PKCS11_MODULE") == 0)
        return copy_text(c->pkcs11_module, sizeof c->pkcs11_module, value);
    if (strcmp(env_name, "ARAYIS_PKCS11_PIN") == 0)
        return copy_text(c->pkcs11_pin, sizeof c->pkcs11_pin, value);
    if (strcmp(env_name, "ARAYIS_SIGNER_SUBJECT") == 0)
        return value[0] == '/' ? copy_text(c->signer_subject, sizeof c->signer_subject, value) : -1;
    if (strcmp(env_name, "ARAYIS_TRANSPARENCY_LOG") == 0) {
        static const char *const switches[] = {"on", "off", NULL};
        if (!is_one_of(value, switches))
            return -1;
        c->transparency_log = strcmp(value, "on") == 0;
        return 0;
    }
    if (strcmp(env_name, "ARAYIS_LOG_ORIGIN") == 0)
        return copy_text(c->log_origin, sizeof c->log_origin, value);
    if (strcmp(env_name, "ARAYIS_LOG_LEVEL") == 0)
        return is_one_of(value, levels) ? copy_text(c->log_level, sizeof c->log_level, value) : -1;
    return parse_int_setting(env_name, value, c);
}

int config_set(config *c, const char *env_name, const char *value, err *e)
{
    config candidate = *c;
    if (apply_setting(&candidate, env_name, value) != 0)
        return err_set(e, ERR_INVALID, "%s: invalid value", env_name);
    *c = candidate;
    return 0;
}

int config_apply_env(config *c, err *e)
{
    for (const config_setting *s = settings; s->env; s++) {
        const char *value = getenv(s->env);
        if (value != NULL && config_set(c, s->env, value, e) != 0)
            return -1;
    }
    return 0;
}

static const config_setting *setting_by_flag(const char *flag, size_t len)
{
    for (const config_setting *s = settings; s->env; s++)
        if (strlen(s->flag) == len && strncmp(s->flag, flag, len) == 0)
            return s;
    return NULL;
}

int config_apply_flags(config *c, int argc, char **argv, int first, err *e)
{
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        size_t name_len = eq ? (size_t)(eq - arg) : strlen(arg);
        const config_setting *s = setting_by_flag(arg, name_len);
        if (s == NULL)
            return err_set(e, ERR_INVALID, "unknown option '%.*s'", (int)name_len, arg);
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (value == NULL)
            return err_set(e, ERR_INVALID, "%s needs a value", s->flag);
        if (config_set(c, s->env, value, e) != 0)
            return err_set(e, ERR_INVALID, "%s: invalid value", s->flag);
    }
    return 0;
}
