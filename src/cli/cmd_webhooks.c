/* arayis webhooks list|retry: the operator's view of the portal events and their webhook deliveries. */
#include <stdio.h>

#include "cli/commands.h"
#include "cli/queue_cmd.h"
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

/* Prints the events with the delivery state named status (all when NULL). Returns the exit code. */
static int list_events(db *d, const char *status, err *e)
{
    event_delivery wanted = status ? event_delivery_parse(status) : DELIVERY_COUNT;
    if (status && wanted == DELIVERY_COUNT) {
        err_set(e, ERR_INVALID, "unknown status '%s'", status);
        return 1;
    }
    printf("%-8s %-10s %-3s %-24s %-30s %s\n", "ID", "STATUS", "TRY", "TYPE", "EVENT", "LAST ERROR");
    return events_each_by_delivery(d, wanted, WEBHOOKS_LIST_LIMIT, print_event, NULL, e) == 0 ? 0 : 1;
}

int cmd_webhooks(int argc, char **argv)
{
    static const queue_cmd webhooks = {"event", usage, list_events, events_retry};
    return queue_cmd_run(&webhooks, argc, argv);
}
