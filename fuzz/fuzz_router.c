/*
 * fuzz_router.c - request lines against the real route tables.
 *
 * Input: "METHOD PATH" (split at the first space; without one, the whole
 * input is the path and the method is empty). Checks what the dispatcher
 * relies on: a match names a route of that method whose pattern has as
 * many captures as were stored, ids are in 1..2^53, and a failure is
 * exactly 404 or 405 with a message.
 */
#include "core/yw.h"
#include "core/arena.h"
#include "http/http.h"

static size_t captures(const char *pattern)
{
	size_t n = 0;
	for (; *pattern; pattern++)
		n += *pattern == '{';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *sp = memchr(in, ' ', size);
	const char *method = sp ? in : "";
	size_t mlen = sp ? (size_t)(sp - in) : 0;
	const char *path = sp ? sp + 1 : in;
	size_t plen = sp ? size - mlen - 1 : size;
	const struct http_route *route = NULL;
	struct http_req r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.arena.cap = 64 << 10;
	rc = http_route_match(method, mlen, path, plen, &route, &r);
	if (rc == 0) {
		if (!route || strlen(route->method) != mlen || memcmp(route->method, method, mlen))
			BUG("matched a route of another method");
		if (r.nparams != captures(route->pattern))
			BUG("%zu captures for %s", r.nparams, route->pattern);
		for (size_t i = 0; i < r.nparams; i++)
			if (!r.params[i])
				BUG("capture %zu missing", i);
		if (r.nparams && strstr(route->pattern, "{id}") &&
		    (r.id < 1 || r.id > ((int64_t)1 << 53)))
			BUG("id %" PRId64 " out of range", r.id);
	} else if (rc != YW_ENOTFOUND && rc != YW_EMETHOD) {
		BUG("route match returned %d", rc);
	} else if (!r.err.msg[0] || r.err.code != rc) {
		BUG("route failure without its message");
	}
	yw_err_clear(&r.err);
	arena_free(&r.arena);
	return 0;
}
