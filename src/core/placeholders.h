/* Filling "{name}" placeholders in template texts. */
#ifndef ARAYIS_CORE_PLACEHOLDERS_H
#define ARAYIS_CORE_PLACEHOLDERS_H

#include "core/buf.h"
#include "core/err.h"

/* Appends tmpl to out with each {name} replaced by its value from vars, a NULL-terminated list of
   name, value pairs. "{{" writes a literal "{". An unknown or unterminated placeholder is an error.
   Returns 0 or -1 with e set. */
int placeholders_expand(const char *tmpl, const char *const *vars, buf *out, err *e);

#endif
