/* arayis keygen: development keys in ARAYIS_KEYS_DIR, a key pair inside a PKCS#11 token, a development
   certificate for a request, or the transparency log's key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "crypto/enrol.h"
#include "crypto/log_key.h"
#include "crypto/pkcs11.h"
#include "crypto/signer.h"

/* The words of keygen before the settings. */
typedef struct keygen_args {
    const char *type;        /* "ec" or "rsa" */
    const char *pkcs11;      /* a token key URI, or NULL */
    const char *csr, *out;   /* --sign-csr FILE --out FILE, or NULL */
    int days;
    int log;                 /* --log: the transparency log's key */
    int first;               /* the first settings argument */
} keygen_args;

static int parse_args(int argc, char **argv, keygen_args *a)
{
    *a = (keygen_args){"ec", NULL, NULL, NULL, 365, 0, 1};
    while (a->first < argc && strcmp(argv[a->first], "--log") == 0) {
        a->log = 1;
        a->first++;
    }
    while (a->first + 1 < argc && strncmp(argv[a->first], "--", 2) == 0) {
        const char *flag = argv[a->first], *value = argv[a->first + 1];
        if (strcmp(flag, "--key") == 0)
            a->type = value;
        else if (strcmp(flag, "--pkcs11") == 0)
            a->pkcs11 = value;
        else if (strcmp(flag, "--sign-csr") == 0)
            a->csr = value;
        else if (strcmp(flag, "--out") == 0)
            a->out = value;
        else if (strcmp(flag, "--days") == 0)
            a->days = atoi(value);
        else
            break;
        a->first += 2;
    }
    if (strcmp(a->type, "ec") != 0 && strcmp(a->type, "rsa") != 0) {
        fprintf(stderr, "arayis: --key takes ec or rsa\n");
        return -1;
    }
    if ((a->csr == NULL) != (a->out == NULL) || a->days < 1 || a->days > 3650) {
        fprintf(stderr, "arayis: --sign-csr needs --out, and --days is 1 to 3650\n");
        return -1;
    }
    if (a->pkcs11 != NULL && !p11_is_uri(a->pkcs11)) {
        fprintf(stderr, "arayis: --pkcs11 takes a pkcs11: URI\n");
        return -1;
    }
    return 0;
}

static int log_key(const config *c)
{
    err e = {0};
    int created = 0;
    if (log_key_ensure(c->keys_dir, &created, &e) != 0) {
        fprintf(stderr, "arayis: %s\n", e.msg);
        return 1;
    }
    printf(created ? "made a transparency log key (Ed25519) in %s/" LOG_KEY_FILE "\n"
                   : "%s already holds a transparency log key; nothing changed\n",
           c->keys_dir);
    return 0;
}

static int dev_keys(const config *c, const char *type)
{
    err e = {0};
    int created = 0;
    if (signer_ensure_dev_keys(c->keys_dir, type, &created, &e) != 0) {
        fprintf(stderr, "arayis: %s\n", e.msg);
        return 1;
    }
    if (created)
        printf("made development %s keys in %s\n", type, c->keys_dir);
    else
        printf("%s already holds a signing key; nothing changed\n", c->keys_dir);
    return 0;
}

int cmd_keygen(int argc, char **argv)
{
    if (argc > 1 && cli_is_help(argv[1])) {
        printf("usage: arayis keygen [--key ec|rsa] [settings]\n"
               "       arayis keygen --log [settings]\n"
               "       arayis keygen --pkcs11 URI [--key ec|rsa] [settings]\n"
               "       arayis keygen --sign-csr FILE.csr --out FILE.crt [--days N] [settings]\n"
               "Without --pkcs11 or --sign-csr: makes a DEVELOPMENT root CA and a signing certificate in\n"
               "ARAYIS_KEYS_DIR when it holds no key.\n"
               "--pkcs11: makes the key pair inside the token (ARAYIS_PKCS11_MODULE, ARAYIS_PKCS11_PIN or the\n"
               "URI's pin-source); the private key never leaves it. Then: arayis csr, arayis keys install-cert.\n"
               "--sign-csr: the DEVELOPMENT CA of ARAYIS_KEYS_DIR issues a signing certificate for a request\n"
               "(N days, 365 by default), standing in for the certification centre.\n"
               "--log: makes the transparency log's Ed25519 key (" LOG_KEY_FILE ", mode 0600) in ARAYIS_KEYS_DIR when it\n"
               "holds none.\n");
        return 0;
    }
    keygen_args a;
    config c;
    if (parse_args(argc, argv, &a) != 0 || cli_config(&c, argc, argv, a.first) != 0)
        return 2;
    if (a.log)
        return log_key(&c);
    err e = {0};
    if (a.pkcs11 != NULL) {
        p11_settings ps = {a.pkcs11, c.pkcs11_module, c.pkcs11_pin};
        if (p11_generate(&ps, a.type, &e) != 0) {
            fprintf(stderr, "arayis: %s\n", e.msg);
            return 1;
        }
        printf("made an %s key pair in the token: %s\n", a.type, a.pkcs11);
        return 0;
    }
    if (a.csr != NULL) {
        if (enrol_dev_sign_csr(c.keys_dir, a.csr, a.out, a.days, &e) != 0) {
            fprintf(stderr, "arayis: %s\n", e.msg);
            return 1;
        }
        printf("the DEVELOPMENT CA issued %s for %s\n", a.out, a.csr);
        return 0;
    }
    return dev_keys(&c, a.type);
}
