/*
 * cmd_sla.c - `yunwei sla policy list|show|add|set|delete`, `yunwei sla
 * report`, `yunwei sla rebuild` and `yunwei sla states`, on the database
 * directly, as the system (audited as such), through the same sla_
 * module as the API.
 */
#include "../core/yw.h"
#include "../core/ytime.h"
#include "../store/db.h"
#include "../domain/account/acct.h"
#include "../domain/sla/sla.h"
#include "../core/strbuf.h"
#include "cli.h"
#include "client.h"

struct sla_args {
	const char *db, *json, *from, *to, *by, *version;
	const char *pos[2];
	int npos;
	bool as_json, remaining;
};

static int parse_args(int argc, const char **argv, int first, int want, struct sla_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = first; i < argc; i++) {
		int got = cli_opt(argc, argv, &i, "--db", &a->db);
		if (!got)
			got = cli_opt(argc, argv, &i, "--file", &a->json);
		if (!got)
			got = cli_opt(argc, argv, &i, "--from", &a->from);
		if (!got)
			got = cli_opt(argc, argv, &i, "--to", &a->to);
		if (!got)
			got = cli_opt(argc, argv, &i, "--by", &a->by);
		if (!got)
			got = cli_opt(argc, argv, &i, "--version", &a->version);
		if (got < 0)
			return -1;
		if (got)
			continue;
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "--remaining")) {
			*(argv[i][2] == 'j' ? &a->as_json : &a->remaining) = true;
			continue;
		}
		if (argv[i][0] == '-' || a->npos >= want)
			return -1;
		a->pos[a->npos++] = argv[i];
	}
	return a->npos == want ? 0 : -1;
}

static void print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("%s\n", s);
	free(s);
}

/* s padded to width terminal columns (CJK counts two), in buf. */
static const char *padded(const char *s, size_t width, char *buf, size_t size)
{
	struct strbuf sb = STRBUF_INIT;

	cli_pad(&sb, s, width);
	snprintf(buf, size, "%s", sb.buf);
	strbuf_release(&sb);
	return buf;
}

static const char *str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : "-";
}

static void print_target(json_t *t)
{
	json_t *thr;
	size_t i;
	json_t *x;

	if (!json_is_object(t)) {
		printf("%-22s", "-");
		return;
	}
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT "m@%" JSON_INTEGER_FORMAT,
			 json_integer_value(json_object_get(t, "minutes")),
			 json_integer_value(json_object_get(t, "calendar_id")));
	thr = json_object_get(t, "thresholds");
	json_array_foreach(thr, i, x)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s%" JSON_INTEGER_FORMAT, i ? "," : " [",
			      json_integer_value(x));
	if (json_array_size(thr))
		snprintf(buf + n, sizeof(buf) - (size_t)n, "]");
	printf("%-22s", buf);
}

static int policy_list(struct db *db, const struct sla_args *a)
{
	struct yw_err err = YW_ERR_INIT;
	json_t *j, *it, *m;
	size_t i;

	if (sla_policy_list_json(db, &acct_system, &j, &err))
		return cli_fail(&err);
	if (a->as_json) {
		print_json(json_object_get(j, "items"));
		json_decref(j);
		return CLI_OK;
	}
	printf("%-4s %-4s %-16s %-10s %-5s %-4s  %-22s%-22s%-22s\n", "id", "pos", "name", "type", "level", "prio",
	       "response", "onsite", "resolution");
	json_array_foreach(json_object_get(j, "items"), i, it) {
		json_t *lvl;
		char name[256];
		m = json_object_get(it, "match");
		lvl = json_object_get(m, "fault_level");
		printf("%-4" JSON_INTEGER_FORMAT " %-4" JSON_INTEGER_FORMAT " %s %-10s %-5s %-4s  ",
		       json_integer_value(json_object_get(it, "id")), json_integer_value(json_object_get(it, "position")),
		       padded(str(it, "name"), 16, name, sizeof(name)), str(m, "type"), json_is_integer(lvl) ? (json_integer_value(lvl) == 1 ? "1" :
		       json_integer_value(lvl) == 2 ? "2" : "3") : "-", str(m, "priority"));
		for (int t = 0; t < SLA_NTARGETS; t++)
			print_target(json_object_get(json_object_get(it, "targets"), sla_target_names[t]));
		printf("\n");
	}
	json_decref(j);
	return CLI_OK;
}

static json_t *read_body(const char *file, struct yw_err *err)
{
	json_error_t je;
	json_t *j = !strcmp(file, "-") ? json_loadf(stdin, 0, &je) : json_load_file(file, 0, &je);

	if (!j)
		yw_errf(err, YW_EJSON, "file", "%s: line %d: %s", file, je.line, je.text);
	return j;
}

static int policy_write(struct db *db, const char *verb, const struct sla_args *a)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t id = 0, version = 0;
	json_t *body = NULL, *j;
	int rc;

	if (strcmp(verb, "add") && (rc = sla_policy_lookup(db, a->pos[0], &id, &err)))
		return cli_fail(&err);
	if (strcmp(verb, "delete")) {
		if (!a->json) {
			fprintf(stderr, "error: --file FILE (or - for standard input) with the policy's JSON is required\n");
			return CLI_USAGE;
		}
		if (!(body = read_body(a->json, &err)))
			return cli_fail(&err);
	}
	if (!strcmp(verb, "add")) {
		rc = sla_policy_create(db, &acct_system, body, &id, &err);
	} else if (!strcmp(verb, "set")) {
		if (a->version) {
			version = atoll(a->version);
		} else if (!(rc = sla_policy_get_json(db, &acct_system, id, &j, &err))) {
			version = json_integer_value(json_object_get(j, "version"));
			json_decref(j);
		}
		rc = sla_policy_update(db, &acct_system, id, version, body, &err);
	} else {
		rc = sla_policy_delete(db, &acct_system, id, &err);
	}
	json_decref(body);
	if (rc)
		return cli_fail(&err);
	if (!strcmp(verb, "delete")) {
		printf("deleted SLA policy %" PRId64 "\n", id);
		return CLI_OK;
	}
	if (sla_policy_get_json(db, &acct_system, id, &j, &err))
		return cli_fail(&err);
	print_json(j);
	json_decref(j);
	return CLI_OK;
}

static int cmd_policy(int argc, const char **argv)
{
	static const struct { const char *verb; int npos; } verbs[] = {
		{ "list", 0 }, { "show", 1 }, { "add", 0 }, { "set", 1 }, { "delete", 1 },
	};
	struct yw_err err = YW_ERR_INIT;
	struct sla_args a;
	struct db *db;
	size_t v;
	int rc;

	for (v = 0; argc > 2 && v < ARRAY_SIZE(verbs); v++)
		if (!strcmp(verbs[v].verb, argv[2]))
			break;
	if (argc <= 2 || v == ARRAY_SIZE(verbs) || parse_args(argc, argv, 3, verbs[v].npos, &a))
		return cli_usage("sla");
	if (cli_open_db(cli_db_path(a.db), &db))
		return CLI_FAIL;
	if (!strcmp(verbs[v].verb, "list")) {
		rc = policy_list(db, &a);
	} else if (!strcmp(verbs[v].verb, "show")) {
		int64_t id;
		json_t *j;
		if (sla_policy_lookup(db, a.pos[0], &id, &err) || sla_policy_get_json(db, &acct_system, id, &j, &err)) {
			rc = cli_fail(&err);
		} else {
			print_json(j);
			json_decref(j);
			rc = CLI_OK;
		}
	} else {
		rc = policy_write(db, verbs[v].verb, &a);
	}
	db_close(db);
	return rc;
}

static void print_num(json_t *v)
{
	if (json_is_number(v))
		printf(" %9.1f", json_number_value(v));
	else
		printf(" %9s", "-");
}

static void print_row(json_t *r)
{
	json_t *k = json_object_get(r, "key");
	char key[32], name[256];

	if (json_is_integer(k))
		snprintf(key, sizeof(key), "%" JSON_INTEGER_FORMAT, json_integer_value(k));
	else
		snprintf(key, sizeof(key), "%s", json_is_string(k) ? json_string_value(k) : "-");
	printf("%-8s %s %7" JSON_INTEGER_FORMAT " %5" JSON_INTEGER_FORMAT " %8" JSON_INTEGER_FORMAT, key,
	       padded(str(r, "name"), 16, name, sizeof(name)), json_integer_value(json_object_get(r, "tickets")),
	       json_integer_value(json_object_get(r, "met")), json_integer_value(json_object_get(r, "breached")));
	print_num(json_object_get(r, "compliance"));
	print_num(json_object_get(r, "response_mean"));
	print_num(json_object_get(r, "response_p90"));
	print_num(json_object_get(r, "resolution_mean"));
	print_num(json_object_get(r, "resolution_p90"));
	printf("\n");
}

static int cmd_report(int argc, const char **argv)
{
	struct yw_err err = YW_ERR_INIT;
	struct sla_args a;
	struct db *db;
	int64_t from, to = yw_now();
	json_t *j, *r;
	size_t i;

	if (parse_args(argc, argv, 2, 0, &a))
		return cli_usage("sla");
	if ((a.to && yw_parse_iso(a.to, &to)) || (a.from && yw_parse_iso(a.from, &from))) {
		fprintf(stderr, "error: --from and --to are ISO 8601 times, e.g. 2026-11-01 or 2026-11-01T00:00:00+08:00\n");
		return CLI_USAGE;
	}
	if (!a.from)
		from = to - 30 * 86400;
	if (cli_open_db(cli_db_path(a.db), &db))
		return CLI_FAIL;
	if (sla_report_json(db, &acct_system, from, to, a.by ? a.by : "level", &j, &err)) {
		db_close(db);
		return cli_fail(&err);
	}
	db_close(db);
	if (a.as_json) {
		print_json(j);
	} else {
		printf("%-8s %-16s %7s %5s %8s %9s %9s %9s %9s %9s\n", "key", "name", "tickets", "met", "breached",
		       "compl.%", "resp.mean", "resp.p90", "res.mean", "res.p90");
		json_array_foreach(json_object_get(j, "rows"), i, r)
			print_row(r);
		print_row(json_object_get(j, "total"));
		printf("(times in working minutes)\n");
	}
	json_decref(j);
	return CLI_OK;
}

static int cmd_rebuild(int argc, const char **argv)
{
	struct yw_err err = YW_ERR_INIT;
	struct sla_args a;
	struct db *db;
	size_t started = 0, retargeted = 0;
	int64_t t0;

	if (parse_args(argc, argv, 2, 0, &a))
		return cli_usage("sla");
	if (cli_open_db(cli_db_path(a.db), &db))
		return CLI_FAIL;
	t0 = yw_now_ms();
	if (sla_rebuild(db, &acct_system, &started, &retargeted, &err)) {
		db_close(db);
		return cli_fail(&err);
	}
	printf("started the clocks of %zu tickets, re-targeted %zu, in %" PRId64 " ms\n", started, retargeted,
	       yw_now_ms() - t0);
	db_close(db);
	return CLI_OK;
}

static int cmd_states(int argc, const char **argv)
{
	struct yw_err err = YW_ERR_INIT;
	struct sla_args a;
	struct db *db;
	size_t counts[SLA_CANCELLED + 1], tickets;
	int64_t t0, ms;

	if (parse_args(argc, argv, 2, 0, &a))
		return cli_usage("sla");
	if (cli_open_db(cli_db_path(a.db), &db))
		return CLI_FAIL;
	t0 = yw_now_ms();
	if (sla_count_states(db, yw_now(), a.remaining, counts, &tickets, &err)) {
		db_close(db);
		return cli_fail(&err);
	}
	ms = yw_now_ms() - t0;
	db_close(db);
	printf("tickets %zu", tickets);
	for (int s = 0; s <= SLA_CANCELLED; s++)
		printf(" %s %zu", sla_state_names[s], counts[s]);
	printf(" ms %" PRId64 "\n", ms);
	return CLI_OK;
}

int cmd_sla(int argc, const char **argv)
{
	static const struct { const char *name; int (*fn)(int, const char **); } subs[] = {
		{ "policy", cmd_policy }, { "report", cmd_report }, { "rebuild", cmd_rebuild }, { "states", cmd_states },
	};

	for (size_t i = 0; argc > 1 && i < ARRAY_SIZE(subs); i++)
		if (!strcmp(subs[i].name, argv[1]))
			return subs[i].fn(argc, argv);
	return cli_usage("sla");
}
