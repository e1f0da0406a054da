/* The health check: the database answers. */
#include "service/health.h"

#include <assert.h>

#include "service/context.h"

int health_check(services *svc, err *e)
{
    assert(svc != NULL);
    return store_ping(svc->store, e);
}
