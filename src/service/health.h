/* The service's health as operators see it. */
#ifndef ARAYIS_SERVICE_HEALTH_H
#define ARAYIS_SERVICE_HEALTH_H

#include "core/err.h"
#include "service/services.h"

/* Checks that the database answers a query on the calling thread's connection. Returns 0, or -1 with e set. */
int health_check(services *svc, err *e);

#endif
