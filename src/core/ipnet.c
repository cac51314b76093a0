/* ipnet.c - IP addresses, networks and X-Forwarded-For (ipnet.h). */
#include "yw.h"
#include "ipnet.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static const unsigned char v4_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static void from_v4(const void *v4, struct ipnet_addr *out)
{
	memcpy(out->b, v4_prefix, sizeof(v4_prefix));
	memcpy(out->b + 12, v4, 4);
}

int ipnet_parse(const char *s, size_t len, struct ipnet_addr *out)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char v4[4];

	if (!len || len >= sizeof(buf) || memchr(s, '\0', len))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* glibc's inet_pton takes only four decimal parts: no octal, no "10.1" */
	if (inet_pton(AF_INET, buf, v4) == 1) {
		from_v4(v4, out);
		return 0;
	}
	return inet_pton(AF_INET6, buf, out->b) == 1 ? 0 : -1;
}

int ipnet_from_sockaddr(const void *sockaddr, struct ipnet_addr *out)
{
	const struct sockaddr *sa = sockaddr;

	if (sa->sa_family == AF_INET) {
		from_v4(&((const struct sockaddr_in *)sockaddr)->sin_addr, out);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out->b, &((const struct sockaddr_in6 *)sockaddr)->sin6_addr, 16);
		return 0;
	}
	return -1;
}

bool ipnet_is_v4(const struct ipnet_addr *a)
{
	return !memcmp(a->b, v4_prefix, sizeof(v4_prefix));
}

void ipnet_text(const struct ipnet_addr *a, char out[IPNET_TEXT])
{
	if (ipnet_is_v4(a))
		yw_ipv4_text(a->b + 12, out);
	else if (!inet_ntop(AF_INET6, a->b, out, IPNET_TEXT))
		out[0] = '\0';
}

void ipnet_throttle_key(const char *ip, char out[IPNET_TEXT])
{
	struct ipnet_addr a;
	size_t n;

	if (ipnet_parse(ip, strlen(ip), &a)) {
		snprintf(out, IPNET_TEXT, "%s", ip);
		return;
	}
	if (ipnet_is_v4(&a)) {
		ipnet_text(&a, out);
		return;
	}
	memset(a.b + 8, 0, 8);
	ipnet_text(&a, out);
	n = strlen(out);
	snprintf(out + n, IPNET_TEXT - n, "/64");
}

/* Does a fall in the network whose first bits bits are net's? */
static bool in_net(const struct ipnet_addr *net, int bits, const struct ipnet_addr *a)
{
	int whole = bits / 8, rest = bits % 8;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));

	if (memcmp(net->b, a->b, whole))
		return false;
	return !rest || ((net->b[whole] ^ a->b[whole]) & mask) == 0;
}

bool ipnet_list_has(const struct ipnet_list *list, const struct ipnet_addr *a)
{
	for (size_t i = 0; i < list->n; i++)
		if (in_net(&list->e[i].net, list->e[i].bits, a))
			return true;
	return false;
}

/* One "addr[/bits]" of s[0..len) into net and bits (host bits cleared). */
static int parse_cidr(const char *s, size_t len, struct ipnet_addr *net, int *bits)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	int max, n = 0;

	if (ipnet_parse(s, alen, net))
		return -1;
	max = ipnet_is_v4(net) ? 32 : 128;
	if (!slash) {
		n = max;
	} else {
		const char *p = slash + 1, *end = s + len;
		if (p == end || end - p > 3)
			return -1;
		for (; p < end; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			n = n * 10 + (*p - '0');
		}
		if (n > max)
			return -1;
	}
	*bits = n + (128 - max);
	for (int i = *bits; i < 128; i++)
		net->b[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* The next comma-separated element of [*p, end), spaces trimmed; false at the end. */
static bool next_item(const char **p, const char *end, const char **s, size_t *len)
{
	const char *q, *e;

	if (*p > end)
		return false;
	q = memchr(*p, ',', end - *p);
	e = q ? q : end;
	*s = *p;
	while (*s < e && is_space(**s))
		(*s)++;
	*len = e - *s;
	while (*len && is_space((*s)[*len - 1]))
		(*len)--;
	*p = e + 1;
	return true;
}

int ipnet_list_add(struct ipnet_list *list, const char *text, const char *field, struct yw_err *err)
{
	struct ipnet_list next = *list;
	const char *p = text, *end = text + strlen(text), *s;
	size_t len;

	while (next_item(&p, end, &s, &len)) {
		if (next.n == IPNET_LIST_MAX)
			return yw_errf(err, YW_EINVAL, field, "%s holds more than %d networks", field,
				       IPNET_LIST_MAX);
		if (parse_cidr(s, len, &next.e[next.n].net, &next.e[next.n].bits))
			return yw_errf(err, YW_EINVAL, field,
				       "%s: '%.*s' is not an address or network such as 10.0.0.0/8 or 2001:db8::/32",
				       field, (int)(len > 60 ? 60 : len), s);
		next.n++;
	}
	*list = next;
	return 0;
}

int ipnet_forwarded(const struct ipnet_list *trusted, const char *xff, size_t len,
		    struct ipnet_addr *client)
{
	const char *p = xff, *end = xff + len, *s;
	struct ipnet_addr a, first = { { 0 } }, last_untrusted = { { 0 } };
	bool any = false, untrusted = false;
	size_t n;

	while (next_item(&p, end, &s, &n)) {
		if (ipnet_parse(s, n, &a))
			return -1;
		if (!any)
			first = a;
		any = true;
		if (!ipnet_list_has(trusted, &a)) {
			last_untrusted = a;
			untrusted = true;
		}
	}
	if (!any)
		return -1;
	*client = untrusted ? last_untrusted : first;
	return 0;
}
