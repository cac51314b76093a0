/*
 * test_store_walbuf.c - the VFS that gathers a transaction's writes to
 * the log (src/store/walbuf.c): what one connection commits, another
 * reads whole, at once and while commits go on; a transaction bigger
 * than the buffer and than the page cache reads its own pages back; a
 * rollback leaves nothing; a process that dies after its commits lost
 * none of them.
 */
#include "core/yw.h"
#include "store/db.h"
#include <pthread.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

static char dir[64], path[96];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/yw-walbuf-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char f[128];

	(void)state;
	for (const char *const *s = (const char *const[]){ "", "-wal", "-shm", NULL }; *s; s++) {
		snprintf(f, sizeof(f), "%s%s", path, *s);
		unlink(f);
	}
	rmdir(dir);
	return 0;
}

static struct db *open_db(void)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *db;

	assert_int_equal(db_open(&db, path, &err), 0);
	return db;
}

static int64_t q(struct db *db, const char *sql)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t n = -1;

	assert_int_equal(db_queryint(db, &n, &err, sql, ""), 0);
	return n;
}

static void ok(struct db *db, const char *sql)
{
	struct yw_err err = YW_ERR_INIT;

	if (db_exec(db, sql, &err))
		fail_msg("%s: %s", sql, err.msg);
}

static void integrity_ok(struct db *db)
{
	struct yw_err err = YW_ERR_INIT;
	struct db_stmt *st;

	assert_int_equal(db_prepare(db, "PRAGMA integrity_check", &st, &err), 0);
	assert_int_equal(db_step(st, &err), DB_ROW);
	assert_string_equal(db_col_text(st, 0), "ok");
	db_done(st);
}

/* 4 MB in one transaction: past the 1 MB buffer, and past a 10-page cache */
#define BIG "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 2000)" \
	    " INSERT INTO t(v) SELECT hex(randomblob(1000)) FROM c"

static void test_installed(void **state)
{
	struct db *db;

	(void)state;
	db = open_db();
	assert_string_equal(sqlite3_vfs_find(NULL)->zName, "yunwei");
	db_close(db);
}

static void test_big_transaction(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *a, *b;
	int64_t mine, theirs;

	(void)state;
	a = open_db();
	b = open_db();
	ok(a, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
	ok(a, "PRAGMA cache_size = 10");
	assert_int_equal(db_begin(a, &err), 0);
	ok(a, BIG);
	/* the pages spilled to the log come back to the writer itself */
	mine = q(a, "SELECT SUM(unicode(substr(v, 1 + id % 1900, 1))) FROM t");
	assert_int_equal(q(a, "SELECT SUM(length(v)) FROM t"), 2000 * 2000);
	/* before the commit the other connection sees nothing of it */
	assert_int_equal(q(b, "SELECT COUNT(*) FROM t"), 0);
	assert_int_equal(db_commit(a, &err), 0);
	theirs = q(b, "SELECT SUM(unicode(substr(v, 1 + id % 1900, 1))) FROM t");
	assert_int_equal(mine, theirs);
	assert_int_equal(q(b, "SELECT SUM(length(v)) FROM t"), 2000 * 2000);
	integrity_ok(b);
	db_close(a);
	db_close(b);
}

static void test_rollback(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *a, *b;

	(void)state;
	a = open_db();
	ok(a, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
	ok(a, "PRAGMA cache_size = 10");
	assert_int_equal(db_begin(a, &err), 0);
	ok(a, BIG);
	db_rollback(a);
	ok(a, "INSERT INTO t(v) VALUES ('kept')");
	b = open_db();
	assert_int_equal(q(b, "SELECT COUNT(*) FROM t"), 1);
	assert_int_equal(q(b, "SELECT COUNT(*) FROM t WHERE v = 'kept'"), 1);
	integrity_ok(b);
	db_close(a);
	db_close(b);
	/* and from the files alone */
	a = open_db();
	assert_int_equal(q(a, "SELECT COUNT(*) FROM t"), 1);
	db_close(a);
}

/* A child commits, then dies without closing anything. */
static void test_commits_survive_a_dead_process(void **state)
{
	struct db *db;
	pid_t pid;
	int status;

	(void)state;
	db = open_db();
	ok(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
	db_close(db);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct yw_err err = YW_ERR_INIT;
		struct db *c;

		if (db_open(&c, path, &err))
			_exit(2);
		for (int i = 0; i < 50; i++)
			if (db_exec(c, "INSERT INTO t(v) SELECT hex(randomblob(3000)) FROM (SELECT 1 UNION ALL SELECT 2)",
				    &err))
				_exit(3);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	db = open_db();
	assert_int_equal(q(db, "SELECT COUNT(*) FROM t"), 100);
	assert_int_equal(q(db, "SELECT SUM(length(v)) FROM t"), 100 * 6000);
	integrity_ok(db);
	db_close(db);
}

/*
 * A reader that starts its read transactions while another connection
 * commits: every commit adds +x and -x, so a reader that saw part of one
 * would find a sum other than 0 or a count that is not even.
 */
static volatile int writing;

static void *reader(void *arg)
{
	struct db *db = open_db();
	int64_t *bad = arg;

	while (writing) {
		struct yw_err err = YW_ERR_INIT;
		struct db_stmt *st;

		if (db_prepare(db, "SELECT COUNT(*), COALESCE(SUM(x), 0), COALESCE(SUM(length(v)), 0) FROM t",
			       &st, &err)) {
			(*bad)++;
			break;
		}
		if (db_step(st, &err) != DB_ROW || db_col_int(st, 0) % 2 || db_col_int(st, 1) ||
		    db_col_int(st, 2) != db_col_int(st, 0) * 600)
			(*bad)++;
		db_done(st);
	}
	db_close(db);
	return NULL;
}

static void test_readers_during_commits(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *w;
	pthread_t th[2];
	int64_t bad[2] = { 0, 0 };

	(void)state;
	w = open_db();
	ok(w, "CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER NOT NULL, v TEXT NOT NULL)");
	writing = 1;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, &bad[i]), 0);
	for (int i = 1; i <= 400; i++) {
		assert_int_equal(db_execf(w, &err, "INSERT INTO t(x, v) VALUES (?, hex(randomblob(300))),"
					  " (?, hex(randomblob(300)))", "ii", (int64_t)i, (int64_t)-i), 0);
		if (i % 100 == 0)
			assert_int_equal(db_checkpoint(w, &err), 0);
	}
	writing = 0;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(bad[0] + bad[1], 0);
	assert_int_equal(q(w, "SELECT COUNT(*) FROM t"), 800);
	integrity_ok(w);
	db_close(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_installed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commits_survive_a_dead_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readers_during_commits, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
