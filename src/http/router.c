/* Pattern matching for the routing table; placeholders match one non-empty path segment part. */
#include "http/router.h"

#include <string.h>

#include "http/unescape.h"

/* Matches path against pattern; writes placeholder values to params (when non-NULL). Returns 1 on match.
   A placeholder takes the rest of its path segment except the literal that follows it in the pattern
   ("{number}.pdf" takes "AZI-2026-000001" from "AZI-2026-000001.pdf"). */
static int pattern_match(const char *pattern, const char *path, char (*params)[128])
{
    size_t nparam = 0;
    while (*pattern) {
        if (*pattern != '{') {
            if (*pattern++ != *path++)
                return 0;
            continue;
        }
        pattern = strchr(pattern, '}');
        if (pattern == NULL || nparam == HTTP_MAX_PARAMS)
            return 0;
        pattern++;
        size_t segment = strcspn(path, "/");
        size_t literal = strcspn(pattern, "/{");
        if (segment <= literal || segment - literal >= 128)
            return 0;
        size_t len = segment - literal;
        if (params) {
            memcpy(params[nparam], path, len);
            params[nparam][len] = '\0';
        }
        nparam++;
        path += len;
    }
    return *path == '\0';
}

router_result router_match(const http_route *routes, size_t n, http_method method, const char *path,
                           http_request *req, const http_route **found)
{
    const http_route *same_path = NULL;
    http_method wanted = method == HTTP_HEAD ? HTTP_GET : method;
    for (size_t i = 0; i < n && http_path_routable(path); i++) {
        if (!pattern_match(routes[i].pattern, path, NULL))
            continue;
        if (routes[i].method == wanted) {
            pattern_match(routes[i].pattern, path, req->params);
            *found = &routes[i];
            return ROUTER_FOUND;
        }
        same_path = same_path ? same_path : &routes[i];
    }
    *found = same_path;
    return same_path ? ROUTER_WRONG_METHOD : ROUTER_NO_PATH;
}
