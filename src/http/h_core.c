/* h_core.c - health, and what the caller may do (the permission table's rows for its role). */
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

/* Every route with the row it is checked against. */
static json_t *routes_json(void)
{
	json_t *out = json_array();

	for (size_t t = 0; http_route_tables[t]; t++) {
		for (const struct http_route *rt = http_route_tables[t]; rt->method; rt++) {
			const struct perm_row *row = perm_row(rt->perm);
			json_array_append_new(out, json_pack("{s:s, s:s, s:s?, s:s?}", "method", rt->method,
				"path", rt->pattern, "resource", row ? row->resource : NULL,
				"action", row ? row->action : NULL));
		}
	}
	return out;
}

/*
 * The caller's role's rows of the permission table, for a client to hide
 * what it may not do: {"role", "permissions": [{resource, action, scope}]}.
 */
static int get_permissions(struct http_req *r)
{
	static const char *const allowed[] = { NULL };
	json_t *rows;
	int rc;

	if ((rc = http_query_check(r, allowed)))
		return rc;
	rows = json_array();
	for (int p = P_UNSET + 1; p < P_COUNT; p++) {
		const struct perm_row *row = perm_row(p);
		if (row)
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s}", "resource", row->resource,
				"action", row->action, "scope", perm_scope_name(perm_scope_of(r->actor.role, p))));
	}
	return http_json(r, 200, json_pack("{s:s, s:o, s:o}", "role", acct_role_name(r->actor.role),
					   "permissions", rows, "routes", routes_json()));
}

const struct http_route http_routes_core[] = {
	{ "GET", "/api/v1/health", health, HR_PUBLIC, "liveness for load balancers", P_HEALTH_READ },
	{ "GET", "/api/v1/permissions", get_permissions, 0, "what the caller's role may do, and in which scope",
	  P_PERMISSION_READ },
	{ NULL, NULL, NULL, 0, NULL, P_UNSET },
};
