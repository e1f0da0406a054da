/* Joining paths into fixed buffers without cutting them. */
#include "core/path.h"

#include <assert.h>
#include <stdio.h>

int path_join(char *out, size_t size, const char *dir, const char *name, err *e)
{
    assert(out != NULL && size > 0 && dir != NULL && name != NULL);
    int n = snprintf(out, size, "%s/%s", dir, name);
    if (n >= 0 && (size_t)n < size)
        return 0;
    out[0] = '\0';
    return err_set(e, ERR_TOO_LONG, "path too long: %s/%s", dir, name);
}
