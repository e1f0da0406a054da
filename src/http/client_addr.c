/* Client addresses and per-address caps. libmicrohttpd's own per-IP limit counts socket peers, which
   behind a reverse proxy makes it one cap for every client; here the proxy's connections are left out
   and the clients it forwards are capped by requests in flight instead. */
#include "http/client_addr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/addrlist.h"
#include "http/addr_count.h"

struct client_caps {
    unsigned cap;
    char trusted_proxy[ADDR_COUNT_KEY_MAX];
    addr_count *connections;    /* open connections per socket address */
    addr_count *requests;       /* requests in flight per forwarded address */
};

client_caps *client_caps_new(unsigned cap, const char *trusted_proxy)
{
    client_caps *c = calloc(1, sizeof *c);
    if (c == NULL || strlen(trusted_proxy) >= sizeof c->trusted_proxy)
        goto fail;
    c->cap = cap;
    memcpy(c->trusted_proxy, trusted_proxy, strlen(trusted_proxy) + 1);
    if ((c->connections = addr_count_new()) == NULL || (c->requests = addr_count_new()) == NULL)
        goto fail;
    return c;
fail:
    client_caps_free(c);
    return NULL;
}

void client_caps_free(client_caps *c)
{
    if (c == NULL)
        return;
    addr_count_free(c->connections);
    addr_count_free(c->requests);
    free(c);
}

/* The address of sa in text into out (ADDR_COUNT_KEY_MAX bytes). Returns 0, or -1 for a non-IP address. */
static int sockaddr_text(const struct sockaddr *sa, char *out)
{
    out[0] = '\0';
    if (sa == NULL)
        return -1;
    const void *ip;
    if (sa->sa_family == AF_INET)
        ip = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    else if (sa->sa_family == AF_INET6)
        ip = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    else
        return -1;
    return inet_ntop(sa->sa_family, ip, out, ADDR_COUNT_KEY_MAX) ? 0 : -1;
}

static const struct sockaddr *peer_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info ? info->client_addr : NULL;
}

static int is_trusted_proxy(const client_caps *c, const char *addr)
{
    return c->trusted_proxy[0] != '\0' && addrlist_contains(c->trusted_proxy, addr);
}

enum MHD_Result client_caps_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)addrlen;
    client_caps *c = cls;
    char text[ADDR_COUNT_KEY_MAX];
    if (sockaddr_text(addr, text) != 0 || is_trusted_proxy(c, text))
        return MHD_YES;
    return addr_count_get(c->connections, text) < c->cap ? MHD_YES : MHD_NO;
}

void client_caps_connection(client_caps *c, struct MHD_Connection *conn, enum MHD_ConnectionNotificationCode code)
{
    char text[ADDR_COUNT_KEY_MAX];
    if (sockaddr_text(peer_of(conn), text) != 0 || is_trusted_proxy(c, text))
        return;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        addr_count_add(c->connections, text, 0); /* fails only when out of memory for a new address, whose
                                                    close then finds nothing to take away */
    else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
        addr_count_remove(c->connections, text);
}

/* The last address of an X-Forwarded-For value, canonical, into out. Returns 0, or -1 when it is no address. */
static int last_forwarded(const char *xff, char *out)
{
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    last += strspn(last, " \t");
    size_t n = strcspn(last, " \t");
    char text[ADDR_COUNT_KEY_MAX];
    unsigned char ip[16];
    if (n == 0 || n >= sizeof text)
        return -1;
    memcpy(text, last, n);
    text[n] = '\0';
    int family = strchr(text, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(family, text, ip) != 1 || inet_ntop(family, ip, out, ADDR_COUNT_KEY_MAX) == NULL)
        return -1;
    return 0;
}

int client_caps_address(const client_caps *c, struct MHD_Connection *conn, char *out, size_t size)
{
    char peer[ADDR_COUNT_KEY_MAX], forwarded[ADDR_COUNT_KEY_MAX];
    out[0] = '\0';
    if (size < ADDR_COUNT_KEY_MAX || sockaddr_text(peer_of(conn), peer) != 0)
        return 0;
    const char *xff = is_trusted_proxy(c, peer) ? MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For")
                                                 : NULL;
    int was_forwarded = xff != NULL && last_forwarded(xff, forwarded) == 0;
    const char *addr = was_forwarded ? forwarded : peer;
    memcpy(out, addr, strlen(addr) + 1);
    return was_forwarded;
}

int client_caps_request_begin(client_caps *c, const char *addr)
{
    return addr_count_add(c->requests, addr, c->cap);
}

void client_caps_request_end(client_caps *c, const char *addr)
{
    addr_count_remove(c->requests, addr);
}
