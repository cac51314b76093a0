/*
 * test_jobs.c - the job registry (src/jobs/jobs.h) and the store's
 * leases (db_lease_claim): two holders, expiry, release and a holder that
 * is gone; a job whose lease another holder has skips its turns; two
 * registries on one database run a job once; a failing job runs again and
 * never stops the others; at-start turns; wake-ups.
 *
 * The registry's threads run for real: a test waits for what it expects
 * to happen (polling, with a cap so that a broken registry fails instead
 * of hanging), never for a length of time.
 */
#include "core/yw.h"
#include "core/ytime.h"
#include "store/db.h"
#include "jobs/jobs.h"
#include <signal.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <cmocka.h>

static char dir[64], path[128];

static int setup(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *db;

	snprintf(dir, sizeof(dir), "/tmp/yw-jobs-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/jobs.db", dir);
	assert_int_equal(db_open(&db, path, &err), 0);
	assert_int_equal(db_migrate(db, NULL, &err), 0);
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	static const char *const ends[] = { "", "-wal", "-shm" };
	char f[160];

	db_close(*state);
	for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
		snprintf(f, sizeof(f), "%s%s", path, ends[i]);
		unlink(f);
	}
	rmdir(dir);
	return 0;
}

/* Claims name for holder at now until until; returns whether it got it. */
static bool claim(struct db *db, const char *name, const char *holder, const char *stale, int64_t now,
		  int64_t until, struct db_lease *l)
{
	struct yw_err err = YW_ERR_INIT;

	*l = (struct db_lease){ .name = name, .holder = holder, .stale = stale, .now = now, .until = until };
	assert_int_equal(db_lease_claim(db, l, &err), 0);
	return l->held;
}

static void test_lease_two_holders(void **state)
{
	struct db *db = *state;
	struct db_lease l;

	assert_true(claim(db, "flush", "a", NULL, 1000, 2000, &l));
	assert_false(claim(db, "flush", "b", NULL, 1500, 2500, &l));
	assert_string_equal(l.other, "a");
	assert_int_equal(l.other_until, 2000);
	/* the holder renews its own lease before it expires */
	assert_true(claim(db, "flush", "a", NULL, 1600, 2600, &l));
	assert_false(claim(db, "flush", "b", NULL, 2500, 3500, &l));
	assert_int_equal(l.other_until, 2600);
	/* another name is another lease */
	assert_true(claim(db, "checkpoint", "b", NULL, 2500, 3500, &l));
}

static void test_lease_expiry(void **state)
{
	struct db *db = *state;
	struct db_lease l;

	assert_true(claim(db, "flush", "a", NULL, 1000, 2000, &l));
	/* expires_at < now: at the instant itself it is still a's */
	assert_false(claim(db, "flush", "b", NULL, 2000, 3000, &l));
	assert_true(claim(db, "flush", "b", NULL, 2001, 3001, &l));
	assert_false(claim(db, "flush", "a", NULL, 2002, 3002, &l));
	assert_string_equal(l.other, "b");
}

static void test_lease_release_and_stale(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *db = *state;
	struct db_lease l;

	assert_true(claim(db, "flush", "a", NULL, 1000, 9000, &l));
	/* only the holder gives a lease up */
	assert_int_equal(db_lease_release(db, "flush", "b", &err), 0);
	assert_false(claim(db, "flush", "b", NULL, 1100, 9100, &l));
	assert_int_equal(db_lease_release(db, "flush", "a", &err), 0);
	assert_true(claim(db, "flush", "b", NULL, 1200, 9200, &l));
	/* a holder known to be gone loses its lease at once, and only that one */
	assert_false(claim(db, "flush", "c", "a", 1300, 9300, &l));
	assert_true(claim(db, "flush", "c", "b", 1300, 9300, &l));
}

/* ---- the registry ---- */

static int n_one, n_two, n_fail, n_start, n_wake;
static int wake_due;

static int run_one(struct db *db, struct yw_err *err) { __atomic_add_fetch(&n_one, 1, __ATOMIC_SEQ_CST); return 0; }
static int run_two(struct db *db, struct yw_err *err) { __atomic_add_fetch(&n_two, 1, __ATOMIC_SEQ_CST); return 0; }
static int run_start(struct db *db, struct yw_err *err) { n_start++; return 0; }

static int run_fail(struct db *db, struct yw_err *err)
{
	__atomic_add_fetch(&n_fail, 1, __ATOMIC_SEQ_CST);
	return yw_errf(err, YW_EIO, "", "disk on fire");
}

static int next_wake(struct db *db, int64_t *wait_ms, struct yw_err *err)
{
	*wait_ms = __atomic_load_n(&wake_due, __ATOMIC_SEQ_CST) ? 0 : 3600 * 1000;
	return 0;
}

static int run_wake(struct db *db, struct yw_err *err)
{
	__atomic_store_n(&wake_due, 0, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&n_wake, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static const struct job job_x1 = { "x", run_one, 2, NULL, false };
static const struct job job_x2 = { "x", run_two, 2, NULL, false };
static const struct job job_y = { "y", run_two, 2, NULL, false };
static const struct job job_fail = { "f", run_fail, 2, NULL, false };
static const struct job job_start = { "s", run_start, 3600 * 1000, NULL, true };
static const struct job job_start_fail = { "sf", run_fail, 3600 * 1000, NULL, true };
static const struct job job_wake = { "w", run_wake, 3600 * 1000, next_wake, false };

static int count(int *n)
{
	return __atomic_load_n(n, __ATOMIC_SEQ_CST);
}

/* Waits until *n reaches at least want; fails after a minute (a broken registry). */
static void wait_count(int *n, int want)
{
	for (int i = 0; i < 60000 && count(n) < want; i++)
		usleep(1000);
	assert_true(count(n) >= want);
}

static struct jobs *start(const struct job *a, const struct job *b)
{
	struct yw_err err = YW_ERR_INIT;
	struct jobs *j = jobs_new(path);

	jobs_add(j, a);
	if (b)
		jobs_add(j, b);
	assert_int_equal(jobs_start(j, &err), 0);
	return j;
}

static void reset(void)
{
	n_one = n_two = n_fail = n_start = n_wake = wake_due = 0;
}

static void test_two_registries_run_a_job_once(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct db_stmt *st;
	struct jobs *r1, *r2;
	int seen;

	reset();
	r1 = start(&job_x1, NULL);
	wait_count(&n_one, 3);
	r2 = start(&job_x2, NULL);
	seen = count(&n_one);
	wait_count(&n_one, seen + 20);
	assert_int_equal(count(&n_two), 0);
	assert_int_equal(db_prepare(*state, "SELECT holder FROM job_leases WHERE name = 'x'", &st, &err), 0);
	assert_int_equal(db_step(st, &err), DB_ROW);
	assert_string_equal(db_col_text(st, 0), jobs_holder(r1));
	db_done(st);
	/* the first stops and gives its lease up: the second takes the job over */
	jobs_stop(r1);
	wait_count(&n_two, 3);
	jobs_stop(r2);
}

static void test_lease_held_elsewhere_skips(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct db_lease l;
	struct jobs *j;

	reset();
	assert_true(claim(*state, "x", "elsewhere:1:1", NULL, yw_now_ms(), yw_now_ms() + 3600 * 1000, &l));
	j = start(&job_x1, &job_y);
	/* y runs turn after turn while x skips each of its own */
	wait_count(&n_two, 20);
	assert_int_equal(count(&n_one), 0);
	assert_int_equal(db_lease_release(*state, "x", "elsewhere:1:1", &err), 0);
	wait_count(&n_one, 1);
	jobs_stop(j);
}

static void test_lease_of_a_gone_process_is_taken(void **state)
{
	char host[64], holder[128];
	struct db_lease l;
	struct jobs *j;
	pid_t pid = fork();

	if (!pid)
		_exit(0);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	reset();
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	host[sizeof(host) - 1] = '\0';
	/* a server of this host killed while it held the lease, for an hour yet */
	snprintf(holder, sizeof(holder), "%s:%ld:1", host, (long)pid);
	assert_true(claim(*state, "x", holder, NULL, yw_now_ms(), yw_now_ms() + 3600 * 1000, &l));
	j = start(&job_x1, NULL);
	wait_count(&n_one, 1);
	jobs_stop(j);
}

static void test_failing_job_runs_again_and_others_go_on(void **state)
{
	struct jobs *j;

	reset();
	j = start(&job_fail, &job_y);
	wait_count(&n_fail, 3);
	wait_count(&n_two, 3);
	jobs_stop(j);
}

static void test_at_start(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct jobs *j;

	reset();
	j = start(&job_start, NULL);
	/* the first turn ran before jobs_start returned; the next is an hour away */
	assert_int_equal(n_start, 1);
	jobs_stop(j);

	j = jobs_new(path);
	jobs_add(j, &job_start_fail);
	assert_int_equal(jobs_start(j, &err), YW_EIO);
	assert_string_equal(err.msg, "disk on fire");
	jobs_stop(j);
}

static void test_wake(void **state)
{
	struct jobs *j;

	reset();
	j = start(&job_wake, NULL);
	/* nothing due: it sleeps its hour; woken with work due, it runs */
	__atomic_store_n(&wake_due, 1, __ATOMIC_SEQ_CST);
	jobs_wake("w", 0);
	wait_count(&n_wake, 1);
	__atomic_store_n(&wake_due, 1, __ATOMIC_SEQ_CST);
	jobs_wake("w", yw_now_ms());
	wait_count(&n_wake, 2);
	jobs_stop(j);
	/* with no registry running it, a wake-up does nothing */
	jobs_wake("w", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lease_two_holders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lease_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lease_release_and_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_registries_run_a_job_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lease_held_elsewhere_skips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lease_of_a_gone_process_is_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_job_runs_again_and_others_go_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wake, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
