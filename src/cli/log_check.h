/* arayis log check-store, shared with arayis backup: the database against its transparency log, with the problems
   printed. */
#ifndef ARAYIS_CLI_LOG_CHECK_H
#define ARAYIS_CLI_LOG_CHECK_H

#include "core/config.h"
#include "store/store.h"

/* Checks s against its log with the log key of c->keys_dir, printing a summary to stdout and each problem to
   stderr. Returns 0 when all matches, 1 otherwise (a problem, or the check could not run). */
int log_check_store(store *s, const config *c);

#endif
