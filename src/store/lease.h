/* Leases on outbox rows: a sender takes a batch of due rows by moving their next attempt to the end of its lease,
   provided each row is still due (nobody took it, sent it or put it off since it was read). */
#ifndef ARAYIS_STORE_LEASE_H
#define ARAYIS_STORE_LEASE_H

#include "store/db.h"

/* The most rows one lease statement takes. */
#define LEASE_BATCH_MAX 32

/* The id list of a lease statement: ?3 ... ?34 (unused places are bound to NULL and match nothing). The statement
   tests the rows' state through coalesce, which no index on (state, next_attempt_at) serves: its rows are found by
   id, never by a walk of that index, whose entries of every row pending since the last vacuum a scan visits. */
#define LEASE_IDS \
    "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, " \
    "?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34"

/* Runs sql, an UPDATE ... RETURNING id whose ?1 is the end of the lease, ?2 the time the rows must still be due at,
   and LEASE_IDS the ids of the n (at most LEASE_BATCH_MAX) rows wanted. Writes the ids it took into taken and
   returns how many, or -1 with e set. */
int lease_take(db *d, const char *sql, const long long *ids, int n, long long due_ms, long long until_ms,
               long long *taken, err *e);

#endif
