/* Leases on outbox rows: a sender takes a due row by moving its next attempt to the end of its lease, provided the
   row is still as the sender read it. */
#ifndef ARAYIS_STORE_LEASE_H
#define ARAYIS_STORE_LEASE_H

#include "store/db.h"

/* Runs sql, an UPDATE whose ?1 is the row's id, ?2 the next-attempt time the row was read with and ?3 the end of the
   lease. Returns 1 when it changed the row (the lease is the caller's), 0 when another sender changed it first,
   -1 with e set. */
int lease_take(db *d, const char *sql, long long id, long long seen_ms, long long until_ms, err *e);

#endif
