/* arayis sms list|retry: the operator's view of the SMS outbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/backoff.h"
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
    sms_status only;
    if (status != NULL && sms_status_parse(status, &only) != 0)
        return 0;
    return outbox_each(d, status != NULL ? &only : NULL, SMS_LIST_LIMIT, print_message, NULL, e) == 0 ? 0 : 1;
}

/* Queues the failed message with id arg again. Returns the exit code. */
static int retry_message(db *d, const char *arg, err *e)
{
    int done = outbox_retry(d, atoll(arg), backoff_now_ms(), e);
    if (done >= 0)
        printf(done ? "message %s queued again\n" : "no failed message %s\n", arg);
    return done == 1 ? 0 : 1;
}

static int run(const char *action, const char *arg, const config *c)
{
    store *s = cli_open_store(c);
    if (s == NULL)
        return 1;
    err e = {0};
    int rc = 1;
    db *d = store_db(s, &e);
    if (d == NULL)
        goto out;
    if (strcmp(action, "list") == 0) {
        printf("%-6s %-8s %-3s %-14s %-40s %s\n", "ID", "STATUS", "TRY", "TO", "REFERENCE", "LAST ERROR");
        rc = list_messages(d, arg, &e);
    } else {
        rc = retry_message(d, arg, &e);
    }
out:
    if (e.msg[0])
        fprintf(stderr, "arayis: %s\n", e.msg);
    store_close(s);
    return rc;
}

int cmd_sms(int argc, char **argv)
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
