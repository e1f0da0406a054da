/* GET with libcurl into a buffer, refusing a body over HTTP_GET_MAX_BODY. */
#include "cli/http_get.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ATTEMPTS 5
#define LONGEST_WAIT_S 30

/* The body so far and whether it overflowed. */
typedef struct sink {
    buf *out;
    size_t start;
    int too_long;
} sink;

static size_t on_data(char *data, size_t size, size_t n, void *ctx)
{
    sink *s = ctx;
    size_t len = size * n;
    if (s->out->len - s->start + len > HTTP_GET_MAX_BODY || buf_append(s->out, data, len) != 0) {
        s->too_long = 1;
        return 0;
    }
    return len;
}

/* One exchange. Returns the status (with *retry_after_s from the answer) or -1 with e set. */
static int get_once(const char *url, buf *out, long *retry_after_s, err *e)
{
    CURL *curl = curl_easy_init();
    if (curl == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    sink s = {out, out->len, 0};
    long status = 0;
    curl_off_t retry = 0;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry);
    curl_easy_cleanup(curl);
    if (s.too_long)
        return err_set(e, ERR_TOO_LONG, "the answer of %s is over %u bytes", url, HTTP_GET_MAX_BODY);
    if (rc != CURLE_OK)
        return err_set(e, ERR_NETWORK, "GET %s: %s", url, curl_easy_strerror(rc));
    *retry_after_s = (long)retry;
    return (int)status;
}

int http_get(const char *url, buf *out, err *e)
{
    size_t start = out->len;
    for (int attempt = 1;; attempt++) {
        long retry_after_s = 0;
        out->len = start;
        int status = get_once(url, out, &retry_after_s, e);
        if (status < 0 || (status != 429 && status != 503) || attempt == ATTEMPTS)
            return status;
        sleep((unsigned)(retry_after_s < 1 ? 1 : retry_after_s > LONGEST_WAIT_S ? LONGEST_WAIT_S : retry_after_s));
    }
}
