/* Structured logging: one JSON object per line on stderr. Never pass FIN, phone, e-mail or API keys here. */
#ifndef ARAYIS_CORE_LOG_H
#define ARAYIS_CORE_LOG_H

#include <jansson.h>

typedef enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

/* Sets the lowest level written (default LOG_INFO). Thread-safe to call once at start-up. */
void log_set_level(log_level min);

/* Writes {"time","level","event",...fields} as one line. Takes ownership of `fields` (an object or NULL). Thread-safe. */
void log_write(log_level level, const char *event, json_t *fields);

/* Writes {"time","level","event","msg"} with a printf-formatted message. Thread-safe. */
void log_printf(log_level level, const char *event, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
