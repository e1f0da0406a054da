/* Comma-separated lists of IP addresses in settings ("127.0.0.1,::1"), compared as addresses, not as text. */
#ifndef ARAYIS_CORE_ADDRLIST_H
#define ARAYIS_CORE_ADDRLIST_H

/* 1 when list is one or more IPv4 or IPv6 addresses separated by commas (spaces around them allowed),
   0 otherwise (an empty list too). */
int addrlist_valid(const char *list);

/* 1 when addr (an IPv4 or IPv6 address in text) is one of list's addresses, 0 when it is not, or when
   either is not an address. */
int addrlist_contains(const char *list, const char *addr);

#endif
