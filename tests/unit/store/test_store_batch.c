/*
 * test_store_batch.c - the store's transactions as group commit uses
 * them: parts of a batch that keep or undo only themselves (optimistic,
 * spoiled and redone), search-index
 * entries written at the commit (and dropped with what undid them), the
 * read-transaction serial, the cache generations of migration 0007 (in
 * one read transaction and across them), and
 * db_exists.
 */
#include "core/yw.h"
#include "core/tok.h"
#include "core/strbuf.h"
#include "store/db.h"
#include "domain/directory/dir.h"
#include <setjmp.h>
#include <cmocka.h>

static int setup(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *db;

	assert_int_equal(db_open(&db, ":memory:", &err), 0);
	assert_int_equal(db_migrate(db, NULL, &err), 0);
	*state = db;
	return 0;
}

static int teardown(void **state)
{
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

/* How many tickets the search index finds for one word. */
static int64_t found(struct db *db, const char *word)
{
	struct strbuf sql = STRBUF_INIT;
	struct tok_term term = { 0 };
	struct yw_err err = YW_ERR_INIT;
	struct db_stmt *st;
	char *q;
	int64_t n = 0;

	term.phrase = (char *)word;
	strbuf_addstr(&sql, "SELECT COUNT(*) FROM ");
	strbuf_addstr(&sql, db_fts_from(db));
	strbuf_addstr(&sql, " WHERE ");
	q = db_fts_match(db, &sql, &term, 1, true);
	assert_int_equal(db_prepare(db, sql.buf, &st, &err), 0);
	db_bind_text(st, 1, q);
	assert_int_equal(db_step(st, &err), DB_ROW);
	n = db_col_int(st, 0);
	db_done(st);
	free(q);
	strbuf_release(&sql);
	return n;
}

static void part(struct db *db, int64_t value, bool keep)
{
	struct yw_err err = YW_ERR_INIT;
	char word[32];

	snprintf(word, sizeof(word), "w%" PRId64, value);
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(db_execf(db, &err, "INSERT INTO counters (name, value) VALUES (?, ?)", "si", word, value), 0);
	assert_int_equal(db_fts_put(db, value, word, "", &err), 0);
	if (keep)
		assert_int_equal(db_commit(db, &err), 0);
	else
		db_rollback(db);
}

/* A part that fails before it writes: a statement SQLite refuses whole. */
static void failed_part(struct db *db)
{
	struct yw_err err = YW_ERR_INIT;

	assert_int_equal(db_begin(db, &err), 0);
	assert_int_not_equal(db_execf(db, &err, "INSERT INTO counters (name, value) VALUES ('w1', 0)", ""), 0);
	yw_err_clear(&err);
	db_rollback(db);
}

/* After a batch that kept parts 1 and 3 of 1 to 4: their rows and index entries only. */
static void assert_kept_1_and_3(struct db *db)
{
	assert_int_equal(count(db, "SELECT COUNT(*) FROM counters WHERE name LIKE 'w%'"), 2);
	assert_int_equal(count(db, "SELECT SUM(value) FROM counters WHERE name LIKE 'w%'"), 4);
	assert_int_equal(found(db, "w1"), 1);
	assert_int_equal(found(db, "w2"), 0);
	assert_int_equal(found(db, "w3"), 1);
	assert_int_equal(found(db, "w4"), 0);
}

/* Optimistic parts (no savepoints): a part that wrote nothing undoes nothing, the batch goes on. */
static void test_optimistic_parts(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;

	assert_int_equal(db_batch_begin(db, &err), 0);
	assert_true(db_in_batch(db));
	part(db, 1, true);
	failed_part(db);
	assert_false(db_batch_spoiled(db));
	part(db, 3, true);
	db_rollback(db);   /* the dispatcher's safety rollback between requests */
	assert_false(db_batch_spoiled(db));
	assert_int_equal(db_batch_commit(db, &err), 0);
	assert_kept_1_and_3(db);
}

/* The parts of a spoiled batch, run again after db_batch_redo, keep or undo themselves. */
static void test_parts_keep_or_undo_themselves(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;

	assert_int_equal(db_batch_begin(db, &err), 0);
	part(db, 1, true);
	part(db, 2, false);
	assert_true(db_batch_spoiled(db));
	assert_int_equal(db_batch_redo(db, &err), 0);
	assert_false(db_batch_spoiled(db));
	assert_true(db_in_batch(db));
	/* the first run is gone, its index entries with it */
	assert_int_equal(count(db, "SELECT COUNT(*) FROM counters WHERE name LIKE 'w%'"), 0);
	part(db, 1, true);
	part(db, 2, false);
	failed_part(db);
	part(db, 3, true);
	/* the dispatcher's safety rollback between requests undoes nothing */
	db_rollback(db);
	part(db, 4, false);
	assert_false(db_batch_spoiled(db));
	/* nothing is in the index before the batch commits */
	assert_int_equal(found(db, "w1"), 0);
	assert_int_equal(db_batch_commit(db, &err), 0);
	assert_false(db_in_batch(db));
	assert_kept_1_and_3(db);
}

/*
 * A batch rolled back, or a spoiled one that is committed (which it
 * refuses), loses every part; the connection writes normally after.
 */
static void test_batch_rollback_loses_all(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;

	for (int spoil = 0; spoil < 2; spoil++) {
		assert_int_equal(db_batch_begin(db, &err), 0);
		part(db, 5, true);
		part(db, 6, !spoil);
		assert_true(db_batch_spoiled(db) == spoil);
		if (spoil) {
			assert_int_not_equal(db_batch_commit(db, &err), 0);
			assert_string_equal(err.msg, "batch commit of a spoiled batch");
			yw_err_clear(&err);
			assert_false(db_in_batch(db));
		} else {
			db_batch_rollback(db);
		}
		assert_int_equal(count(db, "SELECT COUNT(*) FROM counters WHERE name LIKE 'w%'"), 0);
		assert_int_equal(found(db, "w5"), 0);
	}
	/* and the connection writes normally afterwards, index included */
	part(db, 7, true);
	assert_int_equal(found(db, "w7"), 1);
	part(db, 8, false);
	assert_int_equal(found(db, "w8"), 0);
}

/*
 * The batch's own COMMIT fails (here a deferred foreign key that only the
 * commit checks, where in the server it would be a full disk or an I/O
 * error): every part is lost with it, search entries included, the error
 * is the caller's to report, and the connection writes normally after.
 */
static void test_batch_commit_failure_loses_all(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;

	assert_int_equal(db_exec(db, "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
				 "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER"
				 " REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)", &err), 0);
	assert_int_equal(db_batch_begin(db, &err), 0);
	part(db, 9, true);
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(db_execf(db, &err, "INSERT INTO child (parent_id) VALUES (42)", ""), 0);
	assert_int_equal(db_commit(db, &err), 0);      /* the part is kept: the key is checked at COMMIT */
	part(db, 10, true);
	assert_int_not_equal(db_batch_commit(db, &err), 0);
	assert_non_null(strstr(err.msg, "FOREIGN KEY"));
	yw_err_clear(&err);
	assert_false(db_in_batch(db));
	assert_int_equal(count(db, "SELECT COUNT(*) FROM counters WHERE name IN ('w9', 'w10')"), 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM child"), 0);
	assert_int_equal(found(db, "w9"), 0);
	assert_int_equal(found(db, "w10"), 0);
	part(db, 11, true);
	assert_int_equal(found(db, "w11"), 1);
	assert_int_equal(db_batch_begin(db, &err), 0);
	part(db, 12, true);
	assert_int_equal(db_batch_commit(db, &err), 0);
	assert_int_equal(found(db, "w12"), 1);
}

static void test_read_serial(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;
	uint64_t a, b;

	assert_int_equal(db_read_serial(db), 0);
	assert_int_equal(db_begin_read(db, &err), 0);
	a = db_read_serial(db);
	assert_true(a != 0);
	assert_int_equal(count(db, "SELECT COUNT(*) FROM users"), 0);
	assert_true(db_read_serial(db) == a);
	db_rollback(db);
	assert_int_equal(db_read_serial(db), 0);
	assert_int_equal(db_begin_read(db, &err), 0);
	b = db_read_serial(db);
	assert_true(b != 0 && b != a);
	db_rollback(db);
	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(db_read_serial(db), 0);
	db_rollback(db);
}

static void test_generations_follow_writes(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;
	int64_t g0 = db_cache_gen(db, "directory"), g1, g2;
	const struct dir *d;
	struct strbuf path = STRBUF_INIT;

	assert_true(g0 != 0);
	assert_int_equal(db_cache_gen(db, "no such cache"), 0);
	assert_int_equal(dir_get(db, &d, &err), 0);
	dir_cat_path(d, 1, &path);
	assert_string_equal(path.buf, "");
	/* a write that is rolled back leaves the committed generation */
	assert_int_equal(db_begin(db, &err), 0);
	/* read (and kept) in the write transaction, then changed by its own write */
	assert_true(db_cache_gen(db, "directory") == g0);
	assert_int_equal(db_exec(db, "INSERT INTO categories (id, name, created_at, updated_at)"
				 " VALUES (1, '网络', 0, 0)", &err), 0);
	g1 = db_cache_gen(db, "directory");
	assert_true(g1 != g0);
	/* inside the writing transaction the directory sees the write */
	assert_int_equal(dir_get(db, &d, &err), 0);
	dir_cat_path(d, 1, &path);
	assert_string_equal(path.buf, "网络");
	db_rollback(db);
	assert_true(db_cache_gen(db, "directory") == g0);
	/*
	 * The same in a batch, where an undo must drop the generations it
	 * saw: a redo's (an optimistic part cannot undo a write alone), then
	 * a savepoint's.
	 */
	assert_int_equal(db_batch_begin(db, &err), 0);
	for (int careful = 0; careful < 2; careful++) {
		assert_int_equal(db_begin(db, &err), 0);
		assert_true(db_cache_gen(db, "directory") == g0);
		assert_int_equal(db_exec(db, "INSERT INTO categories (id, name, created_at, updated_at)"
					 " VALUES (1, '网络', 0, 0)", &err), 0);
		assert_true(db_cache_gen(db, "directory") != g0);
		db_rollback(db);
		assert_true(db_batch_spoiled(db) == !careful);
		if (!careful)
			assert_int_equal(db_batch_redo(db, &err), 0);
		assert_true(db_cache_gen(db, "directory") == g0);
	}
	db_batch_rollback(db);
	assert_int_equal(dir_get(db, &d, &err), 0);
	strbuf_reset(&path);
	dir_cat_path(d, 1, &path);
	assert_string_equal(path.buf, "");
	/* a committed one changes it, for every cache of the kind */
	assert_int_equal(db_exec(db, "INSERT INTO categories (id, name, created_at, updated_at) VALUES"
				 " (1, '网络', 0, 0), (2, '交换机', 0, 0);"
				 " UPDATE categories SET parent_id = 1 WHERE id = 2", &err), 0);
	g2 = db_cache_gen(db, "directory");
	assert_true(g2 != g0 && g2 != g1);
	assert_int_equal(dir_get(db, &d, &err), 0);
	dir_cat_path(d, 2, &path);
	assert_string_equal(path.buf, "网络 / 交换机");
	assert_int_equal(dir_cat_group(d, 2), 0);
	assert_false(dir_supervises(d, 0, 0));
	/* groups: who leads, who is in; a category's default group */
	assert_int_equal(db_exec(db, "INSERT INTO users (id, login, display_name, role, created_at, updated_at) VALUES"
				 " (1, 'sup', 's', 'supervisor', 0, 0), (2, 'eng', 'e', 'engineer', 0, 0),"
				 " (3, 'eng2', 'f', 'engineer', 0, 0);"
				 " INSERT INTO groups (id, name, supervisor_id, created_at, updated_at) VALUES"
				 " (7, '基础网络室', 1, 0, 0), (9, '业务支撑室', NULL, 0, 0);"
				 " INSERT INTO group_members (group_id, user_id) VALUES (7, 2), (9, 2), (9, 3);"
				 " UPDATE categories SET default_group_id = 7 WHERE id = 2", &err), 0);
	assert_int_equal(dir_get(db, &d, &err), 0);
	assert_true(dir_supervises(d, 1, 7));
	assert_false(dir_supervises(d, 2, 7));
	assert_false(dir_supervises(d, 1, 9));
	assert_false(dir_supervises(d, 1, 8));
	assert_true(dir_in_group(d, 2, 7));
	assert_true(dir_in_group(d, 3, 9));
	assert_false(dir_in_group(d, 3, 7));
	assert_false(dir_in_group(d, 1, 7));
	assert_int_equal(dir_cat_group(d, 2), 7);
	assert_int_equal(dir_cat_group(d, 5), 0);
	strbuf_release(&path);
}

/*
 * The generations count up (migration 0014): one a rolled-back write
 * reached comes round again with the next commit. What the directory read
 * inside the rolled-back write must not be taken for what was committed.
 */
static void test_generation_of_undone_write_is_not_reused(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;
	struct strbuf path = STRBUF_INIT;
	const struct dir *d;

	for (int part = 0; part < 2; part++) {
		assert_int_equal(db_exec(db, "DELETE FROM categories", &err), 0);
		if (part) {
			assert_int_equal(db_batch_begin(db, &err), 0);
			assert_int_equal(db_batch_redo(db, &err), 0);   /* parts are savepoints */
		}
		assert_int_equal(db_begin(db, &err), 0);
		assert_int_equal(db_exec(db, "INSERT INTO categories (id, name, created_at, updated_at)"
					 " VALUES (1, '回滚', 0, 0)", &err), 0);
		assert_int_equal(dir_get(db, &d, &err), 0);
		strbuf_reset(&path);
		dir_cat_path(d, 1, &path);
		assert_string_equal(path.buf, "回滚");
		db_rollback(db);
		if (part)
			db_batch_rollback(db);
		assert_int_equal(db_exec(db, "INSERT INTO categories (id, name, created_at, updated_at)"
					 " VALUES (1, '提交', 0, 0)", &err), 0);
		assert_int_equal(dir_get(db, &d, &err), 0);
		strbuf_reset(&path);
		dir_cat_path(d, 1, &path);
		assert_string_equal(path.buf, "提交");
	}
	strbuf_release(&path);
}

/* A connection closed in the middle of a write lets go of the process's write lock. */
static void test_close_in_write(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *a, *b;

	(void)state;
	assert_int_equal(db_open(&a, ":memory:", &err), 0);
	assert_int_equal(db_begin(a, &err), 0);
	db_close(a);
	assert_int_equal(db_open(&b, ":memory:", &err), 0);
	assert_int_equal(db_batch_begin(b, &err), 0);   /* would wait for ever on the lock */
	assert_int_equal(db_begin(b, &err), 0);
	db_close(b);
	assert_int_equal(db_open(&a, ":memory:", &err), 0);
	assert_int_equal(db_begin(a, &err), 0);
	db_rollback(a);
	db_close(a);
}

/* The generation as a read transaction of connection a sees it. */
static int64_t read_gen(struct db *a)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t g;

	assert_int_equal(db_begin_read(a, &err), 0);
	g = db_cache_gen(a, "directory");
	assert_true(db_cache_gen(a, "directory") == g);
	db_rollback(a);
	return g;
}

/*
 * Read transactions keep the generations of the one before while nothing
 * was committed (PRAGMA data_version), and see a commit by another
 * connection, by this one, and by hand.
 */
static void test_generations_across_reads(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	char dir[64], path[96];
	struct db *a, *b;
	int64_t g0, g1, g2, g3;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/yw-gens-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	assert_int_equal(db_open(&a, path, &err), 0);
	assert_int_equal(db_migrate(a, NULL, &err), 0);
	assert_int_equal(db_open(&b, path, &err), 0);
	g0 = read_gen(a);
	assert_true(g0 != 0);
	assert_true(read_gen(a) == g0);
	assert_true(read_gen(a) == g0);
	/* another connection's commit */
	assert_int_equal(db_exec(b, "INSERT INTO categories (id, name, created_at, updated_at)"
				 " VALUES (1, '网络', 0, 0)", &err), 0);
	g1 = read_gen(a);
	assert_true(g1 != g0);
	assert_true(read_gen(a) == g1);
	/* this connection's own */
	assert_int_equal(db_exec(a, "UPDATE categories SET name = '网络设备' WHERE id = 1", &err), 0);
	g2 = read_gen(a);
	assert_true(g2 != g1);
	/* by hand, on the table itself */
	assert_int_equal(db_exec(b, "UPDATE cache_gen SET gen = gen + 1 WHERE name = 'directory'", &err), 0);
	g3 = read_gen(a);
	assert_true(g3 == g2 + 1);
	/* a commit of something else leaves the generation, and is read again */
	assert_int_equal(db_exec(b, "INSERT INTO search_pending (ticket_id) VALUES (5)", &err), 0);
	assert_true(read_gen(a) == g3);
	db_close(a);
	db_close(b);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-shm", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
}

/* db_exists: a row, no row, and a failure that is not taken for "no row" */
static void test_exists(void **state)
{
	struct db *db = *state;
	struct yw_err err = YW_ERR_INIT;
	bool found = true;

	assert_int_equal(db_exists(db, &found, &err, "SELECT 1 FROM users WHERE login = ?", "s", "nobody"), 0);
	assert_false(found);
	assert_int_equal(db_exists(db, &found, &err, "SELECT 1 FROM schema_migrations WHERE version = ?", "i",
				   (int64_t)1), 0);
	assert_true(found);
	found = true;
	assert_int_not_equal(db_exists(db, &found, &err, "SELECT 1 FROM no_such_table", ""), 0);
	assert_false(found);
	assert_true(err.msg[0] != '\0');
	yw_err_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_optimistic_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parts_keep_or_undo_themselves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_rollback_loses_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_commit_failure_loses_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_serial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generations_follow_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generation_of_undone_write_is_not_reused, setup, teardown),
		cmocka_unit_test(test_generations_across_reads),
		cmocka_unit_test_setup_teardown(test_exists, setup, teardown),
		cmocka_unit_test(test_close_in_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
