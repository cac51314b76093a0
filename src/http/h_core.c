/* h_core.c - health and the caller's own record. */
#include "../core/yw.h"
#include "../store/db.h"
#include "http.h"

static int health(struct http_req *r)
{
	static const char ok[] = "{\"status\":\"ok\"}";
	static const char *const allowed[] = { NULL };
	int rc;

	if ((rc = http_query_check(r, allowed)))
		return rc;
	return http_send(r, 200, "application/json; charset=utf-8", ok, sizeof(ok) - 1);
}

const struct http_route http_routes_core[] = {
	{ "GET", "/api/v1/health", health, HR_PUBLIC, "liveness for load balancers" },
	{ NULL, NULL, NULL, 0, NULL },
};
