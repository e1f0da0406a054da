/* arayis store copy --to TARGET: copies the whole database the settings point at into an empty database, PostgreSQL
   or a new SQLite file, and checks the copy (row counts, every document's SHA-256). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/copy_check.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: arayis store copy --to TARGET [settings]\n"
                 "Copies the whole database the settings point at into the empty database TARGET: a PostgreSQL\n"
                 "connection string (postgresql://...) or the path of a new SQLite file. Refuses a target holding\n"
                 "any row. Compares each table's row count and every document's SHA-256 before it commits.\n"
                 "Stop the service first.\n");
}

/* Copies the database of source into target; prints the counts, or the problem to stderr. Returns 0 or -1. */
static int copy_to(store *source, const char *target)
{
    err e = {0};
    copy_check check = {.out = stdout};
    copy_hooks hooks = copy_check_hooks(&check);
    store *to = store_open_at(store_engine_of_target(target), target, &e);
    db *from = to != NULL ? store_db(source, &e) : NULL;
    db *into = from != NULL ? store_db(to, &e) : NULL;
    int rc = into != NULL ? copy_database(from, into, &hooks, &e) : -1;
    store_close(to);
    if (rc != 0) {
        fprintf(stderr, "arayis: store copy: %s\n", e.msg[0] ? e.msg : "failed");
        return -1;
    }
    printf("documents: %lld checked\ncopy complete\n", check.documents);
    return 0;
}

int cmd_store(int argc, char **argv)
{
    if (argc >= 2 && cli_is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    if (argc < 4 || strcmp(argv[1], "copy") != 0 || strcmp(argv[2], "--to") != 0 || argv[3][0] == '\0') {
        usage(stderr);
        return 2;
    }
    config c;
    if (cli_config(&c, argc, argv, 4) != 0)
        return 2;
    store *source = cli_open_store(&c);
    int rc = source != NULL ? copy_to(source, argv[3]) : -1;
    store_close(source);
    return rc == 0 ? 0 : 1;
}
