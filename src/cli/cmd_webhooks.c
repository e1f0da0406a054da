/* arayis webhooks list|retry: the operator's view of the portal events and their webhook deliveries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/backoff.h"
#include "store/events.h"

#define WEBHOOKS_LIST_LIMIT 200

static void usage(FILE *out)
{
    fprintf(out, "usage: arayis webhooks list [--status none|pending|delivered|failed] [settings]\n"
                 "       arayis webhooks retry ID [settings]\n"
                 "ID is the event's sequence number (first column of the list).\n");
}

static void print_event(const event_record *ev, void *ctx)
{
    (void)ctx;
    printf("%-8lld %-10s %-3d %-24s %-30s %s\n", ev->seq, event_delivery_name(ev->delivery), ev->attempts,
           event_type_name(ev->type), ev->event_id, ev->last_error[0] ? ev->last_error : "-");
}

static int run(const char *action, const char *arg, const config *c)
{
    store *s = cli_open_store(c);
    if (s == NULL)
        return 1;
    err e = {0};
    db *d = store_db(s, &e);
    int rc = 1;
    if (d == NULL) {
        /* reported below */
    } else if (strcmp(action, "list") == 0) {
        event_delivery wanted = arg ? event_delivery_parse(arg) : DELIVERY_COUNT;
        if (arg && wanted == DELIVERY_COUNT)
            err_set(&e, ERR_INVALID, "unknown status '%s'", arg);
        else {
            printf("%-8s %-10s %-3s %-24s %-30s %s\n", "ID", "STATUS", "TRY", "TYPE", "EVENT", "LAST ERROR");
            rc = events_each_by_delivery(d, wanted, WEBHOOKS_LIST_LIMIT, print_event, NULL, &e) == 0 ? 0 : 1;
        }
    } else {
        int done = events_retry(d, atoll(arg), backoff_now_ms(), &e);
        if (done >= 0)
            printf(done ? "event %s queued again\n" : "no failed event %s\n", arg);
        rc = done == 1 ? 0 : 1;
    }
    if (e.msg[0])
        fprintf(stderr, "arayis: %s\n", e.msg);
    store_close(s);
    return rc;
}

int cmd_webhooks(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *action, *arg;
    int first;
    if (cli_queue_words(argc, argv, &action, &arg, &first) != 0) {
        usage(stderr);
        return 2;
    }
    config c;
    if (cli_config(&c, argc, argv, first) != 0)
        return 2;
    return run(action, arg, &c);
}
