/*
 * test_core_router.c - http_route_match against a table shaped like the
 * real ones: {id} bounds, 404 versus 405, captures. Includes router.c (h2o
 * t/00unit style) and supplies its own route tables, so the test does not
 * depend on which handlers are merged.
 */
#include "../../../src/http/router.c"
#include <setjmp.h>
#include <cmocka.h>

static int h(struct http_req *r) { (void)r; return 0; }

const struct http_route http_routes_core[] = {
	{ "GET", "/api/v1/health", h, HR_PUBLIC, "health", P_HEALTH_READ },
	{ NULL, NULL, NULL, 0, NULL, P_UNSET },
};
const struct http_route http_routes_accounts[] = {
	{ "GET", "/api/v1/users", h, 0, "list", P_USER_READ },
	{ "POST", "/api/v1/users", h, HR_JSON, "create", P_USER_CREATE },
	{ "GET", "/api/v1/users/{id}", h, 0, "get", P_USER_READ },
	{ "PATCH", "/api/v1/users/{id}", h, HR_JSON, "update", P_USER_UPDATE },
	{ NULL, NULL, NULL, 0, NULL, P_UNSET },
};
const struct http_route http_routes_tickets[] = {
	{ "GET", "/api/v1/tickets", h, 0, "list", P_USER_READ },
	{ "GET", "/api/v1/tickets/{id}", h, 0, "get", P_USER_READ },
	{ "GET", "/api/v1/tickets/{id}/comments", h, 0, "comments", P_TICKET_READ },
	{ "DELETE", "/api/v1/tickets/{id}/links/{other_id}", h, 0, "unlink", P_TICKET_LINK },
	{ NULL, NULL, NULL, 0, NULL, P_UNSET },
};

const struct http_route http_routes_uploads[] = {
	{ NULL, NULL, NULL, 0, NULL, P_UNSET },
};

struct result {
	int rc;
	const struct http_route *route;
	int64_t id, id2;
	size_t nparams;
};

static struct result route(const char *method, const char *path)
{
	struct http_req r;
	struct result res = { 0, NULL, 0, 0, 0 };

	memset(&r, 0, sizeof(r));
	res.rc = http_route_match(method, strlen(method), path, strlen(path), &res.route, &r);
	res.id = r.id;
	res.id2 = r.id2;
	res.nparams = r.nparams;
	arena_free(&r.arena);
	return res;
}

static void test_static_paths(void **state)
{
	struct result r = route("GET", "/api/v1/health");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.route->summary, "health");

	r = route("POST", "/api/v1/users");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.route->summary, "create");

	assert_int_equal(route("GET", "/api/v1/nope").rc, YW_ENOTFOUND);
	assert_int_equal(route("GET", "/api/v1/health/").rc, YW_ENOTFOUND);
	assert_int_equal(route("GET", "/api/v1/healthz").rc, YW_ENOTFOUND);
	assert_int_equal(route("GET", "/api/v1/healt").rc, YW_ENOTFOUND);
	assert_int_equal(route("GET", "/api/v1//health").rc, YW_ENOTFOUND);
	assert_int_equal(route("GET", "").rc, YW_ENOTFOUND);
	assert_int_equal(route("GET", "/").rc, YW_ENOTFOUND);
	assert_int_equal(route("GET", "/api/v1/").rc, YW_ENOTFOUND);
	assert_int_equal(route("GET", "/api/v1/t").rc, YW_ENOTFOUND);
	assert_int_equal(route("GET", "/api/v2/tickets").rc, YW_ENOTFOUND);
}

/* A 405 names the methods the path has, each once, for its Allow header. */
static void test_405_allow(void **state)
{
	static const struct {
		const char *method, *path, *allow;
	} cases[] = {
		{ "DELETE", "/api/v1/users", "GET, POST" },
		{ "PUT", "/api/v1/users/5", "GET, PATCH" },
		{ "POST", "/api/v1/health", "GET" },
		{ "GET", "/api/v1/tickets/3/links/4", "DELETE" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct http_req r;
		const struct http_route *rt = NULL;

		memset(&r, 0, sizeof(r));
		assert_int_equal(http_route_match(cases[i].method, strlen(cases[i].method), cases[i].path,
						  strlen(cases[i].path), &rt, &r), YW_EMETHOD);
		assert_non_null(r.allow);
		assert_string_equal(r.allow, cases[i].allow);
		arena_free(&r.arena);
	}
}

static void test_405_versus_404(void **state)
{
	struct http_req r;
	const struct http_route *rt = NULL;

	assert_int_equal(route("POST", "/api/v1/health").rc, YW_EMETHOD);
	assert_int_equal(route("DELETE", "/api/v1/users").rc, YW_EMETHOD);
	assert_int_equal(route("PUT", "/api/v1/users/5").rc, YW_EMETHOD);
	assert_int_equal(route("GET", "/api/v1/tickets/1/links/2").rc, YW_EMETHOD);
	assert_int_equal(route("get", "/api/v1/health").rc, YW_EMETHOD);  /* methods are case-sensitive */
	assert_int_equal(route("GE", "/api/v1/health").rc, YW_EMETHOD);
	assert_int_equal(route("GETX", "/api/v1/health").rc, YW_EMETHOD);
	/* a bad id is not "this path with another method": it is no path at all */
	assert_int_equal(route("PUT", "/api/v1/users/0").rc, YW_ENOTFOUND);

	/* the error names the method */
	memset(&r, 0, sizeof(r));
	assert_int_equal(http_route_match("POST", 4, "/api/v1/health", 14, &rt, &r), YW_EMETHOD);
	assert_int_equal(r.err.code, YW_EMETHOD);
	assert_string_equal(r.err.msg, "method POST not allowed here");
	arena_free(&r.arena);   /* the Allow list */
	memset(&r, 0, sizeof(r));
	assert_int_equal(http_route_match("GET", 3, "/x", 2, &rt, &r), YW_ENOTFOUND);
	assert_string_equal(r.err.msg, "no such endpoint");
}

static void test_id_bounds(void **state)
{
	struct result r = route("GET", "/api/v1/tickets/1");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.id, 1);
	assert_int_equal(r.nparams, 1);
	assert_string_equal(r.route->summary, "get");

	r = route("GET", "/api/v1/tickets/9007199254740992");   /* 2^53: the largest */
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.id, (int64_t)1 << 53);

	static const char *const bad[] = {
		"/api/v1/tickets/0",
		"/api/v1/tickets/9007199254740993",         /* 2^53 + 1 */
		"/api/v1/tickets/9999999999999999",
		"/api/v1/tickets/99999999999999999999",      /* would overflow int64 */
		"/api/v1/tickets/18446744073709551617",
		"/api/v1/tickets/-1",
		"/api/v1/tickets/+1",
		"/api/v1/tickets/ 1",
		"/api/v1/tickets/1 ",
		"/api/v1/tickets/1a",
		"/api/v1/tickets/abc",
		"/api/v1/tickets/0x10",
		"/api/v1/tickets/1e3",
		"/api/v1/tickets/1.0",
		"/api/v1/tickets/%31",
		"/api/v1/tickets/１",                        /* full-width digit */
		"/api/v1/tickets/",
		"/api/v1/tickets//comments",
		"/api/v1/tickets/1/",
		"/api/v1/tickets/1/comment",
		"/api/v1/tickets/1/comments/",
		"/api/v1/tickets/1/links/0",
		"/api/v1/tickets/0/links/1",
		"/api/v1/tickets/1/links/",
		"/api/v1/tickets/1/links/x",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		r = route("GET", bad[i]);
		if (r.rc != YW_ENOTFOUND)
			fail_msg("%s: rc %d, want not found", bad[i], r.rc);
		r = route("DELETE", bad[i]);
		if (r.rc != YW_ENOTFOUND)
			fail_msg("DELETE %s: rc %d, want not found", bad[i], r.rc);
	}
}

static void test_two_ids(void **state)
{
	struct result r = route("DELETE", "/api/v1/tickets/12/links/345");

	assert_int_equal(r.rc, 0);
	assert_string_equal(r.route->summary, "unlink");
	assert_int_equal(r.id, 12);
	assert_int_equal(r.id2, 345);
	assert_int_equal(r.nparams, 2);

	r = route("GET", "/api/v1/tickets/77/comments");
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.id, 77);
	assert_int_equal(r.id2, 0);
}

/* A path given with its length is not read past it (the query is cut off by length). */
static void test_length_bounded(void **state)
{
	struct http_req r;
	const struct http_route *rt = NULL;
	const char *full = "/api/v1/tickets/42?x=1";

	memset(&r, 0, sizeof(r));
	assert_int_equal(http_route_match("GET", 3, full, 18, &rt, &r), 0);
	assert_int_equal(r.id, 42);
	arena_free(&r.arena);
	memset(&r, 0, sizeof(r));
	assert_int_equal(http_route_match("GET", 3, full, 17, &rt, &r), 0);
	assert_int_equal(r.id, 4);
	arena_free(&r.arena);
	memset(&r, 0, sizeof(r));
	assert_int_equal(http_route_match("GET", 3, full, strlen(full), &rt, &r), YW_ENOTFOUND);
	arena_free(&r.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_paths),
		cmocka_unit_test(test_405_versus_404),
		cmocka_unit_test(test_405_allow),
		cmocka_unit_test(test_id_bounds),
		cmocka_unit_test(test_two_ids),
		cmocka_unit_test(test_length_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
