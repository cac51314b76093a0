/* test_prio.c - the priority matrix: defaults, names, fault levels, the table. */
#include "yw.h"
#include <setjmp.h>
#include <cmocka.h>
#include "store/db.h"
#include "domain/account/acct.h"
#include "domain/ticket/prio.h"

static void defaults_match_the_itil_matrix(void **state)
{
	/* impact x urgency: high/high is P1, low/low is P4 */
	static const int want[3][3] = { { 1, 2, 3 }, { 2, 3, 4 }, { 3, 4, 4 } };
	(void)state;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			assert_int_equal(prio_default_matrix[i][j], want[i][j]);
}

static void names_and_parsing(void **state)
{
	(void)state;
	assert_string_equal(prio_name(1), "P1");
	assert_string_equal(prio_name(4), "P4");
	assert_null(prio_name(0));
	assert_null(prio_name(5));
	assert_int_equal(prio_parse("P2"), 2);
	assert_int_equal(prio_parse("p3"), 3);
	assert_int_equal(prio_parse("P5"), 0);
	assert_int_equal(prio_parse("P"), 0);
	assert_int_equal(prio_parse("P12"), 0);
	assert_int_equal(prio_parse(""), 0);
	assert_int_equal(prio_parse(NULL), 0);
}

static void fault_level_defaults(void **state)
{
	(void)state;
	assert_int_equal(prio_fault_level(1), 1);
	assert_int_equal(prio_fault_level(2), 2);
	assert_int_equal(prio_fault_level(3), 3);
	assert_int_equal(prio_fault_level(4), 3);
}

static void table_lookup_and_admin_change(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *db;
	int m[3][3], p;
	struct yw_actor eng = { 1, ROLE_MANAGER, 0, "m", "" };
	(void)state;

	assert_int_equal(db_open(&db, ":memory:", &err), 0);
	assert_int_equal(db_migrate(db, NULL, &err), 0);
	for (int i = 1; i <= 3; i++)
		for (int j = 1; j <= 3; j++) {
			assert_int_equal(prio_of(db, i, j, &p, &err), 0);
			assert_int_equal(p, prio_default_matrix[i - 1][j - 1]);
		}
	assert_int_equal(prio_of(db, 0, 1, &p, &err), YW_EINVAL);
	assert_string_equal(err.field, "impact");
	assert_int_equal(prio_of(db, 1, 4, &p, &err), YW_EINVAL);
	assert_string_equal(err.field, "urgency");

	memcpy(m, prio_default_matrix, sizeof(m));
	m[0][2] = 1;
	assert_int_equal(prio_matrix_set(db, &eng, (const int (*)[3])m, &err), YW_EPERM);
	m[1][1] = 9;
	assert_int_equal(prio_matrix_set(db, &acct_system, (const int (*)[3])m, &err), YW_EINVAL);
	assert_string_equal(err.field, "matrix[1][1]");
	m[1][1] = 3;
	assert_int_equal(prio_matrix_set(db, &acct_system, (const int (*)[3])m, &err), 0);
	assert_int_equal(prio_of(db, 1, 3, &p, &err), 0);
	assert_int_equal(p, 1);
	int64_t n;
	assert_int_equal(db_queryint(db, &n, &err, "SELECT COUNT(*) FROM audit_log WHERE action = 'priority_matrix.update'", ""), 0);
	assert_int_equal(n, 1);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_match_the_itil_matrix),
		cmocka_unit_test(names_and_parsing),
		cmocka_unit_test(fault_level_defaults),
		cmocka_unit_test(table_lookup_and_admin_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
