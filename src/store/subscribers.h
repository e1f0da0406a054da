/* The subscribers table: the billing system's balance per subscriber code. */
#ifndef ARAYIS_STORE_SUBSCRIBERS_H
#define ARAYIS_STORE_SUBSCRIBERS_H

#include "model/billing.h"
#include "store/db.h"

/* Creates or updates the record; a record older (as_of) than the stored one is left out (SUBSCRIBER_STALE).
   Call inside a transaction. Returns 0 with *result set, or -1 with e set. */
int subscribers_put(db *d, const billing_record *r, time_t now, subscriber_write *result, err *e);

/* Loads the record for code. Returns 1 found (r filled; free with billing_record_free), 0 none, -1 error. */
int subscribers_find(db *d, const char *code, billing_record *r, err *e);

/* The lookup of subscribers_find sent ahead (db_read_ahead), its record read by subscribers_read(st, code, ...),
   which returns as subscribers_find (-1 for a NULL st). NULL with e set. */
stmt *subscribers_find_ahead(db *d, const char *code, err *e);
int subscribers_read(stmt *st, const char *code, billing_record *r, err *e);

#endif
