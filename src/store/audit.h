/* The audit log of administrative actions (key management, revocations). */
#ifndef ARAYIS_STORE_AUDIT_H
#define ARAYIS_STORE_AUDIT_H

#include <time.h>

#include "store/db.h"

/* Appends one entry; actor is a key name or "cli". target and detail may be NULL. Returns 0 or -1. */
int audit_append(db *d, time_t at, const char *actor, const char *action, const char *target, const char *detail, err *e);

#endif
