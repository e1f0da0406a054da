/* The operator commands of an outbox ("list [--status S]" and "retry ID"), shared by `arayis sms` and
   `arayis webhooks`: each gives its usage, how it lists and how it queues a failed item again. */
#ifndef ARAYIS_CLI_QUEUE_CMD_H
#define ARAYIS_CLI_QUEUE_CMD_H

#include <stdio.h>

#include "store/db.h"

typedef struct queue_cmd {
    const char *item;                                     /* "message", "event": for the retry's answer */
    void (*usage)(FILE *out);
    int (*list)(db *d, const char *status, err *e);       /* prints the header and the items; returns the exit code */
    int (*retry)(db *d, long long id, long long now_ms, err *e);   /* 1 queued again, 0 no such failed item, -1 */
} queue_cmd;

/* Runs `arayis <command> list|retry …` with the settings that follow the words. Returns the exit status (2 for bad
   words or settings). */
int queue_cmd_run(const queue_cmd *q, int argc, char **argv);

#endif
