/*
 * ipnet.h - IP addresses and networks: where a request came from.
 *
 * An address is kept as 16 bytes, an IPv4 address in its IPv4-mapped
 * IPv6 form (::ffff:a.b.c.d), so that one comparison serves both
 * families and a dual-stack socket's mapped peer matches an IPv4 network.
 *
 * The client behind a reverse proxy: the server trusts X-Forwarded-For
 * only from peers in a configured list of networks (ipnet_list), and then
 * takes the right-most address of the header that is not itself a trusted
 * proxy (each proxy appends the address it received the request from, so
 * everything left of the first untrusted hop may be forged by the client).
 */
#ifndef YW_IPNET_H
#define YW_IPNET_H

#include "err.h"

struct ipnet_addr {
	unsigned char b[16];
};

/* Text forms are at most this long, with the NUL ("ffff:...:ffff/128"). */
#define IPNET_TEXT 64

/*
 * Parses s[0..len) as a plain IPv4 or IPv6 address (no port, no
 * brackets, no zone). Returns 0, or -1 when it is not one.
 */
int ipnet_parse(const char *s, size_t len, struct ipnet_addr *out);
/* From a socket address (AF_INET or AF_INET6); -1 for any other family. */
int ipnet_from_sockaddr(const void *sockaddr, struct ipnet_addr *out);
bool ipnet_is_v4(const struct ipnet_addr *a);
/* The canonical text: "10.0.0.1", "2001:db8::1". */
void ipnet_text(const struct ipnet_addr *a, char out[IPNET_TEXT]);
/*
 * The network a login throttle counts an address under: an IPv4 address
 * alone, an IPv6 address by its /64 ("2001:db8:1:2::/64"), since one
 * IPv6 host is usually given a whole /64 and could otherwise take a fresh
 * address for every few guesses. Text that is no address is copied.
 */
void ipnet_throttle_key(const char *ip, char out[IPNET_TEXT]);

/* A list of networks, e.g. the trusted proxies. */
#define IPNET_LIST_MAX 32
struct ipnet_list {
	size_t n;
	struct {
		struct ipnet_addr net;
		int bits;   /* the prefix length over the 128-bit form */
	} e[IPNET_LIST_MAX];
};

/*
 * Appends "CIDR[,CIDR...]" to list: each an address with an optional
 * /prefix ("10.0.0.0/8", "2001:db8::/32", "127.0.0.1" meaning /32).
 * YW_EINVAL naming field, and list unchanged, when one is malformed or
 * the list would hold more than IPNET_LIST_MAX.
 */
int ipnet_list_add(struct ipnet_list *list, const char *text, const char *field, struct yw_err *err);
bool ipnet_list_has(const struct ipnet_list *list, const struct ipnet_addr *a);

/*
 * The client an X-Forwarded-For value (comma-separated addresses, any
 * number of headers joined by commas) names, given that the peer itself
 * is trusted: the right-most address not in trusted, or the left-most
 * when all are. Returns 0 with *client set, or -1 when the value is empty
 * or malformed (any element not a plain address): such a header is
 * ignored, never trusted in part.
 */
int ipnet_forwarded(const struct ipnet_list *trusted, const char *xff, size_t len,
		    struct ipnet_addr *client);

#endif
