/* What the subcommands share: settings from the environment and flags, and opening the store. */
#ifndef ARAYIS_CLI_CLI_H
#define ARAYIS_CLI_CLI_H

#include "core/config.h"
#include "store/store.h"

/* Fills c from defaults, ARAYIS_* variables, then the setting flags in argv[first..argc-1].
   Prints the problem to stderr and returns -1 on a bad value or unknown flag. */
int cli_config(config *c, int argc, char **argv, int first);

/* Opens (and migrates) the store in c->data_dir; prints the problem and returns NULL on failure. */
store *cli_open_store(const config *c);

/* True when arg is "--help" or "-h". */
int cli_is_help(const char *arg);

/* Prints the table of settings (environment variable, flag, meaning) to stdout. */
void cli_print_settings(void);

#endif
