/* Scratch directories for unit tests that need real files: made under /tmp, removed with everything in them. */
#ifndef ARAYIS_TESTS_SCRATCH_DIR_H
#define ARAYIS_TESTS_SCRATCH_DIR_H

#include <stdio.h>
#include <stdlib.h>

#define SCRATCH_DIR_LEN 64

/* Makes /tmp/arayis-NAME-XXXXXX into dir. Returns 0 or -1. */
static inline int scratch_dir_make(char dir[SCRATCH_DIR_LEN], const char *name)
{
    snprintf(dir, SCRATCH_DIR_LEN, "/tmp/arayis-%s-XXXXXX", name);
    return mkdtemp(dir) != NULL ? 0 : -1;
}

/* Removes dir and its contents. Returns 0 or -1. */
static inline int scratch_dir_remove(const char *dir)
{
    char cmd[SCRATCH_DIR_LEN + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
