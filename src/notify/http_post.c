/* JSON POSTs through libcurl, one easy handle a call. */
#include "notify/http_post.h"

#include <curl/curl.h>
#include <stdio.h>

static size_t discard(char *data, size_t size, size_t n, void *ctx)
{
    (void)data, (void)ctx;
    return size * n;
}

/* Sets up curl to post len bytes of body with headers to url: http or https only, bounded in time. Returns the first
   failing option's code, or CURLE_OK. */
static CURLcode post_options(CURL *curl, const char *url, const char *body, size_t len, struct curl_slist *headers,
                             const post_limits *limits)
{
    CURLcode rc;
    if ((rc = curl_easy_setopt(curl, CURLOPT_URL, url)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https")) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, limits->connect_ms)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, limits->total_ms)) != CURLE_OK ||
        (rc = curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK)
        return rc;
    return curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
}

static post_result classify(CURLcode rc, long status)
{
    if (rc != CURLE_OK || status == 429 || status >= 500)
        return POST_RETRY;
    return status >= 200 && status < 300 ? POST_OK : POST_FAIL;
}

post_result http_post_json(const char *peer, const char *url, const char *body, size_t len,
                           const char *const *headers, const post_limits *limits, long *retry_after_s, char *error,
                           size_t size)
{
    *retry_after_s = 0;
    error[0] = '\0';
    post_result result = POST_RETRY;
    CURL *curl = curl_easy_init();
    struct curl_slist *list = curl_slist_append(NULL, "Content-Type: application/json");
    for (size_t i = 0; list != NULL && headers != NULL && headers[i] != NULL; i++) {
        struct curl_slist *more = curl_slist_append(list, headers[i]);
        if (more == NULL) {
            curl_slist_free_all(list);
            list = NULL;
        } else
            list = more;
    }
    if (curl == NULL || list == NULL) {
        snprintf(error, size, "out of memory for the request");
        goto out;
    }
    CURLcode rc = post_options(curl, url, body, len, list, limits);
    if (rc != CURLE_OK) {
        snprintf(error, size, "cannot set up the request: %s", curl_easy_strerror(rc));
        goto out;
    }
    rc = curl_easy_perform(curl);
    long status = 0;
    curl_off_t retry_after = 0;
    if (rc == CURLE_OK && curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
        curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK)
        *retry_after_s = (long)retry_after;
    if (rc != CURLE_OK)
        snprintf(error, size, "%s unreachable: %s", peer, curl_easy_strerror(rc));
    else
        snprintf(error, size, "%s answered %ld", peer, status);
    result = classify(rc, status);
out:
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return result;
}
