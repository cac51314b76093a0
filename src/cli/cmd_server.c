/* cmd_server.c - `yunwei init` and `yunwei serve`. */
#include "../core/yw.h"
#include "../core/log.h"
#include "../store/db.h"
#include "../domain/account/acct.h"
#include "../domain/demo/demo.h"
#include "../domain/calendar/cal.h"
#include "../http/http.h"
#include "../jobs/jobs.h"
#include "cli.h"
#include <sys/stat.h>

/* Creates the directory part of a database path ("var/") if missing. */
static void make_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];

	if (!slash || slash == path || (size_t)(slash - path) >= sizeof(dir))
		return;
	memcpy(dir, path, slash - path);
	dir[slash - path] = '\0';
	mkdir(dir, 0755);
}

int cmd_init(int argc, const char **argv)
{
	const char *dbopt = NULL;
	bool demo = false;
	struct yw_err err = YW_ERR_INIT;
	struct db *db;
	char generated[40] = "";
	int rc, applied = 0;

	for (int i = 1; i < argc; i++) {
		int got = cli_opt(argc, argv, &i, "--db", &dbopt);
		if (got < 0)
			return cli_usage("init");
		if (got)
			continue;
		if (!strcmp(argv[i], "--demo"))
			demo = true;
		else
			return cli_usage("init");
	}
	const char *path = cli_db_path(dbopt);
	make_parent_dir(path);
	if (db_open(&db, path, &err))
		return cli_fail(&err);
	if (db_migrate(db, &applied, &err) || cal_seed_builtin(db, &err)) {
		db_close(db);
		return cli_fail(&err);
	}
	rc = acct_bootstrap_admin(db, getenv("YUNWEI_ADMIN_PASSWORD"), generated, &err);
	if (rc < 0) {
		db_close(db);
		return cli_fail(&err);
	}
	printf("database %s at schema version %d (%d migration%s applied)\n", path,
	       db_schema_version(db), applied, applied == 1 ? "" : "s");
	if (rc == 1) {
		if (generated[0])
			printf("created user admin with password: %s\n(shown only this once; change it with 'yunwei user passwd admin')\n",
			       generated);
		else
			printf("created user admin with the password from YUNWEI_ADMIN_PASSWORD\n");
	}
	if (demo && (rc = demo_load(db, &err)) < 0) {
		db_close(db);
		return cli_fail(&err);
	}
	if (demo)
		printf(rc ? "loaded demo data\n%s" : "demo data already present\n%s", demo_credentials);
	db_close(db);
	return CLI_OK;
}

int cmd_serve(int argc, const char **argv)
{
	struct http_server_opts opts = { NULL, "127.0.0.1:8080", NULL, 0, 0, false, false };
	const char *dbopt = NULL, *threads = NULL, *conns = NULL, *proxies = NULL, *env;
	struct yw_err err = YW_ERR_INIT;
	bool proxies_set = false;
	struct db *db;

	for (int i = 1; i < argc; i++) {
		int got = cli_opt(argc, argv, &i, "--db", &dbopt);
		if (!got && (got = cli_opt(argc, argv, &i, "--trusted-proxy", &proxies)) > 0) {
			if (http_trust_proxies(proxies, "--trusted-proxy", &err))
				return cli_fail(&err);
			proxies_set = true;
		}
		if (!got)
			got = cli_opt(argc, argv, &i, "--listen", &opts.listen);
		if (!got)
			got = cli_opt(argc, argv, &i, "--web-root", &opts.web_root);
		if (!got)
			got = cli_opt(argc, argv, &i, "--threads", &threads);
		if (!got)
			got = cli_opt(argc, argv, &i, "--max-connections", &conns);
		if (!got && !strcmp(argv[i], "--h2c"))
			got = 1, opts.h2c = true;
		if (!got && !strcmp(argv[i], "--tls-proxy"))
			got = 1, opts.tls_proxy = true;
		if (got <= 0)
			return cli_usage("serve");
	}
	if (conns) {
		char *end;
		long n = strtol(conns, &end, 10);
		if (!*conns || *end || n < 1 || n > 100000) {
			fprintf(stderr, "error: --max-connections must be between 1 and 100000\n");
			return CLI_USAGE;
		}
		opts.max_conns = (int)n;
	}
	if (threads) {
		char *end;
		long n = strtol(threads, &end, 10);
		if (*end || n < 1 || n > 64) {
			fprintf(stderr, "error: --threads must be between 1 and 64\n");
			return CLI_USAGE;
		}
		opts.threads = (int)n;
	}
	/* the options, when given, replace the environment's list */
	env = getenv("YUNWEI_TRUSTED_PROXIES");
	if (!proxies_set && env && *env && http_trust_proxies(env, "YUNWEI_TRUSTED_PROXIES", &err))
		return cli_fail(&err);
	opts.db_path = cli_db_path(dbopt);
	make_parent_dir(opts.db_path);
	/* migrate once, before any worker opens its connection */
	if (cli_open_db(opts.db_path, &db))
		return CLI_FAIL;
	db_close(db);
	/* the background jobs (SLA timers, search-index flush, checkpoints) run beside the workers */
	struct jobs *jobs;
	if (jobs_serve(opts.db_path, &jobs, &err))
		return cli_fail(&err);
	int rc = http_serve(&opts, &err);
	jobs_stop(jobs);
	if (rc)
		return cli_fail(&err);
	return CLI_OK;
}
