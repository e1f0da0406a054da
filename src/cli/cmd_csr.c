/* arayis csr: a PKCS#10 request for the signing key, to send to the certification centre. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "crypto/enrol.h"

int cmd_csr(int argc, char **argv)
{
    if (argc < 3 || cli_is_help(argv[1]) || strcmp(argv[1], "--out") != 0) {
        printf("usage: arayis csr --out FILE.csr [settings]\n"
               "Writes a certificate request signed by the configured signing key (the token key of\n"
               "ARAYIS_SIGNING_KEY, else the key file of ARAYIS_KEYS_DIR) for the subject ARAYIS_SIGNER_SUBJECT.\n");
        return argc > 1 && cli_is_help(argv[1]) ? 0 : 2;
    }
    config c;
    if (cli_config(&c, argc, argv, 3) != 0)
        return 2;
    err e = {0};
    if (enrol_write_csr(&c, argv[2], &e) != 0) {
        fprintf(stderr, "arayis: %s\n", e.msg);
        return 1;
    }
    printf("wrote %s for %s\n", argv[2], c.signer_subject);
    return 0;
}
