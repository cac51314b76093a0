/*
 * cmd_calendar.c - `yunwei calendar list|show|add|between|import`, on
 * the database directly and through the same cal_ module the SLA clocks
 * use, so an admin can check what a policy will compute.
 */
#include "../core/yw.h"
#include "../store/db.h"
#include "../domain/account/acct.h"
#include "../domain/calendar/cal.h"
#include "../domain/calendar/cal_tz.h"
#include "cli.h"

#define IMPORT_FILE_MAX (1u << 20)

/* Positional arguments and the options every subcommand takes. */
struct cal_args {
	const char *db, *calendar;
	const char *pos[4];
	int npos;
};

static int parse_args(int argc, const char **argv, int want, bool calendar_opt, struct cal_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 2; i < argc; i++) {
		int got = cli_opt(argc, argv, &i, "--db", &a->db);
		if (!got && calendar_opt)
			got = cli_opt(argc, argv, &i, "--calendar", &a->calendar);
		if (got < 0)
			return -1;
		if (got)
			continue;
		if ((argv[i][0] == '-' && argv[i][1] && !isdigit((unsigned char)argv[i][1])) || a->npos >= want)
			return -1;
		a->pos[a->npos++] = argv[i];
	}
	return a->npos == want ? 0 : -1;
}

/* Opens the database and loads the calendar named (or numbered) s. */
static int open_cal(const struct cal_args *a, const char *s, struct db **db, struct cal **c)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t id;

	if (cli_open_db(cli_db_path(a->db), db))
		return CLI_FAIL;
	if (cal_lookup(*db, s, &id, &err) || cal_load(*db, id, c, &err)) {
		db_close(*db);
		return cli_fail(&err);
	}
	return CLI_OK;
}

static int cal_list_cmd(int argc, const char **argv)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal_args a;
	struct db *db;
	json_t *items;
	int64_t next = 0, after = 0;
	size_t i;
	json_t *it;

	if (parse_args(argc, argv, 0, false, &a))
		return cli_usage("calendar");
	if (cli_open_db(cli_db_path(a.db), &db))
		return CLI_FAIL;
	printf("%-4s  %-20s  %-20s  %s\n", "id", "name", "timezone", "holiday years");
	do {
		if (cal_list_json(db, &acct_system, after, 200, &items, &next, &err)) {
			db_close(db);
			return cli_fail(&err);
		}
		json_array_foreach(items, i, it) {
			json_t *years = json_object_get(it, "years"), *y;
			size_t k;
			printf("%-4" JSON_INTEGER_FORMAT "  %-20s  %-20s  ", json_integer_value(json_object_get(it, "id")),
			       json_string_value(json_object_get(it, "name")),
			       json_string_value(json_object_get(it, "timezone")));
			json_array_foreach(years, k, y)
				printf("%s%" JSON_INTEGER_FORMAT, k ? " " : "", json_integer_value(y));
			printf("%s\n", json_array_size(years) ? "" : "-");
		}
		json_decref(items);
		after = next;
	} while (next);
	db_close(db);
	return CLI_OK;
}

static int cal_show_cmd(int argc, const char **argv)
{
	struct cal_args a;
	struct db *db;
	struct cal *c;
	char *end, date[16], win[CAL_MAX_WINDOWS * 12 + 1], first[16], last[16];
	long year;
	size_t shown = 0;

	if (parse_args(argc, argv, 2, false, &a))
		return cli_usage("calendar");
	year = strtol(a.pos[1], &end, 10);
	if (*end || year < 1970 || year > 2199) {
		fprintf(stderr, "error: YEAR must be a year between 1970 and 2199\n");
		return CLI_USAGE;
	}
	if (open_cal(&a, a.pos[0], &db, &c))
		return CLI_FAIL;
	snprintf(first, sizeof(first), "%04ld-01-01", year);
	snprintf(last, sizeof(last), "%04ld-12-31", year);
	printf("%s (%s) %ld: holidays and make-up workdays\n", c->name, cal_tz_name(c->tz), year);
	for (size_t i = 0; i < c->ndays; i++) {
		const struct cal_day *d = &c->days[i];
		cal_fmt_date(d->day, date, sizeof(date));
		if (strcmp(date, first) < 0 || strcmp(date, last) > 0)
			continue;
		win[0] = '\0';
		if (d->kind == CAL_DAY_WORKDAY)
			cal_daywin_fmt(cal_windows_on(c, d->day), win, sizeof(win));
		printf("%s  %-7s  %s%s%s\n", date, d->kind == CAL_DAY_OFF ? "off" : "workday", d->name,
		       win[0] ? "  " : "", win);
		shown++;
	}
	if (!shown)
		printf("(no holidays or make-up workdays in %ld)\n", year);
	cal_free(c);
	db_close(db);
	return CLI_OK;
}

static int cal_add_cmd(int argc, const char **argv)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal_args a;
	struct db *db;
	struct cal *c;
	int64_t t, out;
	long long minutes;
	char *end, buf[40];
	int rc;

	if (parse_args(argc, argv, 3, false, &a))
		return cli_usage("calendar");
	errno = 0;
	minutes = strtoll(a.pos[2], &end, 10);
	if (!*a.pos[2] || *end || errno) {
		fprintf(stderr, "error: MINUTES must be a whole number\n");
		return CLI_USAGE;
	}
	if (open_cal(&a, a.pos[0], &db, &c))
		return CLI_FAIL;
	rc = cal_parse_instant(c, a.pos[1], "INSTANT", &t, &err);
	if (!rc)
		rc = cal_add_minutes(c, t, minutes, &out, &err);
	if (!rc)
		printf("%s\n", cal_fmt_local(c, out, buf, sizeof(buf)));
	cal_free(c);
	db_close(db);
	return rc ? cli_fail(&err) : CLI_OK;
}

static int cal_between_cmd(int argc, const char **argv)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal_args a;
	struct db *db;
	struct cal *c;
	int64_t from, to, minutes;
	int rc;

	if (parse_args(argc, argv, 3, false, &a))
		return cli_usage("calendar");
	if (open_cal(&a, a.pos[0], &db, &c))
		return CLI_FAIL;
	rc = cal_parse_instant(c, a.pos[1], "FROM", &from, &err);
	if (!rc)
		rc = cal_parse_instant(c, a.pos[2], "TO", &to, &err);
	if (!rc)
		rc = cal_between(c, from, to, &minutes, &err);
	if (!rc)
		printf("%" PRId64 "\n", minutes);
	cal_free(c);
	db_close(db);
	return rc ? cli_fail(&err) : CLI_OK;
}

static int cal_import_cmd(int argc, const char **argv)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal_import_result res;
	struct cal_args a;
	enum cal_format fmt = CAL_FMT_AUTO;
	struct db *db;
	int64_t id;
	char *buf;
	size_t len;
	FILE *f;
	int rc;

	if (parse_args(argc, argv, 1, true, &a))
		return cli_usage("calendar");
	if (!(f = fopen(a.pos[0], "rb"))) {
		fprintf(stderr, "error: cannot open %s: %s\n", a.pos[0], strerror(errno));
		return CLI_FAIL;
	}
	buf = yw_malloc(IMPORT_FILE_MAX + 1);
	len = fread(buf, 1, IMPORT_FILE_MAX + 1, f);
	fclose(f);
	const char *dot = strrchr(a.pos[0], '.');
	if (dot && !strcasecmp(dot, ".ics"))
		fmt = CAL_FMT_ICS;
	else if (dot && !strcasecmp(dot, ".json"))
		fmt = CAL_FMT_JSON;
	if (cli_open_db(cli_db_path(a.db), &db)) {
		free(buf);
		return CLI_FAIL;
	}
	const char *name = a.calendar ? a.calendar : "cn-workday";
	rc = cal_lookup(db, name, &id, &err);
	if (!rc)
		rc = cal_import_apply(db, &acct_system, id, buf, len, fmt, &res, &err);
	free(buf);
	db_close(db);
	if (rc) {
		fprintf(stderr, "error: %s: %s\n", a.pos[0], yw_err_msg(&err, cli_zh()));
		return CLI_FAIL;
	}
	printf("imported %zu days into %s: %zu off, %zu make-up workdays (%d", res.off + res.workdays, name,
	       res.off, res.workdays, res.first_year);
	if (res.last_year != res.first_year)
		printf("-%d", res.last_year);
	printf(")\n");
	return CLI_OK;
}

static const struct {
	const char *name;
	int (*fn)(int argc, const char **argv);
} subcommands[] = {
	{ "list", cal_list_cmd },
	{ "show", cal_show_cmd },
	{ "add", cal_add_cmd },
	{ "between", cal_between_cmd },
	{ "import", cal_import_cmd },
};

int cmd_calendar(int argc, const char **argv)
{
	if (argc < 2)
		return cli_usage("calendar");
	for (size_t i = 0; i < ARRAY_SIZE(subcommands); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc, argv);
	return cli_usage("calendar");
}
