/* Bench-only seeding: many certificate rows written directly (no PDFs), so lookups can be measured at national scale. */
#ifndef ARAYIS_STORE_SEED_H
#define ARAYIS_STORE_SEED_H

#include "store/db.h"

/* Inserts count applications and certificates numbered AZI-{2020 + (i-1)/900000}-{(i-1)%900000+1} with
   verification code "B" + i in 15 digits, all valid for a year, owned by api_key_id, and moves the
   yearly counters past them. One transaction. Returns 0 or -1. */
int seed_certificates(db *d, long long count, long long api_key_id, err *e);

#endif
