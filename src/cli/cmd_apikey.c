/* arayis apikey create|update|list|revoke: key management on the command line; a new key and a new webhook secret
   are printed once. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "crypto/apikey_secret.h"
#include "store/apikeys.h"
#include "store/audit.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: arayis apikey create NAME --role portal|billing|admin [--webhook URL] [settings]\n"
                 "       arayis apikey update NAME --webhook URL [settings]\n"
                 "       arayis apikey list [settings]\n"
                 "       arayis apikey revoke NAME [settings]\n"
                 "NAME: 1-64 characters of A-Z a-z 0-9 . _ -. The new key is printed alone on the last line, once;\n"
                 "a portal key's webhook secret is printed once, on a line 'webhook secret: ...' before it.\n");
}

static int valid_name(const char *name)
{
    size_t n = strlen(name);
    return n >= 1 && n <= APIKEY_NAME_MAX &&
           strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* Gives the named key its webhook in the caller's transaction; secret is "" after the call unless the key got it
   as its new webhook secret. */
static int set_webhook(db *d, const char *name, const char *url, char secret[WEBHOOK_SECRET_LEN + 1], err *e)
{
    int given = 0;
    if (webhook_secret_generate(secret) != 0)
        return err_set(e, ERR_RANDOM, "no randomness available");
    int found = apikeys_set_webhook(d, name, url, secret, &given, e);
    if (found == 0)
        return err_set(e, ERR_NOT_FOUND, "no active portal key named '%s'", name);
    if (found < 0 || audit_append(d, time(NULL), "cli", "apikey.webhook", name, url, e) != 0)
        return -1;
    if (!given)
        secret[0] = '\0';
    return 0;
}

/* The line that hands a new webhook secret over, once. */
static void print_secret(const char *secret)
{
    if (secret[0])
        printf("webhook secret: %s\n", secret);
}

static int create_key(db *d, const char *name, apikey_role role, const char *webhook)
{
    char key[APIKEY_TEXT_LEN + 1], hash[SHA256_HEX_LEN + 1], secret[WEBHOOK_SECRET_LEN + 1] = "";
    err e = {0};
    time_t now = time(NULL);
    if (apikey_generate(key, hash) != 0) {
        fprintf(stderr, "arayis: no randomness available\n");
        return 1;
    }
    if (db_begin(d, &e) != 0 || apikeys_insert(d, name, role, hash, now, &e) != 0 ||
        audit_append(d, now, "cli", "apikey.create", name, apikey_role_name(role), &e) != 0 ||
        (webhook != NULL && set_webhook(d, name, webhook, secret, &e) != 0) || db_commit(d, &e) != 0) {
        db_rollback(d);
        fprintf(stderr, "arayis: cannot create key '%s': %s\n", name,
                e.code == ERR_CONFLICT ? "the name is taken" : e.msg);
        return 1;
    }
    print_secret(secret);
    printf("created %s key '%s'; store it now, it is not shown again:\n%s\n", apikey_role_name(role), name, key);
    return 0;
}

static int update_key(db *d, const char *name, const char *webhook)
{
    err e = {0};
    char secret[WEBHOOK_SECRET_LEN + 1] = "";
    if (db_begin(d, &e) != 0 || set_webhook(d, name, webhook, secret, &e) != 0 || db_commit(d, &e) != 0) {
        db_rollback(d);
        fprintf(stderr, "arayis: cannot update key '%s': %s\n", name, e.msg);
        return 1;
    }
    print_secret(secret);
    printf("updated the webhook of '%s'%s\n", name, secret[0] ? "" : "; its webhook secret is unchanged");
    return 0;
}

static void print_row(const apikey_row *row, void *ctx)
{
    (void)ctx;
    char created[32];
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&row->created_at));
    printf("%-24s %-8s %s %-7s %s\n", row->name, apikey_role_name(row->role), created,
           row->revoked_at ? "revoked" : "active", row->webhook_url[0] ? row->webhook_url : "-");
}

static int revoke_key(db *d, const char *name)
{
    err e = {0};
    time_t now = time(NULL);
    int revoked = -1;
    if (db_begin(d, &e) == 0 && (revoked = apikeys_revoke(d, name, now, &e)) >= 0 &&
        (revoked == 0 || audit_append(d, now, "cli", "apikey.revoke", name, NULL, &e) == 0) && db_commit(d, &e) == 0) {
        printf(revoked ? "revoked '%s'\n" : "no active key named '%s'\n", name);
        return revoked ? 0 : 1;
    }
    db_rollback(d);
    fprintf(stderr, "arayis: %s\n", e.msg);
    return 1;
}

/* Runs the chosen action on an open store. */
static int run(const char *action, const char *name, apikey_role role, const char *webhook, const config *c)
{
    store *s = cli_open_store(c);
    if (s == NULL)
        return 1;
    err e = {0};
    db *d = store_db(s, &e);
    int rc = 1;
    if (d == NULL)
        fprintf(stderr, "arayis: %s\n", e.msg);
    else if (strcmp(action, "create") == 0)
        rc = create_key(d, name, role, webhook);
    else if (strcmp(action, "update") == 0)
        rc = update_key(d, name, webhook);
    else if (strcmp(action, "revoke") == 0)
        rc = revoke_key(d, name);
    else if (apikeys_each(d, print_row, NULL, &e) == 0)
        rc = 0;
    store_close(s);
    return rc;
}

int cmd_apikey(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *action = argv[1], *name = NULL, *webhook = NULL;
    apikey_role role = ROLE_NONE;
    int first = 2;
    int creates = strcmp(action, "create") == 0, updates = strcmp(action, "update") == 0;
    int needs_name = creates || updates || strcmp(action, "revoke") == 0;
    if (!needs_name && strcmp(action, "list") != 0) {
        usage(stderr);
        return 2;
    }
    if (needs_name && (argc < 3 || !valid_name(argv[2]))) {
        fprintf(stderr, "arayis: a key NAME of 1-64 characters [A-Za-z0-9._-] is required\n");
        return 2;
    }
    if (needs_name)
        name = argv[first++];
    if (creates) {
        if (first + 1 >= argc || strcmp(argv[first], "--role") != 0 || (role = apikey_role_parse(argv[first + 1])) == ROLE_NONE) {
            fprintf(stderr, "arayis: --role portal|billing|admin is required\n");
            return 2;
        }
        first += 2;
    }
    if ((creates || updates) && first + 1 < argc && strcmp(argv[first], "--webhook") == 0) {
        webhook = argv[first + 1];
        first += 2;
    }
    if (updates && webhook == NULL) {
        fprintf(stderr, "arayis: --webhook URL is required\n");
        return 2;
    }
    if (webhook != NULL && (!webhook_url_valid(webhook) || (creates && role != ROLE_PORTAL))) {
        fprintf(stderr, "arayis: --webhook needs a portal key and an http(s) URL of at most %d bytes\n", WEBHOOK_URL_MAX);
        return 2;
    }
    config c;
    if (cli_config(&c, argc, argv, first) != 0)
        return 2;
    return run(action, name, role, webhook, &c);
}
