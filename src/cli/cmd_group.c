/*
 * cmd_group.c - `yunwei group desk [GROUP]`: which support group is the
 * service desk, where new tickets that no category or organisation
 * routes land; on the database directly, as the system actor (audited).
 */
#include "../core/yw.h"
#include "../store/db.h"
#include "../domain/directory/grp.h"
#include "cli.h"

static int group_desk(int argc, const char **argv)
{
	const char *dbopt = NULL, *group = NULL;
	struct yw_err err = YW_ERR_INIT;
	struct grp_input in = { 0 };
	struct db *db;
	int64_t id = 0;
	int rc;

	for (int i = 2; i < argc; i++) {
		int got = cli_opt(argc, argv, &i, "--db", &dbopt);
		if (got < 0)
			return CLI_USAGE;
		if (got)
			continue;
		if (argv[i][0] == '-' || group)
			return cli_usage("group");
		group = argv[i];
	}
	if (cli_open_db(cli_db_path(dbopt), &db))
		return CLI_FAIL;
	if (group) {
		in.desk = true;
		in.set = GRP_F_DESK;
		rc = grp_find(db, group, &id, &err);
		if (!rc)
			rc = grp_update(db, &acct_system, id, 0, &in, &err);
	} else {
		rc = db_queryint(db, &id, &err, "SELECT id FROM groups WHERE is_desk = 1", "");
		if (rc == YW_ENOTFOUND) {
			yw_err_clear(&err);
			rc = 0;
		}
	}
	if (!rc) {
		char name[256] = "";
		struct yw_err e2 = YW_ERR_INIT;
		struct db_stmt *st;
		if (id && !db_prepare(db, "SELECT name FROM groups WHERE id = ?", &st, &e2)) {
			db_bind_int(st, 1, id);
			if (db_step(st, &e2) == DB_ROW)
				snprintf(name, sizeof(name), "%s", db_col_text(st, 0));
			db_done(st);
		}
		yw_err_clear(&e2);
		if (id)
			printf("the service desk is group %" PRId64 " %s\n", id, name);
		else
			printf("no group is the service desk: tickets no category or organisation routes get no group\n");
	}
	db_close(db);
	return rc ? cli_fail(&err) : CLI_OK;
}

int cmd_group(int argc, const char **argv)
{
	if (argc < 2 || strcmp(argv[1], "desk"))
		return cli_usage("group");
	return group_desk(argc, argv);
}
