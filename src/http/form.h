/* Reading an HTML form's body (multipart/form-data or urlencoded) for a handler: the bytes of one named field. */
#ifndef ARAYIS_HTTP_FORM_H
#define ARAYIS_HTTP_FORM_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "http/http.h"

/* Appends to out the bytes of the field called name in the body of req, a form (multipart/form-data or
   application/x-www-form-urlencoded, as its Content-Type says); several parts of that name are joined. Only for
   handlers on the event-loop thread (it reads req->conn). A form without the field, or whose framing breaks,
   gives no bytes (out unchanged): it holds no file. Returns 0, or -1 with e set: ERR_INVALID when the body is not
   sent as a form, ERR_TOO_LONG when the field is over limit bytes, ERR_NOMEM. out is the caller's to free
   either way. */
int http_form_field(const http_request *req, const char *name, size_t limit, buf *out, err *e);

#endif
