/* The error carrier's operations and the name of each class. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const names[] = {
    [ERR_OK] = "ok",           [ERR_NOMEM] = "nomem",        [ERR_INVALID] = "invalid",
    [ERR_NOT_FOUND] = "not_found", [ERR_CONFLICT] = "conflict", [ERR_TOO_LONG] = "too_long",
    [ERR_PERMISSION] = "permission", [ERR_IO] = "io",        [ERR_FULL] = "full",
    [ERR_BUSY] = "busy",       [ERR_VERSION] = "version",    [ERR_UNAVAILABLE] = "unavailable",
    [ERR_RANDOM] = "random",   [ERR_CRYPTO] = "crypto",      [ERR_RENDER] = "render",
    [ERR_NETWORK] = "network", [ERR_INTERNAL] = "internal",
};

int err_set(err *e, err_code code, const char *fmt, ...)
{
    if (e == NULL)
        return -1;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

void err_clear(err *e)
{
    if (e == NULL)
        return;
    e->code = ERR_OK;
    e->msg[0] = '\0';
}

const char *err_code_name(err_code code)
{
    return (unsigned)code < sizeof names / sizeof names[0] && names[code] ? names[code] : "unknown";
}

int err_is_transient(err_code code)
{
    return code == ERR_IO || code == ERR_FULL || code == ERR_BUSY || code == ERR_UNAVAILABLE || code == ERR_NETWORK ||
           code == ERR_NOMEM;
}
