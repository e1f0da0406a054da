/* Joining a directory and a file name into a caller's buffer: a path that does not fit is refused, never cut. */
#ifndef ARAYIS_CORE_PATH_H
#define ARAYIS_CORE_PATH_H

#include <stddef.h>

#include "core/err.h"

/* Writes "dir/name" into out (size bytes, NUL included). Returns 0, or -1 with e set (ERR_TOO_LONG) when it does
   not fit; out then holds no usable path. */
int path_join(char *out, size_t size, const char *dir, const char *name, err *e);

#endif
