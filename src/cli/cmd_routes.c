/* arayis routes: prints every method and path the service answers, one per line. */
#include <stdio.h>

#include "api/routes.h"
#include "cli/commands.h"

int cmd_routes(int argc, char **argv)
{
    (void)argc, (void)argv;
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OTHER"};
    size_t n;
    const http_route *routes = api_routes(&n);
    for (size_t i = 0; i < n; i++)
        printf("%s %s\n", methods[routes[i].method], routes[i].pattern);
    return 0;
}
