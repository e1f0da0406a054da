/* The api_keys table: keys are found by the hash of the presented key, never stored in clear. */
#ifndef ARAYIS_STORE_APIKEYS_H
#define ARAYIS_STORE_APIKEYS_H

#include "model/apikey.h"
#include "store/db.h"


/* Inserts a key. Returns 0, or -1 with e set (ERR_CONFLICT when the name is taken). */
int apikeys_insert(db *d, const char *name, apikey_role role, const char *hash, time_t now, err *e);

/* Finds an active key by hash. Returns 1 found (row filled), 0 not found, -1 error. */
int apikeys_find_active(db *d, const char *hash, apikey_row *row, err *e);

/* Calls fn for every key, oldest first. Returns 0 or -1. */
int apikeys_each(db *d, void (*fn)(const apikey_row *row, void *ctx), void *ctx, err *e);

/* Marks the named key revoked. Returns 1 revoked, 0 no such active key, -1 error. */
int apikeys_revoke(db *d, const char *name, time_t now, err *e);

/* Sets the webhook URL of the named active portal key, and gives it secret as its webhook secret unless it has one
   already (a secret, once given to the portal, stays): *secret_given says which. Returns 1 done, 0 no such active
   portal key, -1 error. */
int apikeys_set_webhook(db *d, const char *name, const char *url, const char *secret, int *secret_given, err *e);

#endif
