/* arayis serve: opens the store, starts the HTTP server, and stops cleanly on SIGTERM or SIGINT. */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "api/app.h"
#include "api/respond.h"
#include "api/routes.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "core/log.h"
#include "core/share.h"
#include "http/server.h"

#define SHUTDOWN_GRACE_SECONDS 30

static void usage(void)
{
    printf("usage: arayis serve [settings]\nRuns the HTTP service until SIGTERM or SIGINT.\n\n");
    cli_print_settings();
}

static log_level parse_level(const char *name)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return (log_level)i;
    return LOG_INFO;
}

/* Blocks SIGTERM/SIGINT in this thread and every thread started after, so sigwait receives them. */
static void block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int serve(app *a, sigset_t *stop_signals)
{
    size_t nroutes;
    const http_route *routes = api_routes(&nroutes);
    http_server_spec spec = {routes, nroutes, a, api_on_error, a->metrics, a->public_limit};
    err e = {0};
    http_server *srv = http_server_start(&a->cfg, &spec, &e);
    if (srv == NULL) {
        log_printf(LOG_ERROR, "start_failed", "%s", e.msg);
        return 1;
    }
    log_write(LOG_INFO, "listening", json_pack("{s:s, s:i, s:s}", "host", a->cfg.listen_host, "port",
                                               http_server_port(srv), "public_base_url", a->cfg.public_base_url));
    int sig = 0;
    sigwait(stop_signals, &sig);
    log_printf(LOG_INFO, "stopping", "signal %d: finishing requests in flight", sig);
    http_server_stop(srv, SHUTDOWN_GRACE_SECONDS);
    sms_sender_stop(a->sender);
    a->sender = NULL;
    return 0;
}

/* Loads keys (making development ones when there are none), templates and fonts. Returns 0 or -1 (logged). */
static int load_issuing(app *a)
{
    err e = {0};
    int created = 0;
    if (signer_ensure_dev_keys(a->cfg.keys_dir, NULL, &created, &e) != 0)
        goto fail;
    if (created)
        log_printf(LOG_WARN, "dev_keys_created", "made a DEVELOPMENT CA and signing key in %s: not for production",
                   a->cfg.keys_dir);
    if ((a->signer = signer_load(a->cfg.keys_dir, &e)) == NULL || (a->keyring = keyring_load(a->cfg.keys_dir, &e)) == NULL ||
        (a->renderer = pdf_renderer_open(share_dir(), &e)) == NULL || (a->messages = sms_messages_load(&e)) == NULL ||
        (a->web = web_pages_load(&e)) == NULL)
        goto fail;
    a->issuer = (issuer){a->store, a->renderer, a->signer, a->messages, &a->cfg};
    a->counter_issued = metrics_counter(a->metrics, "arayis_certificates_issued_total", "Certificates issued.");
    a->counter_rejected = metrics_counter(a->metrics, "arayis_applications_rejected_total", "Applications rejected.");
    a->counter_sms_queued = metrics_counter(a->metrics, "arayis_sms_queued_total", "SMS messages queued.");
    a->counter_void = metrics_counter(a->metrics, "arayis_certificates_void_total",
                                      "Certificate numbers voided because their document could not be made.");
    issuing_resumed resumed;
    if (issuing_resume(&a->issuer, &resumed, &e) != 0)
        goto fail;
    metrics_add(a->metrics, a->counter_void, (unsigned long)resumed.voided);
    if (resumed.issued > 0 || resumed.voided > 0)
        log_printf(LOG_WARN, "issues_resumed", "completed %d interrupted certificate(s), voided %d (arayis certificates failed)",
                   resumed.issued, resumed.voided);
    if (resumed.left > 0)
        log_printf(LOG_ERROR, "issues_left_pending", "%d interrupted certificate(s) left for the next start: %s",
                   resumed.left, e.msg);
    log_write(LOG_INFO, "signing_key", json_pack("{s:s}", "subject", signer_subject(a->signer)));
    if ((a->sender = sms_sender_start(&a->cfg, a->store, a->metrics, &e)) == NULL)
        goto fail;
    return 0;
fail:
    log_printf(LOG_ERROR, "start_failed", "%s", e.msg);
    return -1;
}

static void unload_issuing(app *a)
{
    sms_sender_stop(a->sender);
    web_pages_free(a->web);
    sms_messages_free(a->messages);
    pdf_renderer_close(a->renderer);
    keyring_free(a->keyring);
    signer_free(a->signer);
}

int cmd_serve(int argc, char **argv)
{
    if (argc > 1 && cli_is_help(argv[1])) {
        usage();
        return 0;
    }
    app a = {0};
    if (cli_config(&a.cfg, argc, argv, 1) != 0)
        return 2;
    sigset_t stop_signals;
    block_stop_signals(&stop_signals); /* before any thread starts, so every thread inherits the mask */
    log_set_level(parse_level(a.cfg.log_level));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = 1;
    size_t nroutes;
    api_routes(&nroutes);
    a.store = cli_open_store(&a.cfg);
    a.metrics = metrics_new(api_route_names(), nroutes);
    a.public_limit = ratelimit_new(a.cfg.rate_public, a.cfg.rate_public_burst);
    a.api_limit = ratelimit_new(a.cfg.rate_api, a.cfg.rate_api_burst);
    a.auth_failure_limit = ratelimit_new(a.cfg.rate_auth_failures, a.cfg.rate_auth_failures_burst);
    if (a.store != NULL && a.metrics != NULL && a.public_limit && a.api_limit && a.auth_failure_limit &&
        load_issuing(&a) == 0)
        rc = serve(&a, &stop_signals);
    unload_issuing(&a);
    ratelimit_free(a.public_limit);
    ratelimit_free(a.api_limit);
    ratelimit_free(a.auth_failure_limit);
    metrics_free(a.metrics);
    store_close(a.store);
    curl_global_cleanup();
    log_printf(LOG_INFO, "stopped", "exit status %d", rc);
    return rc;
}
