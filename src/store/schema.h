/* The schema migrations, in order: migration i brings PRAGMA user_version from i to i+1. */
#ifndef ARAYIS_STORE_SCHEMA_H
#define ARAYIS_STORE_SCHEMA_H

#include <stddef.h>

/* The migration scripts; *count receives how many there are. */
const char *const *schema_migrations(size_t *count);

#endif
