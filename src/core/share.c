/* Locating and reading files of the share directory. */
#include "core/share.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/path.h"

const char *share_dir(void)
{
    const char *dir = getenv("ARAYIS_SHARE_DIR");
    return dir && dir[0] ? dir : ARAYIS_DEFAULT_SHARE_DIR;
}

int share_read_file(const char *relative_path, size_t max_bytes, buf *out, err *e)
{
    char path[1024];
    if (path_join(path, sizeof path, share_dir(), relative_path, e) != 0)
        return -1;
    return share_read_path(path, max_bytes, out, e);
}

int share_read_path(const char *path, size_t max_bytes, buf *out, err *e)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "cannot open %s", path);
    size_t start = out->len;
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (out->len - start + n > max_bytes || buf_append(out, chunk, n) != 0)
            rc = err_set(e, ERR_TOO_LONG, "%s is larger than %zu bytes", path, max_bytes);
    if (rc == 0 && ferror(f))
        rc = err_set(e, ERR_IO, "cannot read %s", path);
    fclose(f);
    return rc;
}
