/* API keys as the service knows them: their roles and what is kept of a key (never the key itself). */
#ifndef ARAYIS_MODEL_APIKEY_H
#define ARAYIS_MODEL_APIKEY_H

#include <time.h>

typedef enum apikey_role { ROLE_PORTAL, ROLE_BILLING, ROLE_ADMIN, ROLE_NONE } apikey_role;

#define APIKEY_NAME_MAX 64
#define WEBHOOK_URL_MAX 512
#define WEBHOOK_SECRET_MAX 70            /* "whsec_" + 64 hex digits (256 random bits) */

/* A key as listed; a stored name longer than APIKEY_NAME_MAX is refused on reading, never cut. */
typedef struct apikey_row {
    long long id;
    char name[APIKEY_NAME_MAX + 1];
    apikey_role role;
    time_t created_at;
    time_t revoked_at;          /* 0 while active */
    char webhook_url[WEBHOOK_URL_MAX + 1];   /* "" when the key has no webhook */
} apikey_row;

/* "portal" / "billing" / "admin" ↔ role; unknown text gives ROLE_NONE. */
apikey_role apikey_role_parse(const char *text);
const char *apikey_role_name(apikey_role role);

/* True for an absolute http or https URL of at most WEBHOOK_URL_MAX bytes without spaces or control characters. */
int webhook_url_valid(const char *url);

#endif
