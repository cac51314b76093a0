/*
 * test_openapi.c - docs/openapi.yaml and the route tables must describe
 * the same API: every (method, pattern) of http_route_tables is under
 * paths:, and every documented operation is a route.
 *
 * The YAML is read line by line, not with a YAML parser: a path is a line
 * "  /api/...:", its route table "    x-yw-module: NAME" and an operation
 * "    get:" (four spaces) followed by "      summary: ...".
 *
 * Every documented operation must be a route of the table its
 * x-yw-module names, and a missing one fails; an empty table is no excuse.
 *
 * Query parameters are read the same way: a "parameters:" block at the
 * path (four spaces) or the operation (six spaces), whose items are
 * "- { name: x, in: query, ... }", "- name: x" with "in: query" below it,
 * or "- $ref: '#/components/parameters/X'" resolved from components. For
 * the handlers in allow_lists the names must be exactly the ones the
 * handler passes to http_query_check(), read from its source file.
 */
#include "yw.h"
#include "http/http.h"
#include "domain/ticket/tk.h"
#include <setjmp.h>
#include <cmocka.h>

#ifndef YW_SOURCE_DIR
#error "YW_SOURCE_DIR must name the source tree"
#endif

#define MAX_PARAMS 24

/* A documented parameter: name and in, or the name of a component it refers to. */
struct param {
	char name[32];
	char in[16];
	char ref[32];
};

struct op {
	char method[8];
	char path[160];
	char module[32];
	bool has_summary;
	int line;
	struct param params[MAX_PARAMS];
	size_t nparams;
};

static struct op ops[256];
static size_t nops;

/* components/parameters, for resolving $ref */
static struct param components[32];
static size_t ncomponents;

static const struct {
	const char *name;
	const struct http_route *table;
} modules[] = {
	{ "core", http_routes_core },
	{ "accounts", http_routes_accounts },
	{ "tickets", http_routes_tickets },
	{ "calendars", http_routes_calendars },
	{ "sla", http_routes_sla },
	{ "views", http_routes_views },
	{ "uploads", http_routes_uploads },
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

/* Copies the value of "key: value" in s (up to ',', '}' or the end) into out. */
static void flow_value(const char *s, const char *key, char *out, size_t size)
{
	const char *p = strstr(s, key);
	size_t n;

	out[0] = '\0';
	if (!p)
		return;
	p += strlen(key);
	n = strcspn(p, ",}");
	while (n && p[n - 1] == ' ')
		n--;
	if (n >= 2 && (*p == '\'' || *p == '"'))
		p++, n -= 2;
	snprintf(out, size, "%.*s", (int)n, p);
}

static size_t indent_of(const char *line)
{
	return strspn(line, " ");
}

/*
 * One line inside a parameters block whose key is at indent `base`:
 * starts a new item ("- ...") or completes the last one ("in: ...").
 */
static int param_line(const char *line, size_t base, struct param *list, size_t *n)
{
	const char *p = line + indent_of(line);

	if (indent_of(line) == base + 2 && p[0] == '-' && p[1] == ' ') {
		struct param *q;
		if (*n == MAX_PARAMS)
			return -1;
		q = &list[(*n)++];
		memset(q, 0, sizeof(*q));
		p += 2;
		if (!strncmp(p, "$ref: ", 6)) {
			const char *slash = strrchr(p, '/');
			if (!slash)
				return -1;
			flow_value(slash, "/", q->ref, sizeof(q->ref));
			q->ref[strcspn(q->ref, "'\"")] = '\0';
		} else {
			flow_value(p, "name: ", q->name, sizeof(q->name));
			flow_value(p, "in: ", q->in, sizeof(q->in));
		}
	} else if (*n && indent_of(line) == base + 4 && !strncmp(p, "in: ", 4)) {
		flow_value(p, "in: ", list[*n - 1].in, sizeof(list[*n - 1].in));
	}
	return 0;
}

static int load(void **state)
{
	static const char *const methods[] = { "get", "put", "post", "patch", "delete", "head", "options" };
	FILE *f = fopen(YW_SOURCE_DIR "/docs/openapi.yaml", "r");
	char line[512], path[160] = "", module[32] = "", section[32] = "";
	struct param path_params[MAX_PARAMS];
	size_t npath_params = 0;
	bool in_paths = false, in_components_params = false;
	size_t params_base = 0;   /* indent of the open "parameters:" key, 0 when none */
	struct op *cur = NULL;
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
			snprintf(section, sizeof(section), "%.31s", line);
			in_components_params = false;
			continue;
		}
		if (!strcmp(section, "components:")) {
			if (indent_of(line) == 2)
				in_components_params = !strcmp(line, "  parameters:");
			else if (in_components_params && indent_of(line) == 4 && ncomponents < ARRAY_SIZE(components))
				snprintf(components[ncomponents++].ref, sizeof(components[0].ref), "%.*s",
					 (int)strcspn(line + 4, ":"), line + 4);
			else if (in_components_params && ncomponents && indent_of(line) == 6 && !strncmp(line + 6, "name: ", 6))
				flow_value(line + 6, "name: ", components[ncomponents - 1].name, sizeof(components[0].name));
			else if (in_components_params && ncomponents && indent_of(line) == 6 && !strncmp(line + 6, "in: ", 4))
				flow_value(line + 6, "in: ", components[ncomponents - 1].in, sizeof(components[0].in));
			continue;
		}
		if (!in_paths)
			continue;
		if (params_base && indent_of(line) <= params_base)
			params_base = 0;
		if (params_base) {
			int rc = cur ? param_line(line, params_base, cur->params, &cur->nparams) :
				       param_line(line, params_base, path_params, &npath_params);
			if (rc) {
				fprintf(stderr, "openapi.yaml:%d: cannot read this parameter\n", lineno);
				fclose(f);
				return -1;
			}
			continue;
		}
		if (!strncmp(line, "  /", 3)) {
			size_t n = strlen(line);
			if (line[n - 1] != ':' || n - 3 >= sizeof(path)) {
				fprintf(stderr, "openapi.yaml:%d: bad path line\n", lineno);
				fclose(f);
				return -1;
			}
			snprintf(path, sizeof(path), "%.*s", (int)(n - 3), line + 2);
			module[0] = '\0';
			npath_params = 0;
			cur = NULL;
		} else if (!strncmp(line, "    x-yw-module: ", 17)) {
			snprintf(module, sizeof(module), "%.31s", line + 17);
		} else if (!strcmp(line, "    parameters:") || (cur && !strcmp(line, "      parameters:"))) {
			/* path-level parameters apply to the operations that follow them */
			if (indent_of(line) == 4)
				cur = NULL;
			params_base = indent_of(line);
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
				memcpy(o->params, path_params, npath_params * sizeof(path_params[0]));
				o->nparams = npath_params;
				cur = o;
			}
		} else if (!strncmp(line, "      summary: ", 15) && nops && line[15]) {
			ops[nops - 1].has_summary = true;
		}
	}
	fclose(f);
	/* resolve $ref parameters */
	for (size_t i = 0; i < nops; i++) {
		for (size_t k = 0; k < ops[i].nparams; k++) {
			struct param *q = &ops[i].params[k];
			if (!q->ref[0])
				continue;
			for (size_t c = 0; c < ncomponents; c++)
				if (!strcmp(components[c].ref, q->ref))
					*q = components[c];
			if (!q->name[0]) {
				fprintf(stderr, "openapi.yaml:%d: no parameter component %s\n", ops[i].line, q->ref);
				return -1;
			}
		}
	}
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

/*
 * The handlers that declare their query parameters in an array named
 * allowed[] handed to http_query_check(): the documented query parameters
 * of their operation must be exactly those names.
 */
static const struct {
	const char *method, *pattern, *file, *handler;
	const char *const *names;   /* the list itself, when the handler takes it from the domain */
} allow_lists[] = {
	{ "GET", "/api/v1/me", "src/http/h_accounts.c", "me", NULL },
	{ "GET", "/api/v1/users", "src/http/h_accounts.c", "list_users", NULL },
	{ "GET", "/api/v1/groups", "src/http/h_accounts.c", "list_groups", NULL },
	{ "GET", "/api/v1/organizations", "src/http/h_accounts.c", "list_orgs", NULL },
	{ "GET", "/api/v1/organizations/{id}/contacts", "src/http/h_accounts.c", "org_contacts", NULL },
	{ "GET", "/api/v1/categories", "src/http/h_accounts.c", "list_cats", NULL },
	{ "GET", "/api/v1/tokens", "src/http/h_accounts.c", "list_tokens", NULL },
	{ "GET", "/api/v1/audit", "src/http/h_accounts.c", "list_audit", NULL },
	{ "GET", "/api/v1/tickets", NULL, "list_tickets", tk_query_params },
	{ "POST", "/api/v1/tickets/{id}/attachments", "src/http/h_tickets.c", "post_attachment", NULL },
	{ "GET", "/api/v1/calendars", "src/http/h_calendars.c", "list_calendars", NULL },
};

/*
 * Reads the string literals of the allowed[] array in the body of
 * handler in file (relative to the source tree) into names. Returns how
 * many, or -1 when the handler or its array is not found.
 */
static int read_allow_list(const char *file, const char *handler, char names[][32], size_t max)
{
	char fn[512], line[512], head[128];
	bool in_fn = false, in_array = false;
	size_t n = 0;
	FILE *f;

	snprintf(fn, sizeof(fn), "%s/%s", YW_SOURCE_DIR, file);
	if (!(f = fopen(fn, "r")))
		return -1;
	snprintf(head, sizeof(head), "static int %s(struct http_req *r)", handler);
	while (fgets(line, sizeof(line), f)) {
		chomp(line);
		if (!in_fn) {
			in_fn = !strcmp(line, head);
			continue;
		}
		if (!strcmp(line, "}"))
			break;
		const char *p = line;
		if (!in_array) {
			if (!(p = strstr(line, "allowed[] = {")))
				continue;
			in_array = true;
		}
		/* string literals up to the NULL that ends the array */
		for (;;) {
			const char *q = strchr(p, '"'), *null = strstr(p, "NULL");
			if (null && (!q || null < q)) {
				fclose(f);
				return (int)n;
			}
			if (!q)
				break;
			const char *end = strchr(q + 1, '"');
			if (!end || n == max)
				goto bad;
			snprintf(names[n++], 32, "%.*s", (int)(end - q - 1), q + 1);
			p = end + 1;
		}
	}
bad:
	fclose(f);
	return -1;
}

static void test_query_parameters_match_allow_lists(void **state)
{
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(allow_lists); i++) {
		char names[MAX_PARAMS][32];
		const struct op *o = find_op(allow_lists[i].method, allow_lists[i].pattern);
		int n = 0;

		if (allow_lists[i].names) {
			while (allow_lists[i].names[n] && n < MAX_PARAMS)
				snprintf(names[n], sizeof(names[n]), "%s", allow_lists[i].names[n]), n++;
		} else {
			n = read_allow_list(allow_lists[i].file, allow_lists[i].handler, names, MAX_PARAMS);
		}

		if (!o || n < 0) {
			fprintf(stderr, "%s %s: %s\n", allow_lists[i].method, allow_lists[i].pattern,
				!o ? "not documented" : "no allowed[] found in its handler");
			bad++;
			continue;
		}
		/* every documented query parameter is accepted */
		for (size_t k = 0; k < o->nparams; k++) {
			bool found = false;
			if (strcmp(o->params[k].in, "query"))
				continue;
			for (int j = 0; j < n && !found; j++)
				found = !strcmp(names[j], o->params[k].name);
			if (!found) {
				fprintf(stderr, "openapi.yaml:%d: %s %s documents ?%s, which %s() rejects\n", o->line,
					o->method, o->path, o->params[k].name, allow_lists[i].handler);
				bad++;
			}
		}
		/* every accepted one is documented */
		for (int j = 0; j < n; j++) {
			bool found = false;
			for (size_t k = 0; k < o->nparams && !found; k++)
				found = !strcmp(o->params[k].in, "query") && !strcmp(o->params[k].name, names[j]);
			if (!found) {
				fprintf(stderr, "openapi.yaml:%d: %s %s does not document ?%s, which %s() accepts\n",
					o->line, o->method, o->path, names[j], allow_lists[i].handler);
				bad++;
			}
		}
	}
	assert_int_equal(bad, 0);
}

/* guards the parameter reader: the list of tickets documents its filters */
static void test_parsed_parameters(void **state)
{
	const struct op *o = find_op("GET", "/api/v1/tickets");
	bool limit = false, status = false;

	assert_non_null(o);
	for (size_t k = 0; k < o->nparams; k++) {
		limit = limit || (!strcmp(o->params[k].name, "limit") && !strcmp(o->params[k].in, "query"));
		status = status || (!strcmp(o->params[k].name, "status") && !strcmp(o->params[k].in, "query"));
	}
	assert_true(limit && status);
	o = find_op("GET", "/api/v1/calendars/{id}/days");
	assert_non_null(o);
	assert_int_equal(o->nparams, 2);   /* {id} and ?year, both at the path */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsed_something),
		cmocka_unit_test(test_every_route_is_documented),
		cmocka_unit_test(test_every_documented_operation_is_a_route),
		cmocka_unit_test(test_path_parameters_are_ids),
		cmocka_unit_test(test_parsed_parameters),
		cmocka_unit_test(test_query_parameters_match_allow_lists),
	};

	return cmocka_run_group_tests(tests, load, NULL);
}
