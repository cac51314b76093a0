/*
 * test_cal_db.c - calendars in the store: the built-in calendars and
 * their seeded holidays, permissions, validation, versions, day lists,
 * imports that write all or nothing.
 */
#include "core/yw.h"
#include "core/ytime.h"
#include "store/db.h"
#include "domain/account/acct.h"
#include "domain/calendar/cal.h"
#include <setjmp.h>
#include <cmocka.h>

static const struct yw_actor admin = { 1, ROLE_ADMIN, 0, "admin", "" };
static const struct yw_actor engineer = { 2, ROLE_ENGINEER, 0, "eng", "" };
static const struct yw_actor customer = { 3, ROLE_CUSTOMER, 1, "cust", "" };

static int setup(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *db;

	assert_int_equal(db_open(&db, ":memory:", &err), 0);
	assert_int_equal(db_migrate(db, NULL, &err), 0);
	assert_int_equal(cal_seed_builtin(db, &err), 0);
	/* the actors above, so that their audit rows have users to point at */
	assert_int_equal(db_exec(db, "INSERT INTO users (id, login, display_name, role, created_at, updated_at) VALUES"
				 " (1, 'admin', 'a', 'admin', 0, 0), (2, 'eng', 'e', 'engineer', 0, 0),"
				 " (3, 'cust', 'c', 'customer', 0, 0)", &err), 0);
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	cal_on_change(NULL, NULL);   /* process-wide: not left to the next test by a failed one */
	db_close(*state);
	return 0;
}

static int64_t count(struct db *db, const char *sql)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t n = -1;
	assert_int_equal(db_queryint(db, &n, &err, sql, ""), 0);
	return n;
}

static int64_t at(const char *iso)
{
	int64_t t;
	assert_int_equal(yw_parse_iso(iso, &t), 0);
	return t;
}

static void test_builtins_seeded_once(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;
	struct cal *c;
	int64_t id, due;
	char buf[40];

	assert_int_equal(cal_lookup(db, "cn-workday", &id, &err), 0);
	assert_int_equal(cal_load(db, id, &c, &err), 0);
	assert_true(c->builtin);
	assert_int_equal(c->week[0].n, 1);
	assert_int_equal(c->week[5].n, 0);
	assert_int_equal(cal_find_day(c, cal_local_day(c, at("2026-02-14T12:00:00+08:00")))->kind, CAL_DAY_WORKDAY);
	assert_int_equal(cal_add_minutes(c, at("2026-02-13T17:00:00+08:00"), 120, &due, &err), 0);
	assert_string_equal(cal_fmt_local(c, due, buf, sizeof(buf)), "2026-02-14T10:00:00+08:00");
	int64_t v = c->version;
	cal_free(c);

	int64_t days = count(db, "SELECT COUNT(*) FROM calendar_days");
	assert_int_equal(days, 33 + 39);   /* the 2025 and 2026 notices */
	/* seeding again changes nothing, even after an admin removed a day */
	assert_int_equal(db_execf(db, &err, "DELETE FROM calendar_days WHERE day = '2026-10-10'", ""), 0);
	assert_int_equal(cal_seed_builtin(db, &err), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM calendar_days"), days - 1);
	assert_int_equal(cal_load(db, id, &c, &err), 0);
	assert_int_equal(c->version, v);
	cal_free(c);

	assert_int_equal(cal_lookup(db, "7x24", &id, &err), 0);
	assert_int_equal(cal_load(db, id, &c, &err), 0);
	assert_int_equal(cal_add_minutes(c, at("2026-02-17T23:30:00+08:00"), 60, &due, &err), 0);
	assert_int_equal(due, at("2026-02-18T00:30:00+08:00"));
	cal_free(c);
	assert_int_equal(cal_lookup(db, "nope", &id, &err), YW_ENOTFOUND);
}

static void test_permissions(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;
	struct cal_input in = { "值班", NULL, NULL, NULL };
	json_t *j, *items;
	int64_t id, next;

	assert_int_equal(cal_get_json(db, &customer, 1, &j, &err), YW_EPERM);
	assert_int_equal(cal_list_json(db, &customer, 0, 50, &items, &next, &err), YW_EPERM);
	assert_int_equal(cal_days_json(db, &customer, 1, 2026, &j, &err), YW_EPERM);
	assert_int_equal(cal_create(db, &engineer, &in, CAL_IN_NAME, &id, &err), YW_EPERM);
	assert_int_equal(cal_import_apply(db, &engineer, 1, "{}", 2, CAL_FMT_AUTO, &(struct cal_import_result){ 0 },
					  &err), YW_EPERM);
	assert_int_equal(cal_get_json(db, &engineer, 1, &j, &err), 0);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "7x24");
	json_decref(j);
	assert_int_equal(cal_list_json(db, &engineer, 0, 1, &items, &next, &err), 0);
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(next, 1);
	json_decref(items);
	assert_int_equal(cal_list_json(db, &engineer, next, 50, &items, &next, &err), 0);
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(next, 0);
	json_decref(items);
}

static void test_create_update(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;
	json_t *w = json_loads("{\"mon\":[{\"start\":\"09:00\",\"end\":\"12:00\"},{\"start\":\"13:30\",\"end\":\"18:00\"}]}",
			       0, NULL);
	struct cal_input in = { "柏林办公室", "Berlin office", "Europe/Berlin", w };
	int64_t id, before = count(db, "SELECT COUNT(*) FROM audit_log");
	struct cal *c;

	assert_int_equal(cal_create(db, &admin, &in, CAL_IN_NAME | CAL_IN_DESCRIPTION | CAL_IN_TIMEZONE | CAL_IN_WINDOWS,
				    &id, &err), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_log"), before + 1);
	assert_int_equal(cal_create(db, &admin, &in, CAL_IN_NAME, &id, &err), YW_ECONFLICT);
	assert_string_equal(err.field, "name");
	assert_int_equal(cal_load(db, id, &c, &err), 0);
	assert_int_equal(c->week[0].n, 2);
	assert_int_equal(c->week[1].n, 0);
	assert_int_equal(c->version, 1);
	cal_free(c);

	/* defaults: Asia/Shanghai, Monday to Friday 09:00-18:00 */
	struct cal_input plain = { "plain", NULL, NULL, NULL };
	int64_t id2;
	assert_int_equal(cal_create(db, &admin, &plain, CAL_IN_NAME, &id2, &err), 0);
	assert_int_equal(cal_load(db, id2, &c, &err), 0);
	assert_int_equal(c->week[4].n, 1);
	assert_int_equal(c->week[4].w[0].end, 1080);
	cal_free(c);

	struct cal_input bad = { "x", NULL, "Mars/Base", NULL };
	assert_int_equal(cal_create(db, &admin, &bad, CAL_IN_NAME | CAL_IN_TIMEZONE, &id2, &err), YW_EINVAL);
	assert_string_equal(err.field, "timezone");

	/* update: stale version, then the right one */
	struct cal_input up = { NULL, NULL, "Asia/Shanghai", NULL };
	assert_int_equal(cal_update(db, &admin, id, 7, &up, CAL_IN_TIMEZONE, &err), YW_ESTALE);
	assert_int_equal(cal_update(db, &admin, id, 1, &up, CAL_IN_TIMEZONE, &err), 0);
	assert_int_equal(cal_update(db, &admin, id, 1, &up, CAL_IN_TIMEZONE, &err), YW_ESTALE);
	assert_int_equal(cal_update(db, &admin, 999, 1, &up, CAL_IN_TIMEZONE, &err), YW_ENOTFOUND);
	/* built-ins keep their names */
	struct cal_input rename = { "mine", NULL, NULL, NULL };
	assert_int_equal(cal_update(db, &admin, 2, 0, &rename, CAL_IN_NAME, &err), YW_EINVAL);
	json_decref(w);
}

static int changes, commits;

static int count_change(struct db *db, const struct yw_actor *a, int64_t id, struct yw_err *err)
{
	(void)db, (void)a, (void)id, (void)err;
	changes++;
	return 0;
}

static int refuse_change(struct db *db, const struct yw_actor *a, int64_t id, struct yw_err *err)
{
	(void)db, (void)a, (void)id;
	changes++;
	return yw_errf(err, YW_EINVAL, "", "refused by the hook");
}

static void count_commit(void)
{
	commits++;
}

/* The change hook runs in the transaction; the after-commit one only once it committed. */
static void test_change_hooks(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;
	struct cal_input in = { "hooked", NULL, "Asia/Shanghai", NULL };
	struct cal_input up = { NULL, NULL, "Europe/Berlin", NULL };
	int64_t id;

	changes = commits = 0;
	assert_int_equal(cal_create(db, &admin, &in, CAL_IN_NAME | CAL_IN_TIMEZONE, &id, &err), 0);
	cal_on_change(count_change, count_commit);
	assert_int_equal(cal_update(db, &admin, id, 1, &up, CAL_IN_TIMEZONE, &err), 0);
	assert_int_equal(changes, 1);
	assert_int_equal(commits, 1);
	assert_int_equal(cal_update(db, &admin, id, 1, &up, CAL_IN_TIMEZONE, &err), YW_ESTALE);
	assert_int_equal(commits, 1);
	cal_on_change(refuse_change, count_commit);
	up.timezone = "Asia/Tokyo";
	assert_int_equal(cal_update(db, &admin, id, 2, &up, CAL_IN_TIMEZONE, &err), YW_EINVAL);
	assert_int_equal(changes, 2);
	assert_int_equal(commits, 1);
	assert_int_equal(count(db, "SELECT version FROM calendars WHERE name = 'hooked'"), 2);
	cal_on_change(NULL, NULL);
}

static void test_days_replace(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;
	json_t *days, *out;
	struct cal *c;
	int64_t id;

	assert_int_equal(cal_lookup(db, "cn-workday", &id, &err), 0);
	assert_int_equal(cal_load(db, id, &c, &err), 0);
	int64_t v = c->version;
	cal_free(c);
	days = json_loads("[{\"date\":\"2027-02-06\",\"kind\":\"off\",\"name\":\"春节\"},"
			  "{\"date\":\"2027-02-20\",\"kind\":\"workday\",\"name\":\"春节\","
			  "\"windows\":[{\"start\":\"10:00\",\"end\":\"16:00\"}]}]", 0, NULL);
	assert_int_equal(cal_days_replace(db, &admin, id, 2027, v, days, &err), 0);
	assert_int_equal(cal_days_json(db, &engineer, id, 2027, &out, &err), 0);
	json_t *items = json_object_get(out, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "kind")), "workday");
	json_decref(out);
	assert_int_equal(cal_load(db, id, &c, &err), 0);
	int64_t t;
	assert_int_equal(cal_add_minutes(c, at("2027-02-19T17:00:00+08:00"), 120, &t, &err), 0);
	assert_int_equal(t, at("2027-02-20T11:00:00+08:00"));
	cal_free(c);
	json_decref(days);

	/* bad lists change nothing */
	int64_t before = count(db, "SELECT COUNT(*) FROM calendar_days");
	static const struct { const char *json; const char *field; int code; } bad[] = {
		{ "[{\"date\":\"2026-02-30\",\"kind\":\"off\"}]", "days[0].date", YW_EINVAL },
		{ "[{\"date\":\"2025-02-03\",\"kind\":\"off\"}]", "days[0].date", YW_EINVAL },
		{ "[{\"date\":\"2026-02-03\",\"kind\":\"holiday\"}]", "days[0].kind", YW_EINVAL },
		{ "[{\"date\":\"2026-02-03\",\"kind\":\"off\",\"windows\":[]}]", "days[0].windows", YW_EINVAL },
		{ "[{\"date\":\"2026-02-03\",\"kind\":\"workday\",\"windows\":[{\"start\":\"12:00\",\"end\":\"11:00\"}]}]",
		  "days[0].windows", YW_EINVAL },
		{ "[{\"date\":\"2026-02-03\",\"kind\":\"off\"},{\"date\":\"2026-02-03\",\"kind\":\"off\"}]", "days", YW_EINVAL },
		{ "[{\"date\":\"2026-02-03\",\"kind\":\"off\",\"colour\":1}]", "days[0].colour", YW_EUNKNOWN },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		days = json_loads(bad[i].json, 0, NULL);
		assert_non_null(days);
		assert_int_equal(cal_days_replace(db, &admin, id, 2026, 0, days, &err), bad[i].code);
		assert_string_equal(err.field, bad[i].field);
		json_decref(days);
	}
	assert_int_equal(count(db, "SELECT COUNT(*) FROM calendar_days"), before);
}

static void test_import_all_or_nothing(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;
	struct cal_import_result res;
	int64_t id, before, audits;
	static const char good[] = "{\"year\":2024,\"days\":[{\"name\":\"元旦\",\"date\":\"2024-01-01\",\"isOffDay\":true},"
				   "{\"name\":\"春节\",\"date\":\"2024-02-04\",\"isOffDay\":false}]}";
	static const char badf[] = "{\"year\":2024,\"days\":[{\"name\":\"元旦\",\"date\":\"2024-01-01\",\"isOffDay\":true},"
				   "{\"name\":\"春节\",\"date\":\"2024-02-31\",\"isOffDay\":false}]}";

	assert_int_equal(cal_lookup(db, "cn-workday", &id, &err), 0);
	before = count(db, "SELECT COUNT(*) FROM calendar_days");
	audits = count(db, "SELECT COUNT(*) FROM audit_log");
	assert_int_equal(cal_import_apply(db, &admin, id, badf, strlen(badf), CAL_FMT_AUTO, &res, &err), YW_EINVAL);
	assert_non_null(strstr(err.msg, "2024-02-31"));
	assert_int_equal(count(db, "SELECT COUNT(*) FROM calendar_days"), before);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_log"), audits);
	assert_int_equal(cal_import_apply(db, &admin, id, good, strlen(good), CAL_FMT_AUTO, &res, &err), 0);
	assert_int_equal(res.off, 1);
	assert_int_equal(res.workdays, 1);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM calendar_days"), before + 2);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM audit_log"), audits + 1);
	/* importing again merges by date */
	assert_int_equal(cal_import_apply(db, &admin, id, good, strlen(good), CAL_FMT_AUTO, &res, &err), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM calendar_days"), before + 2);
	assert_int_equal(cal_import_apply(db, &admin, 999, good, strlen(good), CAL_FMT_AUTO, &res, &err), YW_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_builtins_seeded_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_hooks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_days_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_all_or_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
