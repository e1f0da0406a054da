/* Who a request comes from: the socket peer, or behind the trusted reverse proxy the address the proxy
   forwarded; and the caps per client address on open connections and on requests in flight. */
#ifndef ARAYIS_HTTP_CLIENT_ADDR_H
#define ARAYIS_HTTP_CLIENT_ADDR_H

#include <stddef.h>
#include <sys/socket.h>

#include <microhttpd.h>

typedef struct client_caps client_caps;

/* cap (≥ 1): open connections per socket address, the trusted proxy's own excepted, and requests in flight
   per address the proxy forwarded. trusted_proxy: the proxy's address, "" for none (copied). Returns NULL
   when out of memory. */
client_caps *client_caps_new(unsigned cap, const char *trusted_proxy);
void client_caps_free(client_caps *c);

/* libmicrohttpd's accept policy (cls: the client_caps): MHD_NO for an address, other than the trusted
   proxy's, that already has cap connections open. Threads that accept at the same instant may each let
   one more in before the counts see it. */
enum MHD_Result client_caps_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);

/* Counts each connection of a non-proxy address from open (MHD_CONNECTION_NOTIFY_STARTED) to close. */
void client_caps_connection(client_caps *c, struct MHD_Connection *conn, enum MHD_ConnectionNotificationCode code);

/* Writes the request's client address into out (size ≥ 48): the last X-Forwarded-For address when the
   connection comes from the trusted proxy and that address is a valid IPv4 or IPv6 address, otherwise the
   socket peer ("" when unknown). Returns 1 when the address was forwarded, 0 otherwise. */
int client_caps_address(const client_caps *c, struct MHD_Connection *conn, char *out, size_t size);

/* Counts a request in flight from a forwarded address. Returns 1 when counted (end it with
   client_caps_request_end), 0 when the address already has cap requests in flight, -1 when out of memory. */
int client_caps_request_begin(client_caps *c, const char *addr);
void client_caps_request_end(client_caps *c, const char *addr);

#endif
