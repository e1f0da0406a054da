/* Shared helpers of the subcommands. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_config(config *c, int argc, char **argv, int first)
{
    err e = {0};
    config_defaults(c);
    if (config_apply_env(c, &e) != 0 || config_apply_flags(c, argc, argv, first, &e) != 0) {
        fprintf(stderr, "arayis: %s\n", e.msg);
        return -1;
    }
    return 0;
}

store *cli_open_store(const config *c)
{
    err e = {0};
    store *s = store_open(c->data_dir, c->database_url, &e);
    if (s == NULL && c->database_url[0])
        fprintf(stderr, "arayis: cannot open the PostgreSQL database: %s\n", e.msg);
    else if (s == NULL)
        fprintf(stderr, "arayis: cannot open the database in %s: %s\n", c->data_dir, e.msg);
    return s;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

void cli_print_settings(void)
{
    printf("settings (environment variable, flag, meaning):\n");
    for (const config_setting *s = config_settings(); s->env; s++)
        printf("  %-31s %-26s %s\n", s->env, s->flag, s->help);
}
