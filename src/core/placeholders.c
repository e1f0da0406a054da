/* Placeholder substitution for templates. */
#include "core/placeholders.h"

#include <assert.h>
#include <string.h>

static const char *lookup(const char *const *vars, const char *name, size_t len)
{
    for (; vars[0] != NULL; vars += 2)
        if (strlen(vars[0]) == len && memcmp(vars[0], name, len) == 0)
            return vars[1] ? vars[1] : "";
    return NULL;
}

int placeholders_expand(const char *tmpl, const char *const *vars, buf *out, err *e)
{
    assert(tmpl != NULL && vars != NULL && out != NULL);
    const char *p = tmpl;
    while (*p) {
        const char *open = strchr(p, '{');
        if (open == NULL)
            return buf_puts(out, p) == 0 ? 0 : err_set(e, ERR_NOMEM, "out of memory");
        if (buf_append(out, p, (size_t)(open - p)) != 0)
            return err_set(e, ERR_NOMEM, "out of memory");
        if (open[1] == '{') {
            if (buf_puts(out, "{") != 0)
                return err_set(e, ERR_NOMEM, "out of memory");
            p = open + 2;
            continue;
        }
        const char *close = strchr(open, '}');
        if (close == NULL)
            return err_set(e, ERR_INVALID, "unterminated placeholder in template");
        const char *value = lookup(vars, open + 1, (size_t)(close - open - 1));
        if (value == NULL)
            return err_set(e, ERR_INVALID, "unknown placeholder {%.*s} in template", (int)(close - open - 1), open + 1);
        if (buf_puts(out, value) != 0)
            return err_set(e, ERR_NOMEM, "out of memory");
        p = close + 1;
    }
    return 0;
}
