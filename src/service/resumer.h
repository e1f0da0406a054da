/* Completing interrupted issues: every pending certificate once at start-up, then, while the service runs, those
   whose claim ran out (a failed request, or a node that died), so that a reserved number never waits for a
   restart. */
#ifndef ARAYIS_SERVICE_RESUMER_H
#define ARAYIS_SERVICE_RESUMER_H

#include <time.h>

#include "core/err.h"

struct services; /* service/services.h, which starts the resumer */

#define RESUME_INTERVAL_MS 5000

typedef struct resumer resumer;

/* Completes or voids every pending certificate whose claim ran out by unclaimed_at (see issuing_resume), counts the
   voided ones and logs what it did (numbers and counts only). Returns 0, or -1 with e set when the pending ones
   cannot be listed. */
int resumer_run(struct services *svc, time_t unclaimed_at, err *e);

/* Starts the thread that runs resumer_run every RESUME_INTERVAL_MS for the certificates whose claim ran out.
   svc must outlive it. Returns NULL with e set. */
resumer *resumer_start(struct services *svc, err *e);

/* Stops the thread after the run in hand and frees r. r may be NULL. */
void resumer_stop(resumer *r);

#endif
