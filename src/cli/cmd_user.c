/*
 * cmd_user.c - `yunwei user add|list|passwd|disable|enable`, on the
 * database directly, as the system actor (so every change is audited as
 * "system").
 */
#include "../core/yw.h"
#include "../core/utf8.h"
#include "../store/db.h"
#include "../domain/account/user.h"
#include "../domain/directory/org.h"
#include "../domain/directory/grp.h"
#include "cli.h"
#include <sodium.h>

/*
 * Room for the longest password the policy allows, a newline and the NUL:
 * anything longer arrives with one byte too many and is refused as too
 * long, never silently cut to a shorter password.
 */
#define PW_MAX (ACCT_PASSWORD_MAX_BYTES + 3)

/*
 * The password for add and passwd: a line on stdin with --password-stdin,
 * else $YUNWEI_PASSWORD, else a generated one (*generated set), which the
 * caller prints once.
 */
static int read_password(bool from_stdin, char pw[PW_MAX], bool *generated)
{
	const char *env = getenv("YUNWEI_PASSWORD");

	*generated = false;
	if (from_stdin) {
		if (!fgets(pw, PW_MAX, stdin)) {
			fprintf(stderr, "error: no password on standard input\n");
			return CLI_FAIL;
		}
		pw[strcspn(pw, "\r\n")] = '\0';
		return CLI_OK;
	}
	if (env && *env) {
		snprintf(pw, PW_MAX, "%s", env);
		return CLI_OK;
	}
	unsigned char raw[18];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(pw, PW_MAX, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	*generated = true;
	return CLI_OK;
}

static int user_add(int argc, const char **argv)
{
	const char *dbopt = NULL, *login = NULL, *name = NULL, *role = NULL, *email = NULL, *phone = NULL;
	const char *orgopt = NULL, *val;
	const char *groups[32];
	size_t ngroups = 0;
	bool pw_stdin = false, generated;
	struct user_input in = { 0 };
	struct yw_err err = YW_ERR_INIT;
	char pw[PW_MAX];
	struct db *db;
	int64_t id;
	int rc;

	for (int i = 2; i < argc; i++) {
		int got;
		if ((got = cli_opt(argc, argv, &i, "--db", &dbopt)) ||
		    (got = cli_opt(argc, argv, &i, "--name", &name)) ||
		    (got = cli_opt(argc, argv, &i, "--role", &role)) ||
		    (got = cli_opt(argc, argv, &i, "--email", &email)) ||
		    (got = cli_opt(argc, argv, &i, "--phone", &phone)) ||
		    (got = cli_opt(argc, argv, &i, "--org", &orgopt))) {
			if (got < 0)
				return cli_usage("user");
			continue;
		}
		if ((got = cli_opt(argc, argv, &i, "--group", &val))) {
			if (got < 0 || ngroups == ARRAY_SIZE(groups))
				return cli_usage("user");
			groups[ngroups++] = val;
			continue;
		}
		if (!strcmp(argv[i], "--password-stdin"))
			pw_stdin = true;
		else if (argv[i][0] == '-' || login)
			return cli_usage("user");
		else
			login = argv[i];
	}
	if (!login || !name || !role) {
		fprintf(stderr, "error: user add needs LOGIN, --name and --role\n");
		return cli_usage("user");
	}
	enum yw_role r;
	if (acct_role_parse(role, &r)) {
		fprintf(stderr, "error: --role must be admin, manager, supervisor, engineer or customer\n");
		return cli_usage("user");
	}
	if (read_password(pw_stdin, pw, &generated))
		return CLI_FAIL;
	if (cli_open_db(cli_db_path(dbopt), &db))
		return CLI_FAIL;
	in.login = login;
	in.display_name = name;
	in.role = role;
	in.email = email;
	in.phone = phone;
	in.password = pw;
	in.set = USER_F_LOGIN | USER_F_DISPLAY_NAME | USER_F_ROLE | USER_F_PASSWORD |
		 (email ? USER_F_EMAIL : 0) | (phone ? USER_F_PHONE : 0);
	rc = 0;
	if (orgopt) {
		in.set |= USER_F_ORG;
		rc = org_find(db, orgopt, &in.organization_id, &err);
	}
	if (ngroups) {
		in.set |= USER_F_GROUPS;
		ALLOC_ARRAY(in.group_ids.v, ngroups);
		for (size_t i = 0; !rc && i < ngroups; i++) {
			rc = grp_find(db, groups[i], &in.group_ids.v[i], &err);
			for (size_t j = 0; !rc && j < i; j++)
				if (in.group_ids.v[j] == in.group_ids.v[i])
					rc = yw_errf(&err, YW_EINVAL, "group", "group %s given twice", groups[i]);
			in.group_ids.n = i + 1;
		}
	}
	if (!rc)
		rc = user_create(db, &acct_system, &in, &id, &err);
	jx_ids_free(&in.group_ids);
	db_close(db);
	if (rc) {
		sodium_memzero(pw, sizeof(pw));
		return cli_fail(&err);
	}
	printf("created user %s (id %" PRId64 ")\n", login, id);
	if (generated)
		printf("password: %s\n(shown only this once)\n", pw);
	sodium_memzero(pw, sizeof(pw));
	return CLI_OK;
}

/* Columns are padded by display width: a CJK character takes two cells. */
static void put_cell(const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	int w = 0;

	while (p < end) {
		int32_t cp = utf8_decode(&p, end);
		if (cp < 0)
			break;
		w += utf8_is_cjk(cp) || (cp >= 0xff00 && cp <= 0xffef) ? 2 : 1;
	}
	fputs(s, stdout);
	for (; w < width; w++)
		putchar(' ');
	putchar(' ');
}

/* The name of org or group id, from the record JSON, into buf. */
static void name_of(struct db *db, bool group, int64_t id, char *buf, size_t size)
{
	struct yw_err err = YW_ERR_INIT;
	json_t *j = NULL;
	int rc = group ? grp_get_json(db, &acct_system, id, &j, &err) : org_get_json(db, &acct_system, id, &j, &err);

	if (rc)
		snprintf(buf, size, "#%" PRId64, id);
	else
		snprintf(buf, size, "%s", json_string_value(json_object_get(j, "name")));
	json_decref(j);
}

static int user_list(int argc, const char **argv)
{
	const char *dbopt = NULL;
	bool as_json = false;
	struct user_filter f = { NULL, NULL, 0, 0, -1 };
	struct user_page page = { 0, 200, 0 };
	struct yw_err err = YW_ERR_INIT;
	json_t *all = json_array(), *items;
	struct db *db;
	size_t i;
	json_t *u;
	int rc;

	for (int k = 2; k < argc; k++) {
		int got = cli_opt(argc, argv, &k, "--db", &dbopt);
		if (got < 0 || (!got && strcmp(argv[k], "--json"))) {
			json_decref(all);
			return cli_usage("user");
		}
		if (!got)
			as_json = true;
	}
	if (cli_open_db(cli_db_path(dbopt), &db)) {
		json_decref(all);
		return CLI_FAIL;
	}
	do {
		if ((rc = user_list_json(db, &acct_system, &f, &page, &items, &err)))
			break;
		json_array_extend(all, items);
		json_decref(items);
		page.after = page.next;
	} while (page.next);
	if (rc) {
		db_close(db);
		json_decref(all);
		return cli_fail(&err);
	}
	if (as_json) {
		char *s = json_dumps(all, JSON_INDENT(2));
		puts(s);
		free(s);
	} else {
		put_cell("LOGIN", 20), put_cell("NAME", 16), put_cell("ROLE", 10), put_cell("ORG", 20);
		put_cell("GROUPS", 24), puts("DISABLED");
		json_array_foreach(all, i, u) {
			char org[256] = "-", groups[512] = "", name[256];
			size_t gi;
			json_t *g;
			json_int_t oid = json_integer_value(json_object_get(u, "organization_id"));
			if (oid)
				name_of(db, false, oid, org, sizeof(org));
			json_array_foreach(json_object_get(u, "group_ids"), gi, g) {
				size_t n = strlen(groups);
				name_of(db, true, json_integer_value(g), name, sizeof(name));
				snprintf(groups + n, sizeof(groups) - n, "%s%s", n ? "," : "", name);
			}
			put_cell(json_string_value(json_object_get(u, "login")), 20);
			put_cell(json_string_value(json_object_get(u, "display_name")), 16);
			put_cell(json_string_value(json_object_get(u, "role")), 10);
			put_cell(org, 20);
			put_cell(groups[0] ? groups : "-", 24);
			puts(json_is_true(json_object_get(u, "disabled")) ? "yes" : "no");
		}
	}
	db_close(db);
	json_decref(all);
	return CLI_OK;
}

/* Parses "LOGIN [--db PATH] [--password-stdin]" for passwd, disable and enable. */
static int login_args(int argc, const char **argv, bool allow_stdin, const char **login,
		      const char **dbopt, bool *pw_stdin)
{
	*login = NULL;
	for (int i = 2; i < argc; i++) {
		int got = cli_opt(argc, argv, &i, "--db", dbopt);
		if (got < 0)
			return CLI_USAGE;
		if (got)
			continue;
		if (allow_stdin && !strcmp(argv[i], "--password-stdin"))
			*pw_stdin = true;
		else if (argv[i][0] == '-' || *login)
			return CLI_USAGE;
		else
			*login = argv[i];
	}
	return *login ? CLI_OK : CLI_USAGE;
}

static int user_passwd(int argc, const char **argv)
{
	const char *login, *dbopt = NULL;
	bool pw_stdin = false, generated;
	struct yw_err err = YW_ERR_INIT;
	char pw[PW_MAX];
	struct db *db;
	int64_t id, retry = 0;
	int rc;

	if (login_args(argc, argv, true, &login, &dbopt, &pw_stdin))
		return cli_usage("user");
	if (read_password(pw_stdin, pw, &generated))
		return CLI_FAIL;
	if (cli_open_db(cli_db_path(dbopt), &db))
		return CLI_FAIL;
	rc = acct_find_user(db, login, &id, &err);
	if (!rc)
		rc = user_set_password(db, &acct_system, id, pw, NULL, NULL, &retry, &err);
	db_close(db);
	if (rc) {
		sodium_memzero(pw, sizeof(pw));
		return cli_fail(&err);
	}
	printf("password of %s changed; its sessions were ended\n", login);
	if (generated)
		printf("password: %s\n(shown only this once)\n", pw);
	sodium_memzero(pw, sizeof(pw));
	return CLI_OK;
}

static int set_disabled(int argc, const char **argv, bool disabled)
{
	const char *login, *dbopt = NULL;
	struct yw_err err = YW_ERR_INIT;
	bool unused = false;
	struct db *db;
	int64_t id;
	int rc;

	if (login_args(argc, argv, false, &login, &dbopt, &unused))
		return cli_usage("user");
	if (cli_open_db(cli_db_path(dbopt), &db))
		return CLI_FAIL;
	rc = acct_find_user(db, login, &id, &err);
	if (!rc)
		rc = user_set_disabled(db, &acct_system, id, disabled, &err);
	db_close(db);
	if (rc)
		return cli_fail(&err);
	printf(disabled ? "disabled %s; its sessions were ended\n" : "enabled %s\n", login);
	return CLI_OK;
}

static int user_disable(int argc, const char **argv)
{
	return set_disabled(argc, argv, true);
}

static int user_enable(int argc, const char **argv)
{
	return set_disabled(argc, argv, false);
}

static const struct {
	const char *name;
	int (*fn)(int argc, const char **argv);
} user_subcommands[] = {
	{ "add", user_add },
	{ "list", user_list },
	{ "passwd", user_passwd },
	{ "disable", user_disable },
	{ "enable", user_enable },
};

int cmd_user(int argc, const char **argv)
{
	if (argc < 2)
		return cli_usage("user");
	for (size_t i = 0; i < ARRAY_SIZE(user_subcommands); i++)
		if (!strcmp(argv[1], user_subcommands[i].name))
			return user_subcommands[i].fn(argc, argv);
	return cli_usage("user");
}
