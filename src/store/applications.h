/* The applications table and each application's event history. */
#ifndef ARAYIS_STORE_APPLICATIONS_H
#define ARAYIS_STORE_APPLICATIONS_H

#include <time.h>

#include "model/application_record.h"
#include "store/db.h"

/* Inserts the application with row->status. Returns 0, or -1 (ERR_CONFLICT when the
   portal_reference is already used by that key). */
int applications_insert(db *d, const application_row *row, const applicant_data *who, err *e);

/* Sets status (and the debt found, when has_debt). Returns 0 or -1. */
int applications_update(db *d, const application_row *row, err *e);

/* Loads by id / by (key, portal_reference). Return 1 found, 0 none, -1 error (ERR_TOO_LONG included). */
int applications_find(db *d, const char *id, application_row *row, err *e);
int applications_find_by_reference(db *d, long long api_key_id, const char *reference, application_row *row, err *e);

/* Reads the applicant's mobile number (for notices) into mobile (size bytes). Returns 1 found, 0 none, -1 error
   (ERR_TOO_LONG when it does not fit). */
int applications_mobile(db *d, const char *id, char *mobile, size_t size, err *e);

/* Appends a history entry (an application_status_name, or a later event such as "revoked"). detail may be NULL.
   Returns 0 or -1. */
int application_events_append(db *d, const char *id, const char *status, time_t at, const char *detail, err *e);

/* Appends two history entries without detail at the same time, first then second, in one statement. Returns 0 or
   -1. */
int application_events_append_pair(db *d, const char *id, const char *first, const char *second, time_t at, err *e);

/* Calls fn for each history entry, oldest first. Returns 0 or -1. */
int application_events_each(db *d, const char *id, void (*fn)(const char *status, time_t at, void *ctx), void *ctx, err *e);

/* The history's query sent ahead (db_read_ahead), its entries read by application_events_read, which returns as
   application_events_each (-1 for a NULL st). NULL with e set. */
stmt *application_events_ahead(db *d, const char *id, err *e);
int application_events_read(stmt *st, void (*fn)(const char *status, time_t at, void *ctx), void *ctx, err *e);

#endif
