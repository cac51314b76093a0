/*
 * test_store_sqlmem.c - SQLite's allocator (store/sqlmem.c), through
 * SQLite's own entry points once a database has been opened: every size
 * class and past them, realloc within and across classes, blocks freed
 * by another thread and reused, and the sizes SQLite is told.
 */
#include "core/yw.h"
#include "store/db.h"
#include <pthread.h>
#include <sqlite3.h>
#include <setjmp.h>
#include <cmocka.h>

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static bool filled(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return false;
	return true;
}

static void open_once(void)
{
	struct yw_err err = YW_ERR_INIT;
	struct db *db;

	assert_int_equal(db_open(&db, ":memory:", &err), 0);   /* installs the allocator */
	db_close(db);
}

static void test_sizes_and_realloc(void **state)
{
	static const int sizes[] = { 1, 8, 15, 16, 17, 31, 48, 100, 112, 113, 500, 1000, 2032, 2033,
				     4000, 4080, 4081, 5000, 70000 };
	void *p[ARRAY_SIZE(sizes)];

	(void)state;
	open_once();
	for (int round = 0; round < 3; round++) {   /* the later rounds reuse cached blocks */
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			p[i] = sqlite3_malloc(sizes[i]);
			assert_non_null(p[i]);
			assert_true(sqlite3_msize(p[i]) >= (sqlite3_uint64)sizes[i]);
			assert_int_equal((uintptr_t)p[i] % 8, 0);
			fill(p[i], (size_t)sizes[i], (unsigned)i);
		}
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
			assert_true(filled(p[i], (size_t)sizes[i], (unsigned)i));
		/* grow each across classes and shrink it back: the contents move with it */
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
			int n = sizes[i];
			p[i] = sqlite3_realloc(p[i], n * 3 + 50);
			assert_non_null(p[i]);
			assert_true(filled(p[i], (size_t)n, (unsigned)i));
			p[i] = sqlite3_realloc(p[i], n);
			assert_non_null(p[i]);
			assert_true(filled(p[i], (size_t)n, (unsigned)i));
		}
		for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
			sqlite3_free(p[i]);
	}
	sqlite3_free(NULL);
	assert_null(sqlite3_malloc(0));
}

#define NBLOCKS 500

static void *free_all(void *arg)
{
	void **blocks = arg;

	for (int i = 0; i < NBLOCKS; i++)
		sqlite3_free(blocks[i]);
	/* and take some back on this thread, past what its lists hold */
	for (int i = 0; i < NBLOCKS; i++) {
		blocks[i] = sqlite3_malloc(64 + i % 900);
		fill(blocks[i], (size_t)(64 + i % 900), (unsigned)i);
	}
	return NULL;
}

/* Blocks allocated on one thread, freed on another and reused there, then freed here. */
static void test_blocks_cross_threads(void **state)
{
	void *blocks[NBLOCKS];
	pthread_t t;

	(void)state;
	open_once();
	for (int i = 0; i < NBLOCKS; i++)
		blocks[i] = sqlite3_malloc(64 + i % 900);
	assert_int_equal(pthread_create(&t, NULL, free_all, blocks), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	for (int i = 0; i < NBLOCKS; i++) {
		assert_true(filled(blocks[i], (size_t)(64 + i % 900), (unsigned)i));
		sqlite3_free(blocks[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_and_realloc),
		cmocka_unit_test(test_blocks_cross_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
