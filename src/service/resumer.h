/* Completing interrupted issues: every pending certificate once at start-up, then, while the service runs, those a
   failed request left pending for longer than RESUME_AFTER_S, so that a reserved number never waits for a restart. */
#ifndef ARAYIS_SERVICE_RESUMER_H
#define ARAYIS_SERVICE_RESUMER_H

#include <time.h>

#include "core/err.h"

struct services; /* service/services.h, which starts the resumer */

#define RESUME_AFTER_S 60          /* a request finishes its certificate in milliseconds; one older has failed */
#define RESUME_INTERVAL_MS 30000

typedef struct resumer resumer;

/* Completes or voids every certificate numbered before numbered_before and still pending whose claim ran out by
   unclaimed_at (see issuing_resume), counts the voided ones and logs what it did (numbers and counts only). Returns 0,
   or -1 with e set when the pending ones cannot be listed. */
int resumer_run(struct services *svc, time_t numbered_before, time_t unclaimed_at, err *e);

/* Starts the thread that runs resumer_run every RESUME_INTERVAL_MS for the certificates pending longer than
   RESUME_AFTER_S. svc must outlive it. Returns NULL with e set. */
resumer *resumer_start(struct services *svc, err *e);

/* Stops the thread after the run in hand and frees r. r may be NULL. */
void resumer_stop(resumer *r);

#endif
