/* The schema migrations of each engine, in order: migration i brings the schema version from i to i+1 (SQLite keeps
   it in PRAGMA user_version, PostgreSQL in the schema_version table). */
#ifndef ARAYIS_STORE_SCHEMA_H
#define ARAYIS_STORE_SCHEMA_H

#include <stddef.h>

/* The SQLite migration scripts; *count receives how many there are. */
const char *const *schema_migrations(size_t *count);

/* The PostgreSQL migration scripts; *count receives how many there are. */
const char *const *schema_postgres_migrations(size_t *count);

#endif
