/*
 * Validation helpers of the account modules, table-driven, and the
 * domain rules that need a database, on a fresh in-memory one.
 */
#include "core/yw.h"
#include "store/db.h"
#include "domain/account/acct.h"
#include "domain/account/user.h"
#include "domain/directory/org.h"
#include "domain/directory/grp.h"
#include "domain/directory/cat.h"
#include <setjmp.h>
#include <cmocka.h>
#include <sodium.h>

static const struct {
	const char *login;
	bool ok;
} logins[] = {
	{ "zhang.san", true }, { "a", true }, { "ops-team_01@corp", true },
	{ "", false }, { "has space", false }, { "张三", false }, { "semi;colon", false },
	{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", true },    /* 64 */
	{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", false },   /* 65 */
};

static void test_login(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(logins); i++) {
		struct yw_err err = YW_ERR_INIT;
		int rc = user_check_login(logins[i].login, &err);
		if (logins[i].ok != (rc == 0))
			fail_msg("login '%s': got %d (%s)", logins[i].login, rc, err.msg);
		if (rc)
			assert_string_equal(err.field, "login");
	}
}

static const struct {
	const char *email;
	bool ok;
} emails[] = {
	{ "a@b.cn", true }, { "zhang.san+ops@example.com.cn", true },
	{ "a@b", false }, { "@b.cn", false }, { "a@.cn", false }, { "a@b.", false },
	{ "a b@c.cn", false }, { "a@@b.cn", false }, { "a@b@c.cn", false }, { "plain", false },
};

static void test_email(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(emails); i++) {
		struct yw_err err = YW_ERR_INIT;
		int rc = user_check_email("email", emails[i].email, &err);
		if (emails[i].ok != (rc == 0))
			fail_msg("email '%s': got %d (%s)", emails[i].email, rc, err.msg);
	}
}

static const struct {
	const char *phone;
	bool ok;
} phones[] = {
	{ "13812345678", true }, { "+86 138-1234-5678", true }, { "021-5555 0000", true },
	{ "", false }, { "---", false }, { "call me", false }, { "138(1234)", false },
	{ "123456789012345678901234567890123", false },
};

static void test_phone(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(phones); i++) {
		struct yw_err err = YW_ERR_INIT;
		int rc = user_check_phone("phone", phones[i].phone, &err);
		if (phones[i].ok != (rc == 0))
			fail_msg("phone '%s': got %d (%s)", phones[i].phone, rc, err.msg);
	}
}

/* Characters are code points: 8 Chinese characters pass, 7 do not, whatever their bytes. */
static void test_password_length(void **state)
{
	static const struct {
		const char *unit;   /* repeated reps times */
		int reps;
		bool ok;
	} cases[] = {
		{ "a", 7, false }, { "a", 8, true }, { "a", 128, true }, { "a", 129, false },
		{ "密", 7, false }, { "密", 8, true }, { "密", 128, true }, { "密", 129, false },
		{ "\xf0\x9f\x94\x91", 128, true }, { "\xf0\x9f\x94\x91", 129, false },   /* U+1F511, 4 bytes */
		{ "\xff", 10, false },                                                 /* not UTF-8 */
		{ "a", 1000, false },
	};
	char buf[4200];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct yw_err err = YW_ERR_INIT;
		size_t n = strlen(cases[i].unit), len = 0;
		for (int k = 0; k < cases[i].reps; k++, len += n)
			memcpy(buf + len, cases[i].unit, n);
		buf[len] = '\0';
		int rc = acct_password_check(buf, &err);
		if (cases[i].ok != (rc == 0))
			fail_msg("password of %d x '%s': got %d (%s)", cases[i].reps, cases[i].unit, rc, err.msg);
		if (rc)
			assert_string_equal(err.field, "password");
	}
}

static void test_org_code(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	(void)state;
	assert_int_equal(org_check_code("HDDL_01-x", &err), 0);
	assert_int_equal(org_check_code("", &err), YW_EINVAL);
	assert_int_equal(org_check_code("HD DL", &err), YW_EINVAL);
	assert_int_equal(org_check_code("华东", &err), YW_EINVAL);
	assert_int_equal(org_check_code("123456789012345678901234567890123", &err), YW_EINVAL);
	assert_string_equal(err.field, "code");
}

static void test_like_pattern(void **state)
{
	char *p;
	(void)state;
	p = user_like_pattern("50%_Off\\");
	assert_string_equal(p, "%50\\%\\_off\\\\%");
	free(p);
	p = user_like_pattern("张三");
	assert_string_equal(p, "%张三%");
	free(p);
}

/* The jx tables must follow the bit order their headers promise. */
static void test_table_order(void **state)
{
	(void)state;
	assert_string_equal(user_create_fields[__builtin_ctz(USER_F_LOGIN)].name, "login");
	assert_string_equal(user_create_fields[__builtin_ctz(USER_F_PASSWORD)].name, "password");
	assert_string_equal(user_create_fields[__builtin_ctz(USER_F_GROUPS)].name, "group_ids");
	assert_string_equal(user_patch_fields[__builtin_ctz(USER_F_DISABLED)].name, "disabled");
	assert_int_equal(user_patch_nfields, 7);
	assert_string_equal(org_patch_fields[__builtin_ctz(ORG_F_ACTIVE)].name, "active");
	assert_string_equal(grp_patch_fields[__builtin_ctz(GRP_F_MEMBERS)].name, "member_ids");
	assert_string_equal(cat_patch_fields[__builtin_ctz(CAT_F_ACTIVE)].name, "active");
	assert_string_equal(cat_create_fields[__builtin_ctz(CAT_F_PARENT)].name, "parent_id");
}

static struct db *fresh_db(void)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *db;
	assert_int_equal(db_open(&db, ":memory:", &err), 0);
	assert_int_equal(db_migrate(db, NULL, &err), 0);
	return db;
}

static int64_t add_user(struct db *db, const char *login, const char *role, int64_t org)
{
	struct user_input in = { 0 };
	struct yw_err err = YW_ERR_INIT;
	int64_t id = 0;

	in.login = login;
	in.display_name = login;
	in.role = role;
	in.password = "password-123";
	in.organization_id = org;
	in.set = org ? USER_F_ORG : 0;
	if (user_create(db, &acct_system, &in, &id, &err))
		fail_msg("create %s: %s", login, err.msg);
	return id;
}

static void test_user_rules(void **state)
{
	struct db *db = fresh_db();
	struct yw_err err = YW_ERR_INIT;
	struct user_input in = { 0 };
	struct org_input oi = { 0 };
	struct yw_actor eng;
	int64_t org, admin, e, id;
	(void)state;

	oi.name = "华东电力";
	assert_int_equal(org_create(db, &acct_system, &oi, &org, &err), 0);
	admin = add_user(db, "root", "admin", 0);
	e = add_user(db, "eng", "engineer", 0);
	add_user(db, "cust", "customer", org);

	/* same login in another case */
	in.login = "ENG";
	in.display_name = "x";
	in.role = "engineer";
	in.password = "password-123";
	assert_int_equal(user_create(db, &acct_system, &in, &id, &err), YW_ECONFLICT);
	assert_string_equal(err.field, "login");

	/* only admins create */
	assert_int_equal(acct_load_actor(db, e, &eng, &err), 0);
	in.login = "other";
	assert_int_equal(user_create(db, &eng, &in, &id, &err), YW_EPERM);

	/* the last active admin stays one */
	assert_int_equal(user_set_disabled(db, &acct_system, admin, true, &err), YW_ECONFLICT);
	assert_int_equal(user_set_disabled(db, &acct_system, e, true, &err), 0);
	assert_int_equal(user_set_disabled(db, &acct_system, e, false, &err), 0);

	/* stale version */
	memset(&in, 0, sizeof(in));
	in.display_name = "新名字";
	in.set = USER_F_DISPLAY_NAME;
	assert_int_equal(user_update(db, &acct_system, e, 1, &in, &err), YW_ESTALE);
	assert_int_equal(user_update(db, &acct_system, e, 3, &in, &err), 0);
	db_close(db);
}

/*
 * acct_user_name: every name right, past the cache's size (it empties
 * when three quarters full), "" for an unknown id, NULL for 0, and a
 * renamed user's new name at once (the 'auth' generation moved).
 */
static void test_user_names(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *db = fresh_db();
	char want[32];

	(void)state;
	assert_int_equal(db_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
				 " INSERT INTO users (id, login, display_name, role, created_at, updated_at)"
				 " SELECT 1000 + i, 'u' || i, '用户' || i, 'engineer', 0, 0 FROM n", &err), 0);
	for (int round = 0; round < 2; round++)
		for (int i = 1; i <= 3000; i += round ? 7 : 1) {
			snprintf(want, sizeof(want), "用户%d", i);
			assert_string_equal(acct_user_name(db, 1000 + i), want);
		}
	assert_string_equal(acct_user_name(db, 999999), "");
	assert_null(acct_user_name(db, 0));
	assert_string_equal(acct_user_name(db, 1001), "用户1");
	assert_int_equal(db_exec(db, "UPDATE users SET display_name = '新名字' WHERE id = 1001", &err), 0);
	assert_string_equal(acct_user_name(db, 1001), "新名字");
	db_close(db);
}

static void test_category_cycle(void **state)
{
	struct db *db = fresh_db();
	struct yw_err err = YW_ERR_INIT;
	struct cat_input in = { 0 };
	int64_t ids[CAT_MAX_DEPTH + 1], x;
	json_t *j;
	(void)state;

	for (int i = 0; i < CAT_MAX_DEPTH; i++) {
		char name[16];
		snprintf(name, sizeof(name), "c%d", i);
		in.name = name;
		in.parent_id = i ? ids[i - 1] : 0;
		in.set = CAT_F_NAME | (i ? CAT_F_PARENT : 0);
		assert_int_equal(cat_create(db, &acct_system, &in, &ids[i], &err), 0);
	}
	/* one level too deep */
	in.name = "deep";
	in.parent_id = ids[CAT_MAX_DEPTH - 1];
	assert_int_equal(cat_create(db, &acct_system, &in, &x, &err), YW_EINVAL);
	assert_string_equal(err.field, "parent_id");
	/* the root under its grandchild */
	memset(&in, 0, sizeof(in));
	in.parent_id = ids[2];
	in.set = CAT_F_PARENT;
	assert_int_equal(cat_update(db, &acct_system, ids[0], 0, &in, &err), YW_EINVAL);
	assert_int_equal(cat_get_json(db, &acct_system, ids[2], &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "path")), "c0 / c1 / c2");
	json_decref(j);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_password_length),
		cmocka_unit_test(test_org_code),
		cmocka_unit_test(test_like_pattern),
		cmocka_unit_test(test_table_order),
		cmocka_unit_test(test_user_rules),
		cmocka_unit_test(test_category_cycle),
		cmocka_unit_test(test_user_names),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
