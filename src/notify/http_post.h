/* Outgoing JSON POSTs (libcurl) for the SMS gateway and the portals' webhooks, with the answer classified the same
   way for both: acknowledged, worth retrying, or refused for good. */
#ifndef ARAYIS_NOTIFY_HTTP_POST_H
#define ARAYIS_NOTIFY_HTTP_POST_H

#include <stddef.h>

typedef enum post_result {
    POST_OK,          /* 2xx */
    POST_RETRY,       /* network error, time-out, 5xx or 429: try again later */
    POST_FAIL,        /* refused for good (any other status) */
} post_result;

/* Time-outs of one POST. */
typedef struct post_limits {
    long connect_ms;
    long total_ms;
} post_limits;

/* POSTs body (len bytes of JSON) to url (http or https only) with the extra header lines in headers (NULL-ended,
   "Name: value"). On anything but POST_OK, error (size bytes) says what happened, naming the peer ("gateway",
   "webhook") and never the body or headers; on POST_RETRY, *retry_after_s is the peer's Retry-After (0 when none). */
post_result http_post_json(const char *peer, const char *url, const char *body, size_t len,
                           const char *const *headers, const post_limits *limits, long *retry_after_s, char *error,
                           size_t size);

#endif
