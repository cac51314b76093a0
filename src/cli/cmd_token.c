/* cmd_token.c - `yunwei token create|revoke`, on the database directly. */
#include "../core/yw.h"
#include "../store/db.h"
#include "../domain/account/acct.h"
#include "cli.h"

static int token_create(int argc, const char **argv)
{
	const char *dbopt = NULL, *name = "cli", *login = NULL;
	struct yw_err err = YW_ERR_INIT;
	char token[ACCT_TOKEN_LEN];
	int64_t uid, id;
	struct db *db;
	int rc;

	for (int i = 2; i < argc; i++) {
		int got = cli_opt(argc, argv, &i, "--db", &dbopt);
		if (!got)
			got = cli_opt(argc, argv, &i, "--name", &name);
		if (got < 0 || (!got && (argv[i][0] == '-' || login)))
			return cli_usage("token");
		if (!got)
			login = argv[i];
	}
	if (!login || !*name || strlen(name) > 100)
		return cli_usage("token");
	if (cli_open_db(cli_db_path(dbopt), &db))
		return CLI_FAIL;
	rc = acct_find_user(db, login, &uid, &err);
	if (!rc)
		rc = acct_token_create(db, &acct_system, uid, name, token, &id, &err);
	db_close(db);
	if (rc)
		return cli_fail(&err);
	printf("token %" PRId64 " for %s (shown only this once):\n%s\n", id, login, token);
	return CLI_OK;
}

static int token_revoke(int argc, const char **argv)
{
	const char *dbopt = NULL, *idstr = NULL;
	struct yw_err err = YW_ERR_INIT;
	struct db *db;
	char *end;
	long long id;
	int rc;

	for (int i = 2; i < argc; i++) {
		int got = cli_opt(argc, argv, &i, "--db", &dbopt);
		if (got < 0 || (!got && (argv[i][0] == '-' || idstr)))
			return cli_usage("token");
		if (!got)
			idstr = argv[i];
	}
	if (!idstr)
		return cli_usage("token");
	id = strtoll(idstr, &end, 10);
	if (*end || id < 1) {
		fprintf(stderr, "error: token id must be a positive number\n");
		return CLI_USAGE;
	}
	if (cli_open_db(cli_db_path(dbopt), &db))
		return CLI_FAIL;
	rc = acct_token_revoke(db, &acct_system, id, &err);
	db_close(db);
	if (rc)
		return cli_fail(&err);
	printf("revoked token %lld\n", id);
	return CLI_OK;
}

int cmd_token(int argc, const char **argv)
{
	if (argc < 2)
		return cli_usage("token");
	if (!strcmp(argv[1], "create"))
		return token_create(argc, argv);
	if (!strcmp(argv[1], "revoke"))
		return token_revoke(argc, argv);
	return cli_usage("token");
}
