/* arayis backup FILE / arayis restore FILE: online backup into an SQLite file while serving; restore (SQLite) with the
   service stopped. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/copy_check.h"
#include "cli/log_check.h"
#include "store/backup.h"

int cmd_backup(int argc, char **argv)
{
    int restore = strcmp(argv[0], "restore") == 0;
    if (argc < 2 || cli_is_help(argv[1])) {
        printf(restore ? "usage: arayis restore FILE [settings]\nInstalls a backup as the database (stop the service first).\n"
                       : "usage: arayis backup FILE [settings]\nChecks the database against its transparency log (as arayis log"
                         " check-store), then copies it to FILE, a new SQLite database (safe while serving).\n");
        return argc < 2 ? 2 : 0;
    }
    config c;
    if (cli_config(&c, argc, argv, 2) != 0)
        return 2;
    err e = {0};
    int rc = -1;
    if (restore && c.database_url[0]) {
        fprintf(stderr, "arayis: restore installs an SQLite database; to load a backup into PostgreSQL, put it as"
                        " arayis.db in a data directory and run `arayis store copy --to URL` with ARAYIS_DATA_DIR"
                        " there and no ARAYIS_DATABASE_URL\n");
        return 1;
    }
    if (restore) {
        rc = backup_restore(argv[1], c.data_dir, &e);
    } else {
        copy_check check = {.out = NULL};
        copy_hooks hooks = copy_check_hooks(&check);
        store *s = cli_open_store(&c);
        if (s != NULL && log_check_store(s, &c) != 0) {
            store_close(s);
            fprintf(stderr, "arayis: no backup: the database does not match its transparency log\n");
            return 1;
        }
        rc = s ? backup_to_file(s, argv[1], &hooks, &e) : -1;
        store_close(s);
    }
    if (rc != 0)
        fprintf(stderr, "arayis: %s\n", e.msg[0] ? e.msg : "failed");
    else if (restore)
        printf("restored %s into %s\n", argv[1], c.data_dir);
    else
        printf("backed up to %s\n", argv[1]);
    return rc == 0 ? 0 : 1;
}
