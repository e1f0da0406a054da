/* arayis keys install-cert: puts the certification centre's answer in place as the signing certificate. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "crypto/enrol.h"

int cmd_keys(int argc, char **argv)
{
    if (argc < 3 || cli_is_help(argv[1]) || strcmp(argv[1], "install-cert") != 0) {
        printf("usage: arayis keys install-cert FILE.crt [CHAIN.pem] [settings]\n"
               "Checks that the certificate is for the configured signing key (token or file), is a document\n"
               "signing certificate (key usage digitalSignature or nonRepudiation), is valid now and was signed\n"
               "by its issuer (in CHAIN.pem, else the current ca.crt); then installs it as signing.crt, its issuer\n"
               "as ca.crt, and moves the previous certificate to retired/. Restart the service to sign with it.\n");
        return argc > 1 && cli_is_help(argv[1]) ? 0 : 2;
    }
    const char *chain = argc > 3 && strncmp(argv[3], "--", 2) != 0 ? argv[3] : NULL;
    config c;
    if (cli_config(&c, argc, argv, chain ? 4 : 3) != 0)
        return 2;
    err e = {0};
    enrol_installed done;
    if (enrol_install_cert(&c, argv[2], chain, &done, &e) != 0) {
        fprintf(stderr, "arayis: %s\n", e.msg);
        return 1;
    }
    printf("installed %s as the signing certificate (%s)\n", argv[2], done.subject);
    if (done.retired[0])
        printf("the previous signing certificate is kept in %s\n", done.retired);
    return 0;
}
