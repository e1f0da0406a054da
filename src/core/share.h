/* Where the read-only files (templates/, fonts/) are: ARAYIS_SHARE_DIR, else the directory fixed at build time. */
#ifndef ARAYIS_CORE_SHARE_H
#define ARAYIS_CORE_SHARE_H

#include "core/buf.h"
#include "core/err.h"

/* The share directory (static string or environment value; do not free). */
const char *share_dir(void);

/* Appends the whole file share_dir()/relative_path to out. Refuses files over max_bytes. Returns 0 or -1 with e set. */
int share_read_file(const char *relative_path, size_t max_bytes, buf *out, err *e);

/* Appends the whole file at path (any directory) to out. Refuses files over max_bytes. Returns 0 or -1 with e set. */
int share_read_path(const char *path, size_t max_bytes, buf *out, err *e);

#endif
