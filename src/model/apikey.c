/* The names of API key roles. */
#include "model/apikey.h"

#include <string.h>

#include "core/names.h"

static const char *const role_names[] = {"portal", "billing", "admin"};

apikey_role apikey_role_parse(const char *text)
{
    return (apikey_role)names_find(role_names, ROLE_NONE, text);
}

const char *apikey_role_name(apikey_role role)
{
    return role < ROLE_NONE ? role_names[role] : "none";
}

int webhook_url_valid(const char *url)
{
    size_t n = strlen(url);
    if (n > WEBHOOK_URL_MAX || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0))
        return 0;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return 0;
    return n > 8;
}
