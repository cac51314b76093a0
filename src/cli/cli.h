/*
 * cli.h - `yunwei <command>`: the command table and small helpers shared
 * by the commands. Exit codes: 0 ok, 1 the operation failed, 2 usage error.
 */
#ifndef YW_CLI_H
#define YW_CLI_H

#include "../core/err.h"

struct db;

struct cli_command {
	const char *name;
	int (*fn)(int argc, const char **argv);
	const char *usage;     /* one line: "yunwei init [--db PATH]" */
	const char *help;      /* a paragraph for `yunwei help CMD` */
};

extern const struct cli_command cli_commands[];

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/*
 * Option parsing: cli_opt(argc, argv, &i, "--db", &val) consumes
 * "--db X" or "--db=X" at argv[i]. Returns 1 when it did, 0 when argv[i]
 * is another option, -1 (after printing) when the value is missing.
 */
int cli_opt(int argc, const char **argv, int *i, const char *name, const char **val);
/* Prints "usage: ..." for cmd and returns CLI_USAGE. */
int cli_usage(const char *cmd);
/* Prints "error: msg" to stderr and returns CLI_FAIL. */
int cli_fail(const struct yw_err *err);
/*
 * Whether the operator reads zh-CN: the first set of LC_ALL, LC_MESSAGES
 * and LANG starts with "zh". Otherwise English, also for C and POSIX: a
 * terminal is often en_US.UTF-8 even in China, and scripts match English.
 */
bool cli_zh(void);
/* --db, then YUNWEI_DB, then var/yunwei.db */
const char *cli_db_path(const char *opt);
/* Opens and migrates the database; prints and returns CLI_FAIL on error. */
int cli_open_db(const char *path, struct db **db);

/* Commands, one per module. */
int cmd_init(int argc, const char **argv);
int cmd_serve(int argc, const char **argv);
int cmd_token(int argc, const char **argv);
int cmd_ticket(int argc, const char **argv);
int cmd_user(int argc, const char **argv);
int cmd_group(int argc, const char **argv);
int cmd_calendar(int argc, const char **argv);
int cmd_sla(int argc, const char **argv);

#endif
