/* arayis keygen: makes a development CA and signing key in ARAYIS_KEYS_DIR. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "crypto/signer.h"

int cmd_keygen(int argc, char **argv)
{
    const char *type = "ec";
    int first = 1;
    if (argc > 1 && cli_is_help(argv[1])) {
        printf("usage: arayis keygen [--key ec|rsa] [settings]\n"
               "Makes a DEVELOPMENT root CA and a signing certificate in ARAYIS_KEYS_DIR when it holds no key.\n"
               "Production keys are placed by hand: see keys/README.md.\n");
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "--key") == 0) {
        type = argv[2];
        first = 3;
    }
    if (strcmp(type, "ec") != 0 && strcmp(type, "rsa") != 0) {
        fprintf(stderr, "arayis: --key takes ec or rsa\n");
        return 2;
    }
    config c;
    if (cli_config(&c, argc, argv, first) != 0)
        return 2;
    err e = {0};
    int created = 0;
    if (signer_ensure_dev_keys(c.keys_dir, type, &created, &e) != 0) {
        fprintf(stderr, "arayis: %s\n", e.msg);
        return 1;
    }
    if (created)
        printf("made development %s keys in %s\n", type, c.keys_dir);
    else
        printf("%s already holds a signing key; nothing changed\n", c.keys_dir);
    return 0;
}
