/* The SMS texts sent to applicants, from templates/sms/: issued (number and download link) and rejected. */
#ifndef ARAYIS_NOTIFY_MESSAGES_H
#define ARAYIS_NOTIFY_MESSAGES_H

#include "core/buf.h"
#include "core/err.h"

typedef struct sms_messages sms_messages;

typedef enum sms_kind { SMS_ISSUED, SMS_REJECTED_NOT_FOUND, SMS_REJECTED_MISMATCH, SMS_KIND_COUNT } sms_kind;

/* Loads the templates once; afterwards read-only and thread-safe. Returns NULL with e set. */
sms_messages *sms_messages_load(err *e);
void sms_messages_free(sms_messages *m);

/* Appends the text of kind with its placeholders ({number}, {pdf_url}, {subscriber_code}) filled from
   vars (name, value, ..., NULL). Returns 0 or -1 with e set. */
int sms_messages_render(const sms_messages *m, sms_kind kind, const char *const *vars, buf *out, err *e);

#endif
