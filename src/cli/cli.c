#include "../core/yw.h"
#include "../store/db.h"
#include "../domain/calendar/cal.h"
#include "cli.h"

int cli_opt(int argc, const char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n])
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "error: %s needs a value\n", name);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

int cli_usage(const char *cmd)
{
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		if (!strcmp(c->name, cmd)) {
			fprintf(stderr, "usage: %s\n", c->usage);
			return CLI_USAGE;
		}
	}
	fprintf(stderr, "usage: yunwei %s ...\n", cmd);
	return CLI_USAGE;
}

bool cli_zh(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };

	for (size_t i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return !strncmp(v, "zh", 2);
	}
	return false;
}

int cli_fail(const struct yw_err *err)
{
	fprintf(stderr, "error: %s\n", err->msg[0] ? yw_err_msg(err, cli_zh()) : yw_err_name(err->code));
	return CLI_FAIL;
}

const char *cli_db_path(const char *opt)
{
	const char *env;

	if (opt)
		return opt;
	if ((env = getenv("YUNWEI_DB")) && *env)
		return env;
	return "var/yunwei.db";
}

int cli_open_db(const char *path, struct db **db)
{
	struct yw_err err = YW_ERR_INIT;

	*db = NULL;
	if (db_open(db, path, &err) || db_migrate(*db, NULL, &err) || cal_seed_builtin(*db, &err)) {
		db_close(*db);
		*db = NULL;
		return cli_fail(&err);
	}
	return CLI_OK;
}
