/* router.c - matching a request line against the route tables. */
#include "../core/yw.h"
#include "../core/strbuf.h"
#include "http.h"

const struct http_route *const http_route_tables[] = {
	http_routes_core,
	http_routes_accounts,
	http_routes_tickets,
	http_routes_calendars,
	http_routes_sla,
	http_routes_views,
	http_routes_uploads,
	NULL,
};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Compares one pattern against the path. Returns 1 on a match (captures
 * stored in r), 0 otherwise. {id} segments must be decimal integers in
 * 1..2^53 so that a garbage id is a clean 404, never an overflow.
 */
static int match(const char *pat, const char *path, size_t plen, struct http_req *r)
{
	const char *p = path, *end = path + plen;
	size_t np = 0;

	while (*pat) {
		if (*pat == '{') {
			const char *close = strchr(pat, '}');
			const char *seg = p;
			while (p < end && *p != '/')
				p++;
			if (p == seg || np >= HTTP_MAX_PARAMS)
				return 0;
			bool is_id = !strncmp(pat, "{id}", 4) || !strncmp(pat + (close - pat) - 3, "_id}", 4);
			if (is_id) {
				int64_t v = 0;
				if (p - seg > 16)
					return 0;
				for (const char *q = seg; q < p; q++) {
					if (*q < '0' || *q > '9')
						return 0;
					v = v * 10 + (*q - '0');
				}
				if (v < 1 || v > ((int64_t)1 << 53))
					return 0;
				if (np == 0)
					r->id = v;
				else if (np == 1)
					r->id2 = v;
			}
			if (r) {
				char *dec = arena_alloc(&r->arena, (size_t)(p - seg) + 1);
				size_t n = 0;
				for (const char *q = seg; q < p; q++) {
					if (*q == '%' && end - q >= 3 && hexval(q[1]) >= 0 && hexval(q[2]) >= 0) {
						dec[n++] = (char)(hexval(q[1]) * 16 + hexval(q[2]));
						q += 2;
					} else {
						dec[n++] = *q;
					}
				}
				dec[n] = '\0';
				r->params[np] = dec;
			}
			np++;
			pat = close + 1;
			continue;
		}
		if (p >= end || *p != *pat)
			return 0;
		p++, pat++;
	}
	if (p != end)
		return 0;
	r->nparams = np;
	return 1;
}

/* Adds method to a 405's Allow list, once. */
static void allow_add(struct strbuf *allow, const char *method)
{
	size_t n = strlen(method);

	for (const char *p = allow->buf; (p = strstr(p, method)); p += n)
		if ((p == allow->buf || p[-1] == ' ') && (p[n] == ',' || !p[n]))
			return;
	if (allow->len)
		strbuf_addstr(allow, ", ");
	strbuf_addstr(allow, method);
}

/*
 * The routes of the request's method first, in table order: the first
 * whose pattern matches is the route. Only when none does are the others
 * tried, to tell a 405 (the path exists) from a 404.
 */
int http_route_match(const char *method, size_t mlen, const char *path, size_t plen,
		     const struct http_route **route, struct http_req *r)
{
	struct strbuf allow = STRBUF_INIT;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t t = 0; http_route_tables[t]; t++) {
			for (const struct http_route *rt = http_route_tables[t]; rt->method; rt++) {
				bool same = strlen(rt->method) == mlen && !memcmp(rt->method, method, mlen);
				if (same == (pass == 1))
					continue;
				r->id = r->id2 = 0;
				if (!match(rt->pattern, path, plen, r))
					continue;
				if (pass == 0) {
					*route = rt;
					return 0;
				}
				allow_add(&allow, rt->method);
			}
		}
	}
	if (allow.len) {
		r->allow = arena_strndup(&r->arena, allow.buf, allow.len);
		strbuf_release(&allow);
		return yw_errf(&r->err, YW_EMETHOD, "", "method %.*s not allowed here", (int)mlen, method);
	}
	return yw_errf(&r->err, YW_ENOTFOUND, "", "no such endpoint");
}
