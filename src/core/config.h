/* Service settings: defaults, ARAYIS_* environment variables, and command-line flags of the same meaning. */
#ifndef ARAYIS_CORE_CONFIG_H
#define ARAYIS_CORE_CONFIG_H

#include <stddef.h>

#include "core/err.h"

typedef struct config {
    char listen_host[64];
    unsigned short listen_port;
    char data_dir[512];
    char database_url[1024];         /* PostgreSQL connection string; "" = SQLite in data_dir */
    char keys_dir[512];
    char public_base_url[256];       /* no trailing slash */
    int validity_days;
    char sms_transport[8];           /* "log" or "http" */
    char sms_gateway_url[512];       /* "" when unset */
    int sms_max_attempts;
    int sms_retry_base_ms;           /* first back-off; doubles per attempt, with jitter */
    int webhook_retry_base_ms;       /* first webhook back-off; doubles per attempt up to an hour, with jitter */
    int webhook_retry_hours;         /* how long an event is retried before it is failed */
    int threads;                     /* HTTP event-loop threads; 0 = one per core */
    int workers;                     /* threads for handlers that wait on durable writes; 0 = four per core */
    int max_connections;
    int max_connections_per_ip;
    int connection_timeout_s;
    size_t body_limit;               /* JSON bodies */
    size_t pdf_body_limit;           /* POST /api/v1/verify/pdf */
    size_t body_budget;              /* bytes of request bodies held at once, all connections together */
    int request_deadline_s;          /* from the first byte of a request (or the end of the previous one) to its last */
    size_t min_body_rate;            /* bytes/s a body must keep up after a grace period; 0 = off */
    int connection_reserve;          /* connections beyond max_connections: only health and metrics are served on them */
    char log_level[8];
    int rate_public, rate_public_burst;  /* per client address on /v, /c, /api/v1/verify; 0 = off */
    int rate_api, rate_api_burst;        /* per API key on the other /api/ routes; 0 = off */
    char trusted_proxy[48];              /* address whose X-Forwarded-For is believed; "" = none */
    int rate_auth_failures, rate_auth_failures_burst; /* failed API authentications per client address; 0 = off */
    char metrics_allow[256];             /* addresses that may read /metrics, comma-separated */
    char tsa_url[512];                   /* RFC 3161 timestamping authority; "" = signatures are PAdES B-B */
    char tsa_ca[512];                    /* PEM file of the certificates a TSA certificate must chain to */
    char tsa_user[128];                  /* HTTP basic credentials for the TSA; "" = none */
    char tsa_password[256];
    int tsa_timeout_ms;                  /* the longest one timestamp request may take */
    int tsa_required;                    /* 1: no certificate without a timestamp (503 while the TSA is down);
                                            0: fall back on B-B and say so */
    char signing_key[1024];              /* a pkcs11: URI of the token key; "" = keys_dir/signing.key */
    char pkcs11_module[512];             /* the PKCS#11 library; "" = the URI's module-path */
    char pkcs11_pin[256];                /* the token's user PIN; "" = the URI's pin-source */
    char signer_subject[512];            /* "/C=AZ/O=…/CN=…": the subject of a certificate request */
    char ocsp_url[512];                  /* OCSP responder for every certificate checked, overriding their AIA; "" = AIA */
    int ocsp_timeout_ms;                 /* the longest one OCSP exchange may take */
    int transparency_log;                /* 1: every issue and revocation is appended to the public log and
                                            checkpoints are signed; 0: neither (the service publishes nothing) */
    char log_origin[256];                /* the log's origin in checkpoints; "" = host of public_base_url + "/log" */
} config;

/* The subject of a certificate request when ARAYIS_SIGNER_SUBJECT is unset. */
#define CONFIG_DEFAULT_SUBJECT "/C=AZ/O=“Azərişıq” ASC/CN=arayis document signing"

/* One setting as it appears in the environment and on the command line. */
typedef struct config_setting {
    const char *env;     /* "ARAYIS_LISTEN" */
    const char *flag;    /* "--listen" */
    const char *help;
} config_setting;

/* Fills c with the documented defaults. */
void config_defaults(config *c);

/* Sets the setting named by its environment name (e.g. "ARAYIS_VALIDITY_DAYS") from text, validating it.
   Returns 0, or -1 with e naming the setting and the problem (c unchanged then). */
int config_set(config *c, const char *env_name, const char *value, err *e);

/* Applies every ARAYIS_* variable present in the process environment. Returns 0 or -1 (e set). */
int config_apply_env(config *c, err *e);

/* Applies "--flag value" / "--flag=value" pairs from argv[first..argc-1]; any argument that is not a
   setting flag is an error. Returns 0 or -1 (e set). */
int config_apply_flags(config *c, int argc, char **argv, int first, err *e);

/* The table of settings (for --help), terminated by an entry with env == NULL. */
const config_setting *config_settings(void);

#endif
