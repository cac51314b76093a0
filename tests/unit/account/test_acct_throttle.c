/*
 * The login throttle's table of refused keys (domain/account/acct.c): a refusal
 * is answered from memory once known, the table is bounded, and the
 * store stays the truth for a key pushed out of it. The .c is included
 * to reach its statics (the archive's copy is then never linked).
 */
#include "core/yw.h"
#include "store/db.h"
#include "core/ytime.h"
#include "domain/account/acct.c"
#include <setjmp.h>
#include <cmocka.h>

static struct db *fresh_db(void)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *db;

	assert_int_equal(db_open(&db, ":memory:", &err), 0);
	assert_int_equal(db_migrate(db, NULL, &err), 0);
	return db;
}

static int64_t rows(struct db *db)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t n = -1;

	assert_int_equal(db_queryint(db, &n, &err, "SELECT COUNT(*) FROM login_failures", ""), 0);
	return n;
}

/* Puts key at its limit in the store, as five failures would. */
static void at_limit(struct db *db, const char *key)
{
	struct yw_err err = YW_ERR_INIT;

	assert_int_equal(db_execf(db, &err, "INSERT INTO login_failures(key, count, first_at, last_at)"
				  " VALUES (?, ?, ?, ?)", "siii", key, (int64_t)ACCT_MAX_FAILURES, yw_now(),
				  yw_now()), 0);
}

static void forget_in_store(struct db *db, const char *key)
{
	struct yw_err err = YW_ERR_INIT;

	assert_int_equal(db_execf(db, &err, "DELETE FROM login_failures WHERE key = ?", "s", key), 0);
}

static void test_counting(void **state)
{
	struct db *db = fresh_db();
	struct yw_err err = YW_ERR_INIT;
	int64_t retry = 0;
	bool tripped;

	for (int i = 1; i <= ACCT_MAX_FAILURES + 1; i++) {
		assert_false(acct_throttled(db, "pw:1", &retry));
		assert_int_equal(acct_note_failure(db, "pw:1", &tripped, &err), 0);
		/* only the failure that reaches the limit trips: the throttle is audited once */
		assert_int_equal(tripped, i == ACCT_MAX_FAILURES);
		if (i == ACCT_MAX_FAILURES)
			break;
	}
	assert_true(acct_throttled(db, "pw:1", &retry));
	assert_true(retry > 0 && retry <= ACCT_FAILURE_WINDOW);
	assert_false(acct_throttled(db, "pw:2", &retry));
	assert_int_equal(acct_clear_failures(db, "pw:1", &err), 0);
	assert_false(acct_throttled(db, "pw:1", &retry));
	assert_int_equal(rows(db), 0);
	db_close(db);
	(void)state;
}

static void test_refusals_from_memory_bounded(void **state)
{
	struct db *db = fresh_db();
	char key[32];
	int64_t retry;
	bool evicted = false;

	at_limit(db, "pw:victim");
	assert_true(acct_throttled(db, "pw:victim", &retry));
	/* known refused: answered without the store, which no longer says so */
	forget_in_store(db, "pw:victim");
	assert_true(acct_throttled(db, "pw:victim", &retry));

	/* a flood of other refused keys cannot grow the table: the victim is pushed out */
	for (int i = 0; i < 20000 && !evicted; i++) {
		snprintf(key, sizeof(key), "pw:flood%d", i);
		at_limit(db, key);
		assert_true(acct_throttled(db, key, &retry));
		forget_in_store(db, key);
		if (i % 512 == 511)
			evicted = !acct_throttled(db, "pw:victim", &retry);
	}
	assert_true(evicted);
	/* and once pushed out, the store answers again */
	at_limit(db, "pw:victim");
	assert_true(acct_throttled(db, "pw:victim", &retry));
	db_close(db);
	(void)state;
}

/* The count of refused attempts is told once the throttle has lifted, and only once. */
static void test_refusals_told_after(void **state)
{
	int64_t now = yw_now(), until = 0;
	struct login_keys k;
	json_t *j;

	login_keys("Told.User", "2001:db8:7:7::1", &k);
	assert_string_equal(k.pair, "login:2001:db8:7:7::/64|told.user");
	assert_string_equal(k.addr, "ip:2001:db8:7:7::/64");
	refused_put(k.pair, now + 60);   /* the first refusal, which read the store */
	assert_true(refused_hit(k.pair, now, &until));
	assert_true(refused_hit(k.pair, now, &until));
	assert_int_equal(until, now + 60);
	assert_int_equal(refused_take(k.pair, now), 0);   /* still throttled: not yet */
	j = refusals_json(&k, now + 60);
	assert_int_equal(json_integer_value(json_object_get(j, "refused_while_throttled")), 3);
	assert_null(json_object_get(j, "refused_from_address"));
	json_decref(j);
	j = refusals_json(&k, now + 61);
	assert_int_equal(json_object_size(j), 0);
	json_decref(j);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counting),
		cmocka_unit_test(test_refusals_from_memory_bounded),
		cmocka_unit_test(test_refusals_told_after),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
