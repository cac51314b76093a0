/*
 * test_openapi.c - docs/openapi.yaml and the route tables must describe
 * the same API: every (method, pattern) of http_route_tables is under
 * paths:, and every documented operation is a route.
 *
 * The YAML is read line by line, not with a YAML parser: a path is a line
 * "  /api/...:", its route table "    x-yw-module: NAME" and an operation
 * "    get:" (four spaces) followed by "      summary: ...".
 *
 * Until the handlers of a module are merged its table is empty; the
 * documented operations of such a module are then listed as pending and
 * the test exits 77, which ctest reports as skipped (SKIP_RETURN_CODE).
 * Once a table has any route, every operation documented for its module
 * must exist, and a missing one fails.
 */
#include "yw.h"
#include "http/http.h"
#include <setjmp.h>
#include <cmocka.h>

#ifndef YW_SOURCE_DIR
#error "YW_SOURCE_DIR must name the source tree"
#endif

struct op {
	char method[8];
	char path[160];
	char module[32];
	bool has_summary;
	int line;
};

static struct op ops[256];
static size_t nops;
static size_t npending;

static const struct {
	const char *name;
	const struct http_route *table;
} modules[] = {
	{ "core", http_routes_core },
	{ "accounts", http_routes_accounts },
	{ "tickets", http_routes_tickets },
	{ "calendars", http_routes_calendars },
};

static const struct http_route *module_table(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(modules); i++)
		if (!strcmp(modules[i].name, name))
			return modules[i].table;
	return NULL;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
}

static int load(void **state)
{
	static const char *const methods[] = { "get", "put", "post", "patch", "delete", "head", "options" };
	FILE *f = fopen(YW_SOURCE_DIR "/docs/openapi.yaml", "r");
	char line[512], path[160] = "", module[32] = "";
	bool in_paths = false;
	int lineno = 0;

	if (!f) {
		fprintf(stderr, "cannot open %s/docs/openapi.yaml: %s\n", YW_SOURCE_DIR, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		chomp(line);
		if (!line[0] || line[0] == '#' || !strncmp(line, "  #", 3))
			continue;
		if (line[0] != ' ') {
			in_paths = !strcmp(line, "paths:");
			continue;
		}
		if (!in_paths)
			continue;
		if (!strncmp(line, "  /", 3)) {
			size_t n = strlen(line);
			if (line[n - 1] != ':' || n - 3 >= sizeof(path)) {
				fprintf(stderr, "openapi.yaml:%d: bad path line\n", lineno);
				fclose(f);
				return -1;
			}
			snprintf(path, sizeof(path), "%.*s", (int)(n - 3), line + 2);
			module[0] = '\0';
		} else if (!strncmp(line, "    x-yw-module: ", 17)) {
			snprintf(module, sizeof(module), "%.31s", line + 17);
		} else if (!strncmp(line, "    ", 4) && line[4] != ' ') {
			for (size_t i = 0; i < ARRAY_SIZE(methods); i++) {
				size_t ml = strlen(methods[i]);
				if (strncmp(line + 4, methods[i], ml) || strcmp(line + 4 + ml, ":"))
					continue;
				if (nops == ARRAY_SIZE(ops)) {
					fclose(f);
					return -1;
				}
				struct op *o = &ops[nops++];
				for (size_t k = 0; k <= ml; k++)
					o->method[k] = (char)toupper((unsigned char)methods[i][k]);
				snprintf(o->path, sizeof(o->path), "%s", path);
				snprintf(o->module, sizeof(o->module), "%s", module);
				o->line = lineno;
			}
		} else if (!strncmp(line, "      summary: ", 15) && nops && line[15]) {
			ops[nops - 1].has_summary = true;
		}
	}
	fclose(f);
	return 0;
}

static const struct op *find_op(const char *method, const char *pattern)
{
	for (size_t i = 0; i < nops; i++)
		if (!strcmp(ops[i].method, method) && !strcmp(ops[i].path, pattern))
			return &ops[i];
	return NULL;
}

static const struct http_route *find_route(const char *method, const char *pattern)
{
	for (size_t t = 0; http_route_tables[t]; t++)
		for (const struct http_route *r = http_route_tables[t]; r->method; r++)
			if (!strcmp(r->method, method) && !strcmp(r->pattern, pattern))
				return r;
	return NULL;
}

static void test_parsed_something(void **state)
{
	/* guards against a parser that silently finds nothing */
	assert_true(nops >= 40);
	assert_non_null(find_op("GET", "/api/v1/health"));
}

static void test_every_route_is_documented(void **state)
{
	int missing = 0;

	for (size_t t = 0; http_route_tables[t]; t++) {
		for (const struct http_route *r = http_route_tables[t]; r->method; r++) {
			if (!find_op(r->method, r->pattern)) {
				fprintf(stderr, "undocumented route: %s %s\n", r->method, r->pattern);
				missing++;
			}
			if (!r->summary || !r->summary[0]) {
				fprintf(stderr, "route without a summary: %s %s\n", r->method, r->pattern);
				missing++;
			}
		}
	}
	assert_int_equal(missing, 0);
}

static void test_every_documented_operation_is_a_route(void **state)
{
	int bad = 0;

	npending = 0;
	for (size_t i = 0; i < nops; i++) {
		const struct op *o = &ops[i];
		const struct http_route *table = module_table(o->module);

		if (!table) {
			fprintf(stderr, "openapi.yaml:%d: %s has no known x-yw-module (\"%s\")\n", o->line,
				o->path, o->module);
			bad++;
			continue;
		}
		if (!o->has_summary) {
			fprintf(stderr, "openapi.yaml:%d: %s %s has no summary\n", o->line, o->method, o->path);
			bad++;
		}
		if (find_route(o->method, o->path))
			continue;
		if (!table[0].method) {
			npending++;
			continue;
		}
		fprintf(stderr, "openapi.yaml:%d: %s %s is documented but not a route of %s\n", o->line,
			o->method, o->path, o->module);
		bad++;
	}
	assert_int_equal(bad, 0);
}

/* The router captures only ids: every {param} must be {id} or {..._id}. */
static void test_path_parameters_are_ids(void **state)
{
	for (size_t i = 0; i < nops; i++) {
		const char *p = ops[i].path;
		while ((p = strchr(p, '{'))) {
			const char *close = strchr(p, '}');
			assert_non_null(close);
			size_t n = (size_t)(close - p + 1);
			if (!(n == 4 && !strncmp(p, "{id}", 4)) && !(n > 4 && !strncmp(close - 3, "_id}", 4)))
				fail_msg("%s: parameter %.*s is not an id", ops[i].path, (int)n, p);
			p = close;
		}
		for (size_t k = 0; k < i; k++)
			if (!strcmp(ops[k].method, ops[i].method) && !strcmp(ops[k].path, ops[i].path))
				fail_msg("%s %s documented twice", ops[i].method, ops[i].path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsed_something),
		cmocka_unit_test(test_every_route_is_documented),
		cmocka_unit_test(test_every_documented_operation_is_a_route),
		cmocka_unit_test(test_path_parameters_are_ids),
	};
	int failed = cmocka_run_group_tests(tests, load, NULL);

	if (failed)
		return failed;
	if (npending) {
		fprintf(stderr, "SKIPPED: %zu documented operations belong to route tables that are still "
			"empty (handlers not merged):\n", npending);
		for (size_t i = 0; i < nops; i++)
			if (!find_route(ops[i].method, ops[i].path))
				fprintf(stderr, "  pending: %s %s (%s)\n", ops[i].method, ops[i].path, ops[i].module);
		return 77;
	}
	return 0;
}
