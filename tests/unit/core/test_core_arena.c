/* test_core_arena.c - alignment, the cap, big allocations and arena_free. */
#include "yw.h"
#include "arena.h"
#include <setjmp.h>
#include <cmocka.h>

static void test_alignment(void **state)
{
	struct arena a = ARENA_INIT(0);

	for (size_t n = 0; n < 200; n++) {
		unsigned char *p = arena_alloc(&a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		memset(p, 0xab, n);  /* ASan checks the whole span is ours */
	}
	/* a block-sized and a bigger-than-block allocation */
	unsigned char *big = arena_alloc(&a, 8192);
	assert_non_null(big);
	assert_int_equal((uintptr_t)big % 16, 0);
	memset(big, 1, 8192);
	big = arena_alloc(&a, 100000);
	assert_non_null(big);
	assert_int_equal((uintptr_t)big % 16, 0);
	memset(big, 2, 100000);
	/* and the arena keeps handing out small pieces after that */
	void *p = arena_alloc(&a, 3);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 16, 0);
	arena_free(&a);
	assert_null(a.head);
	assert_int_equal(a.used, 0);
}

static void test_distinct_allocations(void **state)
{
	struct arena a = ARENA_INIT(0);
	char *p[100];

	for (int i = 0; i < 100; i++) {
		p[i] = arena_printf(&a, "entry-%d-工单", i);
		assert_non_null(p[i]);
	}
	for (int i = 0; i < 100; i++) {
		char want[32];
		snprintf(want, sizeof(want), "entry-%d-工单", i);
		assert_string_equal(p[i], want);
	}
	char *d = arena_strndup(&a, "abcdef", 3);
	assert_string_equal(d, "abc");
	assert_string_equal(arena_strdup(&a, ""), "");
	arena_free(&a);
}

static void test_cap_returns_null(void **state)
{
	struct arena a = ARENA_INIT(1024);

	assert_non_null(arena_alloc(&a, 1000));
	assert_int_equal(a.used, 1008);
	assert_null(arena_alloc(&a, 17));      /* 1008 + 32 > 1024 */
	assert_non_null(arena_alloc(&a, 16));  /* exactly up to the cap is fine */
	assert_int_equal(a.used, 1024);
	assert_null(arena_alloc(&a, 1));
	assert_null(arena_strdup(&a, "x"));
	assert_null(arena_printf(&a, "%s", "x"));
	arena_free(&a);
	/* after free the budget is back */
	assert_non_null(arena_alloc(&a, 1024));
	arena_free(&a);
}

static void test_huge_sizes_fail_cleanly(void **state)
{
	struct arena a = ARENA_INIT(4096);
	struct arena b = ARENA_INIT(0);

	assert_non_null(arena_alloc(&a, 64));
	/* sizes that would wrap around must not pass the cap check */
	assert_null(arena_alloc(&a, SIZE_MAX));
	assert_null(arena_alloc(&a, SIZE_MAX - 15));
	assert_null(arena_alloc(&a, SIZE_MAX - 40));
	assert_null(arena_alloc(&a, SIZE_MAX / 2));
	/* without a cap a size whose block header would overflow is refused too */
	assert_null(arena_alloc(&b, SIZE_MAX - 15));
	assert_null(arena_alloc(&b, SIZE_MAX - 20));
	assert_int_equal(a.used, 64);
	arena_free(&a);
	arena_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_distinct_allocations),
		cmocka_unit_test(test_cap_returns_null),
		cmocka_unit_test(test_huge_sizes_fail_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
