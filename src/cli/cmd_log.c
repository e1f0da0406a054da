/* arayis log verify URL | arayis log check-store: the transparency log checked from outside and against the
   database. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/log_audit.h"
#include "cli/log_check.h"

static int usage(FILE *out)
{
    fprintf(out, "usage: arayis log verify URL [--state FILE] [--key VERIFIER_KEY]\n"
                 "       arayis log check-store [settings]\n"
                 "verify: fetches URL's checkpoint, checks its signature (--key, else the state file's key, else the\n"
                 "key published at URL/api/v1/keys, kept in the state file), its consistency with the checkpoint in\n"
                 "the state file, downloads the new entries and recomputes the root; the state file is rewritten.\n"
                 "check-store: each issued certificate and revocation has exactly one entry that matches the\n"
                 "database and the stored PDF; the stored subtree hashes and the latest checkpoint match the entries.\n"
                 "Exit status 1 on any mismatch.\n");
    return out == stdout ? 0 : 2;
}

static int verify(int argc, char **argv)
{
    const char *url = NULL, *state = NULL, *key = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--state") == 0 && i + 1 < argc)
            state = argv[++i];
        else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
            key = argv[++i];
        else if (url == NULL && strncmp(argv[i], "--", 2) != 0)
            url = argv[i];
        else
            return usage(stderr);
    }
    if (url == NULL)
        return usage(stderr);
    char base[1024];
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    if (n >= sizeof base)
        return usage(stderr);
    memcpy(base, url, n);
    base[n] = '\0';
    return log_audit_run(base, state, key);
}

static int check_store(int argc, char **argv)
{
    config c;
    if (cli_config(&c, argc, argv, 2) != 0)
        return 2;
    store *s = cli_open_store(&c);
    if (s == NULL)
        return 1;
    int rc = log_check_store(s, &c);
    store_close(s);
    return rc;
}

int cmd_log(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (cli_is_help(argv[1]))
        return usage(stdout);
    if (strcmp(argv[1], "verify") == 0)
        return verify(argc, argv);
    if (strcmp(argv[1], "check-store") == 0)
        return check_store(argc, argv);
    return usage(stderr);
}
