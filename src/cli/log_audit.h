/* The auditor of a transparency log: what it remembers between runs (the state file) and one run against the log's
   URL (arayis log verify). */
#ifndef ARAYIS_CLI_LOG_AUDIT_H
#define ARAYIS_CLI_LOG_AUDIT_H

/* One run: fetches URL's checkpoint, checks its signature with key (else the state's, else the key published at
   URL/api/v1/keys, kept in the state and said so), its consistency with the state's last checkpoint, downloads the
   entries after it and recomputes the root from the state's compact range. Prints what it checked to stdout and
   each mismatch to stderr; writes the new state atomically (state_path may be NULL: nothing is kept). Returns 0 all
   verified, 1 a mismatch or a failure (said on stderr). */
int log_audit_run(const char *url, const char *state_path, const char *key);

#endif
