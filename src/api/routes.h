/* The service's routing table. */
#ifndef ARAYIS_API_ROUTES_H
#define ARAYIS_API_ROUTES_H

#include "http/router.h"

/* The routes, in matching order; *count receives how many. The table is static. */
const http_route *api_routes(size_t *count);

/* The routes' patterns, for metric labels (static). */
const char *const *api_route_names(void);

#endif
