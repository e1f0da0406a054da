/* The arayis command line: picks a subcommand and hands it the remaining arguments. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"serve", cmd_serve, "run the HTTP service"},
    {"apikey", cmd_apikey, "create, list and revoke API keys"},
    {"backup", cmd_backup, "copy the live database to a file"},
    {"bench", cmd_bench, "measure rendering and issuing; seed data for HTTP benchmarks"},
    {"billing", cmd_billing, "import subscriber balances from CSV"},
    {"certificates", cmd_certificates, "list void certificate numbers (failed)"},
    {"keygen", cmd_keygen, "make development signing keys, or a key pair in a PKCS#11 token"},
    {"csr", cmd_csr, "write a certificate request for the signing key"},
    {"keys", cmd_keys, "install a signing certificate (install-cert)"},
    {"log", cmd_log, "audit the transparency log (verify URL) or check it against the database (check-store)"},
    {"render", cmd_render, "render and sign a sample certificate"},
    {"restore", cmd_backup, "install a backup as the database (service stopped)"},
    {"routes", cmd_routes, "list the HTTP routes"},
    {"sms", cmd_sms, "list and retry SMS messages"},
    {"store", cmd_store, "copy the whole database into an empty one (copy --to)"},
    {"verify", cmd_verify, "check a certificate PDF's signature"},
    {"webhooks", cmd_webhooks, "list and retry portal event deliveries"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: arayis <command> [options]   (arayis <command> --help for details)\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        puts("arayis " ARAYIS_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "arayis: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
