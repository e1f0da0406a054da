/* Filling "{name}" placeholders in template texts. */
#ifndef ARAYIS_CORE_PLACEHOLDERS_H
#define ARAYIS_CORE_PLACEHOLDERS_H

#include "core/buf.h"
#include "core/err.h"

/* Appends tmpl to out with each {name} replaced by its value from vars, a NULL-terminated list of
   name, value pairs. "{{" writes a literal "{". Returns 0, or -1 with e set: ERR_INVALID for an unknown or
   unterminated placeholder, ERR_NOMEM. */
int placeholders_expand(const char *tmpl, const char *const *vars, buf *out, err *e);

#endif
