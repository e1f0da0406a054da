/* arayis sms list|retry: the operator's view of the SMS outbox. */
#include <stdio.h>

#include "cli/commands.h"
#include "cli/queue_cmd.h"
#include "notify/sms_text.h"
#include "store/outbox.h"

#define SMS_LIST_LIMIT 200

static void usage(FILE *out)
{
    fprintf(out, "usage: arayis sms list [--status pending|sent|failed] [settings]\n"
                 "       arayis sms retry ID [settings]\n");
}

static void print_message(const outbox_message *m, void *ctx)
{
    (void)ctx;
    char masked[32];
    sms_mask_number(m->recipient, masked, sizeof masked);
    printf("%-6lld %-8s %-3d %-14s %-40s %s\n", m->id, sms_status_name(m->status), m->attempts, masked, m->reference,
           m->last_error[0] ? m->last_error : "-");
}

/* Prints the messages with the status named status (all when NULL). A name no status has matches no message:
   the listing is empty. Returns the exit code. */
static int list_messages(db *d, const char *status, err *e)
{
    printf("%-6s %-8s %-3s %-14s %-40s %s\n", "ID", "STATUS", "TRY", "TO", "REFERENCE", "LAST ERROR");
    sms_status only;
    if (status != NULL && sms_status_parse(status, &only) != 0)
        return 0;
    return outbox_each(d, status != NULL ? &only : NULL, SMS_LIST_LIMIT, print_message, NULL, e) == 0 ? 0 : 1;
}

int cmd_sms(int argc, char **argv)
{
    static const queue_cmd sms = {"message", usage, list_messages, outbox_retry};
    return queue_cmd_run(&sms, argc, argv);
}
