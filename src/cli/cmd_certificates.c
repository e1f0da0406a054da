/* arayis certificates failed: the operator's list of void certificate numbers, with when and why. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/timeutil.h"
#include "store/certificates.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: arayis certificates failed [settings]\n"
                 "Lists the void certificate numbers: taken, but the document could not be rendered or signed.\n"
                 "Each stays taken (never reused); its application is failed. Columns: number, application, time\n"
                 "voided (UTC), reason.\n");
}

static void print_void(const certificate_void *v, void *ctx)
{
    int *count = ctx;
    char at[TIME_TEXT_MAX];
    printf("%-16s %-27s %-21s %s\n", v->number, v->application_id, time_format_rfc3339(v->voided_at, at), v->reason);
    (*count)++;
}

int cmd_certificates(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "failed") != 0) {
        usage(stderr);
        return 2;
    }
    config c;
    if (cli_config(&c, argc, argv, 2) != 0)
        return 2;
    store *s = cli_open_store(&c);
    if (s == NULL)
        return 1;
    err e = {0};
    db *d = store_db(s, &e);
    int count = 0, rc = 1;
    printf("%-16s %-27s %-21s %s\n", "NUMBER", "APPLICATION", "VOIDED AT", "REASON");
    if (d != NULL && certificates_each_void(d, print_void, &count, &e) == 0) {
        printf("%d void certificate(s)\n", count);
        rc = 0;
    } else {
        fprintf(stderr, "arayis: %s\n", e.msg);
    }
    store_close(s);
    return rc;
}
