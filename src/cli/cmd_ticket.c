/*
 * cmd_ticket.c - `yunwei ticket create|list|show|comment|assign|resolve`
 * against a running server, through the same /api/v1 as everyone else.
 */
#include "../core/yw.h"
#include "../core/strbuf.h"
#include "cli.h"
#include "client.h"

struct ticket_opts {
	const char *server;
	bool json;
};

/* A readable name for a reference: "<key>_name", "<key>.name", "<key>.display_name" or "<key>" as text. */
static const char *ref_name(json_t *t, const char *key)
{
	char k[64];
	json_t *v;

	snprintf(k, sizeof(k), "%s_name", key);
	if ((v = json_object_get(t, k)) && json_is_string(v))
		return json_string_value(v);
	v = json_object_get(t, key);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_object(v)) {
		const char *names[] = { "display_name", "path", "name" };
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (json_is_string(json_object_get(v, names[i])))
				return json_string_value(json_object_get(v, names[i]));
	}
	return "-";
}

static const char *str_of(json_t *t, const char *key, char *buf, size_t size)
{
	json_t *v = json_object_get(t, key);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "yes" : "no";
	return "-";
}

/* Takes the options every ticket subcommand shares; returns 1 if argv[*i] was one. */
static int common_opt(int argc, const char **argv, int *i, struct ticket_opts *o)
{
	int got = cli_opt(argc, argv, i, "--server", &o->server);
	if (got)
		return got;
	if (!strcmp(argv[*i], "--json")) {
		o->json = true;
		return 1;
	}
	return 0;
}

static int print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2));
	puts(s ? s : "null");
	free(s);
	return CLI_OK;
}

static void print_ticket_row(struct strbuf *sb, json_t *t)
{
	char b1[32], b2[32], b3[32];
	cli_pad(sb, str_of(t, "id", b1, sizeof(b1)), 7);
	cli_pad(sb, str_of(t, "number", b2, sizeof(b2)), 11);
	cli_pad(sb, str_of(t, "status", b3, sizeof(b3)), 17);
	cli_pad(sb, str_of(t, "priority", b3, sizeof(b3)), 4);
	cli_pad(sb, ref_name(t, "group"), 14);
	cli_pad(sb, ref_name(t, "assignee"), 10);
	strbuf_addstr(sb, json_string_value(json_object_get(t, "title")) ?
		      json_string_value(json_object_get(t, "title")) : "");
	strbuf_addch(sb, '\n');
}

static void print_header(struct strbuf *sb)
{
	cli_pad(sb, "ID", 7);
	cli_pad(sb, "NUMBER", 11);
	cli_pad(sb, "STATUS", 17);
	cli_pad(sb, "PRI", 4);
	cli_pad(sb, "GROUP", 14);
	cli_pad(sb, "ASSIGNEE", 10);
	strbuf_addstr(sb, "TITLE\n");
}

/* Parses a positive integer option value; prints and returns -1 on junk. */
static int64_t parse_pos(const char *name, const char *v, int64_t max)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno || n < 1 || n > max) {
		fprintf(stderr, "error: %s must be a number from 1 to %" PRId64 "\n", name, max);
		return -1;
	}
	return n;
}

/*
 * After the options of argv[k] were tried (got: 1 taken, 0 not an option,
 * -1 bad): takes it as the one ticket id, or says what is wrong with it.
 */
static int positional_id(int got, const char *arg, int64_t *id)
{
	if (got < 0 || (!got && (arg[0] == '-' || *id)))
		return cli_usage("ticket");
	if (!got && (*id = parse_pos("ticket id", arg, INT64_MAX / 2)) < 0)
		return CLI_USAGE;
	return 0;
}

static int ticket_create(int argc, const char **argv)
{
	struct ticket_opts o = { NULL, false };
	struct client c;
	json_t *body = json_object(), *resp = NULL;
	int status, rc = CLI_OK;
	static const struct {
		const char *opt, *field;
		bool number;
	} fields[] = {
		{ "--title", "title", false },         { "--type", "type", false },
		{ "--description", "description", false }, { "--category", "category_id", true },
		{ "--channel", "channel", false },     { "--impact", "impact", true },
		{ "--urgency", "urgency", true },      { "--requester", "requester_id", true },
		{ "--org", "organization_id", true },  { "--group", "group_id", true },
		{ "--assignee", "assignee_id", true },
	};

	for (int i = 2; i < argc; i++) {
		const char *v = NULL;
		int got = common_opt(argc, argv, &i, &o);
		for (size_t f = 0; !got && f < ARRAY_SIZE(fields); f++) {
			got = cli_opt(argc, argv, &i, fields[f].opt, &v);
			if (got == 1) {
				if (fields[f].number) {
					int64_t n = parse_pos(fields[f].opt, v, INT64_MAX / 2);
					if (n < 0) {
						json_decref(body);
						return CLI_USAGE;
					}
					json_object_set_new(body, fields[f].field, json_integer(n));
				} else {
					json_object_set_new(body, fields[f].field, json_string(v));
				}
			}
		}
		if (got <= 0) {
			json_decref(body);
			return cli_usage("ticket");
		}
	}
	if (!json_object_get(body, "title")) {
		fprintf(stderr, "error: --title is required\n");
		json_decref(body);
		return CLI_USAGE;
	}
	if (!json_object_get(body, "type"))
		json_object_set_new(body, "type", json_string("incident"));
	if (!json_object_get(body, "channel"))
		json_object_set_new(body, "channel", json_string("phone"));
	if ((rc = client_init(&c, o.server))) {
		json_decref(body);
		return rc;
	}
	status = client_call(&c, "POST", "/api/v1/tickets", body, NULL, &resp);
	json_decref(body);
	if (status != 201) {
		rc = client_fail(status, resp);
	} else if (o.json) {
		print_json(resp);
	} else {
		char b1[32], b2[32], b3[32], b4[32];
		printf("created %s (id %s), priority %s, status %s\n",
		       str_of(resp, "number", b1, sizeof(b1)), str_of(resp, "id", b2, sizeof(b2)),
		       str_of(resp, "priority", b3, sizeof(b3)), str_of(resp, "status", b4, sizeof(b4)));
	}
	json_decref(resp);
	return rc;
}

static int ticket_list(int argc, const char **argv)
{
	struct ticket_opts o = { NULL, false };
	struct strbuf path = STRBUF_INIT, out = STRBUF_INIT;
	static const char *const filters[] = { "status", "type", "priority", "group", "assignee",
					       "organization", "q", "sort", "limit", "cursor" };
	struct client c;
	json_t *resp = NULL, *items, *t;
	size_t idx;
	int status, rc;
	char sep = '?';

	strbuf_addstr(&path, "/api/v1/tickets");
	for (int i = 2; i < argc; i++) {
		int got = common_opt(argc, argv, &i, &o);
		for (size_t f = 0; !got && f < ARRAY_SIZE(filters); f++) {
			char opt[32];
			const char *v;
			snprintf(opt, sizeof(opt), "--%s", filters[f]);
			got = cli_opt(argc, argv, &i, opt, &v);
			if (got == 1) {
				strbuf_addf(&path, "%c%s=", sep, filters[f]);
				strbuf_addurl(&path, v);
				sep = '&';
			}
		}
		if (got <= 0) {
			strbuf_release(&path);
			return cli_usage("ticket");
		}
	}
	if ((rc = client_init(&c, o.server))) {
		strbuf_release(&path);
		return rc;
	}
	status = client_call(&c, "GET", path.buf, NULL, NULL, &resp);
	strbuf_release(&path);
	if (status != 200) {
		rc = client_fail(status, resp);
		json_decref(resp);
		return rc;
	}
	if (o.json) {
		print_json(resp);
		json_decref(resp);
		return CLI_OK;
	}
	items = json_object_get(resp, "items");
	print_header(&out);
	json_array_foreach(items, idx, t)
		print_ticket_row(&out, t);
	fputs(out.buf, stdout);
	if (json_is_string(json_object_get(resp, "next_cursor")))
		printf("(more: --cursor %s)\n", json_string_value(json_object_get(resp, "next_cursor")));
	strbuf_release(&out);
	json_decref(resp);
	return CLI_OK;
}

/* Fetches a ticket by id; returns the HTTP status. */
static int get_ticket(struct client *c, int64_t id, json_t **t)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/tickets/%" PRId64, id);
	return client_call(c, "GET", path, NULL, NULL, t);
}

static int ticket_show(int argc, const char **argv)
{
	struct ticket_opts o = { NULL, false };
	struct client c;
	json_t *t = NULL, *entries = NULL, *e;
	int64_t id = 0;
	int status, rc;
	size_t i;
	char path[96], b[32];

	for (int k = 2; k < argc; k++) {
		int got = common_opt(argc, argv, &k, &o);
		if ((rc = positional_id(got, argv[k], &id)))
			return rc;
	}
	if (!id)
		return cli_usage("ticket");
	if ((rc = client_init(&c, o.server)))
		return rc;
	if ((status = get_ticket(&c, id, &t)) != 200) {
		rc = client_fail(status, t);
		json_decref(t);
		return rc;
	}
	snprintf(path, sizeof(path), "/api/v1/tickets/%" PRId64 "/comments", id);
	status = client_get_all(&c, path, &entries);
	if (o.json) {
		json_object_set(t, "timeline", status == 200 ? json_object_get(entries, "items") : json_null());
		print_json(t);
		json_decref(t);
		json_decref(entries);
		return CLI_OK;
	}
	printf("%s  %s\n", str_of(t, "number", b, sizeof(b)),
	       json_string_value(json_object_get(t, "title")) ? json_string_value(json_object_get(t, "title")) : "");
	static const char *const keys[] = { "type", "status", "priority", "fault_level", "channel",
					    "impact", "urgency", "created_at", "updated_at",
					    "resolution_code", "version" };
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
		printf("  %-16s %s\n", keys[k], str_of(t, keys[k], b, sizeof(b)));
	printf("  %-16s %s\n", "category", ref_name(t, "category"));
	printf("  %-16s %s\n", "organization", ref_name(t, "organization"));
	printf("  %-16s %s\n", "requester", ref_name(t, "requester"));
	printf("  %-16s %s\n", "group", ref_name(t, "group"));
	printf("  %-16s %s\n", "assignee", ref_name(t, "assignee"));
	if (json_is_string(json_object_get(t, "description")))
		printf("\n%s\n", json_string_value(json_object_get(t, "description")));
	if (status == 200) {
		json_array_foreach(json_object_get(entries, "items"), i, e) {
			char b2[32];
			printf("\n-- %s %s %s%s\n", str_of(e, "created_at", b, sizeof(b)), ref_name(e, "author"),
			       str_of(e, "kind", b2, sizeof(b2)),
			       json_is_integer(json_object_get(e, "minutes")) ? " (worklog)" : "");
			if (json_is_string(json_object_get(e, "body")))
				printf("%s\n", json_string_value(json_object_get(e, "body")));
		}
	}
	json_decref(t);
	json_decref(entries);
	return CLI_OK;
}

/* ticket comment ID --body TEXT [--internal]; --body - reads stdin */
static int ticket_comment(int argc, const char **argv)
{
	struct ticket_opts o = { NULL, false };
	struct strbuf text = STRBUF_INIT;
	const char *body = NULL;
	bool internal = false;
	struct client c;
	json_t *req, *resp = NULL;
	int64_t id = 0;
	int status, rc;
	char path[96];

	for (int k = 2; k < argc; k++) {
		int got = common_opt(argc, argv, &k, &o);
		if (!got)
			got = cli_opt(argc, argv, &k, "--body", &body);
		if (!got && !strcmp(argv[k], "--internal"))
			internal = true, got = 1;
		if ((rc = positional_id(got, argv[k], &id)))
			return rc;
	}
	if (!id || !body)
		return cli_usage("ticket");
	if (!strcmp(body, "-")) {
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
			strbuf_add(&text, buf, n);
		/* like a commit message from a file: the final newlines are not part of it */
		while (text.len && (text.buf[text.len - 1] == '\n' || text.buf[text.len - 1] == '\r'))
			strbuf_setlen(&text, text.len - 1);
		body = text.buf;
	}
	if ((rc = client_init(&c, o.server))) {
		strbuf_release(&text);
		return rc;
	}
	req = json_pack("{s:s, s:b}", "body", body, "internal", internal);
	strbuf_release(&text);
	if (!req) {
		fprintf(stderr, "error: the comment is not valid UTF-8\n");
		return CLI_USAGE;
	}
	snprintf(path, sizeof(path), "/api/v1/tickets/%" PRId64 "/comments", id);
	status = client_call(&c, "POST", path, req, NULL, &resp);
	json_decref(req);
	if (status != 201)
		rc = client_fail(status, resp);
	else if (o.json)
		print_json(resp);
	else
		printf("added %s to ticket %" PRId64 "\n", internal ? "internal note" : "comment", id);
	json_decref(resp);
	return rc;
}

/* ticket assign ID [--group G] [--assignee U]: PATCH with the version just read */
static int ticket_assign(int argc, const char **argv)
{
	struct ticket_opts o = { NULL, false };
	const char *group = NULL, *assignee = NULL;
	struct client c;
	json_t *t = NULL, *req, *resp = NULL;
	int64_t id = 0;
	int status, rc;
	char path[96], ifmatch[64];

	for (int k = 2; k < argc; k++) {
		int got = common_opt(argc, argv, &k, &o);
		if (!got)
			got = cli_opt(argc, argv, &k, "--group", &group);
		if (!got)
			got = cli_opt(argc, argv, &k, "--assignee", &assignee);
		if ((rc = positional_id(got, argv[k], &id)))
			return rc;
	}
	if (!id || (!group && !assignee))
		return cli_usage("ticket");
	req = json_object();
	if (group) {
		int64_t g = parse_pos("--group", group, INT64_MAX / 2);
		if (g < 0) {
			json_decref(req);
			return CLI_USAGE;
		}
		json_object_set_new(req, "group_id", json_integer(g));
	}
	if (assignee) {
		int64_t u = parse_pos("--assignee", assignee, INT64_MAX / 2);
		if (u < 0) {
			json_decref(req);
			return CLI_USAGE;
		}
		json_object_set_new(req, "assignee_id", json_integer(u));
	}
	if ((rc = client_init(&c, o.server))) {
		json_decref(req);
		return rc;
	}
	if ((status = get_ticket(&c, id, &t)) != 200) {
		rc = client_fail(status, t);
		json_decref(t);
		json_decref(req);
		return rc;
	}
	snprintf(ifmatch, sizeof(ifmatch), "If-Match: %" JSON_INTEGER_FORMAT,
		 json_integer_value(json_object_get(t, "version")));
	json_decref(t);
	snprintf(path, sizeof(path), "/api/v1/tickets/%" PRId64, id);
	status = client_call(&c, "PATCH", path, req, ifmatch, &resp);
	json_decref(req);
	if (status != 200) {
		rc = client_fail(status, resp);
	} else if (o.json) {
		print_json(resp);
	} else {
		char b1[32], b2[32];
		printf("ticket %s: group %s, assignee %s, status %s\n", str_of(resp, "number", b1, sizeof(b1)),
		       ref_name(resp, "group"), ref_name(resp, "assignee"), str_of(resp, "status", b2, sizeof(b2)));
	}
	json_decref(resp);
	return rc;
}

/* ticket resolve ID --code CODE [--notes TEXT] */
static int ticket_resolve(int argc, const char **argv)
{
	struct ticket_opts o = { NULL, false };
	const char *code = NULL, *notes = NULL;
	struct client c;
	json_t *req, *resp = NULL;
	int64_t id = 0;
	int status, rc;
	char path[96];

	for (int k = 2; k < argc; k++) {
		int got = common_opt(argc, argv, &k, &o);
		if (!got)
			got = cli_opt(argc, argv, &k, "--code", &code);
		if (!got)
			got = cli_opt(argc, argv, &k, "--notes", &notes);
		if ((rc = positional_id(got, argv[k], &id)))
			return rc;
	}
	if (!id || !code)
		return cli_usage("ticket");
	if ((rc = client_init(&c, o.server)))
		return rc;
	req = json_pack("{s:s, s:s}", "to", "resolved", "resolution_code", code);
	if (notes)
		json_object_set_new(req, "resolution_notes", json_string(notes));
	snprintf(path, sizeof(path), "/api/v1/tickets/%" PRId64 "/transitions", id);
	status = client_call(&c, "POST", path, req, NULL, &resp);
	json_decref(req);
	if (status != 200 && status != 201) {
		rc = client_fail(status, resp);
	} else if (o.json) {
		print_json(resp);
	} else {
		char b1[32], b2[32];
		printf("ticket %s is %s\n", str_of(resp, "number", b1, sizeof(b1)), str_of(resp, "status", b2, sizeof(b2)));
	}
	json_decref(resp);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(int argc, const char **argv);
} ticket_cmds[] = {
	{ "create", ticket_create },   { "list", ticket_list },     { "show", ticket_show },
	{ "comment", ticket_comment }, { "assign", ticket_assign }, { "resolve", ticket_resolve },
};

int cmd_ticket(int argc, const char **argv)
{
	if (argc < 2)
		return cli_usage("ticket");
	for (size_t i = 0; i < ARRAY_SIZE(ticket_cmds); i++)
		if (!strcmp(argv[1], ticket_cmds[i].name))
			return ticket_cmds[i].fn(argc, argv);
	return cli_usage("ticket");
}
