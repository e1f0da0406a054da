/* Locating and reading files of the share directory. */
#include "core/share.h"

#include <stdio.h>
#include <stdlib.h>

const char *share_dir(void)
{
    const char *dir = getenv("ARAYIS_SHARE_DIR");
    return dir && dir[0] ? dir : ARAYIS_DEFAULT_SHARE_DIR;
}

int share_read_file(const char *relative_path, size_t max_bytes, buf *out, err *e)
{
    char path[1024];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", share_dir(), relative_path) >= sizeof path)
        return err_set(e, 1, "path too long: %s", relative_path);
    return share_read_path(path, max_bytes, out, e);
}

int share_read_path(const char *path, size_t max_bytes, buf *out, err *e)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return err_set(e, 1, "cannot open %s", path);
    size_t start = out->len;
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (out->len - start + n > max_bytes || buf_append(out, chunk, n) != 0)
            rc = err_set(e, 1, "%s is larger than %zu bytes", path, max_bytes);
    if (rc == 0 && ferror(f))
        rc = err_set(e, 1, "cannot read %s", path);
    fclose(f);
    return rc;
}
