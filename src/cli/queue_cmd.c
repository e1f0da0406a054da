/* The list and retry words of the outbox commands, and the store around them. */
#include "cli/queue_cmd.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/backoff.h"

/* Reads "list [--status S]" or "retry ID": sets *arg (the status, the id, or NULL) and *first (the first setting
   flag). Returns 0, or -1 when the words are neither. */
static int read_words(int argc, char **argv, const char **arg, int *first)
{
    const char *action = argv[1];
    *arg = NULL;
    *first = 2;
    if (strcmp(action, "list") == 0 && argc > 3 && strcmp(argv[2], "--status") == 0) {
        *arg = argv[3];
        *first = 4;
    } else if (strcmp(action, "retry") == 0 && argc > 2 && atoll(argv[2]) > 0) {
        *arg = argv[2];
        *first = 3;
    } else if (strcmp(action, "list") != 0)
        return -1;
    return 0;
}

static int run(const queue_cmd *q, const char *action, const char *arg, const config *c)
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
        rc = q->list(d, arg, &e);
        goto out;
    }
    int done = q->retry(d, atoll(arg), backoff_now_ms(), &e);
    if (done >= 0)
        printf(done ? "%s %s queued again\n" : "no failed %s %s\n", q->item, arg);
    rc = done == 1 ? 0 : 1;
out:
    if (e.msg[0])
        fprintf(stderr, "arayis: %s\n", e.msg);
    store_close(s);
    return rc;
}

int queue_cmd_run(const queue_cmd *q, int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        q->usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *arg;
    int first;
    if (read_words(argc, argv, &arg, &first) != 0) {
        q->usage(stderr);
        return 2;
    }
    config c;
    if (cli_config(&c, argc, argv, first) != 0)
        return 2;
    return run(q, argv[1], arg, &c);
}
