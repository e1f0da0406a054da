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

static int serve(app *a, metrics *m, sigset_t *stop_signals)
{
    size_t nroutes;
    const http_route *routes = api_routes(&nroutes);
    http_server_spec spec = {routes, nroutes, a, api_on_error, m, a->public_limit};
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
    return 0;
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
    store *st = cli_open_store(&a.cfg);
    metrics *m = metrics_new(api_route_names(), nroutes);
    a.public_limit = ratelimit_new(a.cfg.rate_public, a.cfg.rate_public_burst);
    a.api_limit = ratelimit_new(a.cfg.rate_api, a.cfg.rate_api_burst);
    a.auth_failure_limit = ratelimit_new(a.cfg.rate_auth_failures, a.cfg.rate_auth_failures_burst);
    err e = {0};
    if (st != NULL && m != NULL && a.public_limit && a.api_limit && a.auth_failure_limit) {
        if ((a.svc = services_start(&a.cfg, st, m, &e)) == NULL || (a.web = web_pages_load(&e)) == NULL)
            log_printf(LOG_ERROR, "start_failed", "%s", e.msg);
        else
            rc = serve(&a, m, &stop_signals);
    }
    web_pages_free(a.web);
    services_stop(a.svc);
    ratelimit_free(a.public_limit);
    ratelimit_free(a.api_limit);
    ratelimit_free(a.auth_failure_limit);
    metrics_free(m);
    store_close(st);
    curl_global_cleanup();
    log_printf(LOG_INFO, "stopped", "exit status %d", rc);
    return rc;
}
