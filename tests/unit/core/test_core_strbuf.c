/* test_core_strbuf.c - the strbuf invariants: never NULL, always NUL-terminated. */
#include "yw.h"
#include "strbuf.h"
#include <setjmp.h>
#include <cmocka.h>

static void assert_invariants(const struct strbuf *sb)
{
	assert_non_null(sb->buf);
	assert_int_equal(sb->buf[sb->len], '\0');
	if (sb->alloc)
		assert_true(sb->len < sb->alloc);
	else
		assert_int_equal(sb->len, 0);
}

static void test_init_is_empty_string(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	assert_invariants(&sb);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.alloc, 0);
	strbuf_reset(&sb);          /* reset of an unallocated buffer is fine */
	assert_invariants(&sb);
	strbuf_release(&sb);
	assert_invariants(&sb);

	strbuf_init(&sb, 100);
	assert_invariants(&sb);
	assert_true(sb.alloc >= 101);
	assert_string_equal(sb.buf, "");
	strbuf_release(&sb);
	assert_true(sb.buf == strbuf_slopbuf);
}

static void test_add_and_setlen(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "运维");
	assert_invariants(&sb);
	assert_int_equal(sb.len, 6);
	strbuf_add(&sb, "abc\0def", 7);  /* embedded NUL counts in len */
	assert_invariants(&sb);
	assert_int_equal(sb.len, 13);
	assert_memory_equal(sb.buf + 6, "abc\0def", 7);
	strbuf_addch(&sb, 'x');
	assert_int_equal(sb.len, 14);
	assert_invariants(&sb);
	strbuf_setlen(&sb, 6);
	assert_string_equal(sb.buf, "运维");
	strbuf_reset(&sb);
	assert_string_equal(sb.buf, "");
	assert_true(sb.alloc > 0);  /* reset keeps the memory */
	strbuf_release(&sb);
}

static void test_addf_grows(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char big[5000];

	strbuf_addf(&sb, "%d-%s", 42, "x");
	assert_string_equal(sb.buf, "42-x");
	assert_invariants(&sb);

	/* longer than the 64 bytes addf reserves first: must take the second pass */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_addf(&sb, "[%s]", big);
	assert_invariants(&sb);
	assert_int_equal(sb.len, 4 + 2 + sizeof(big) - 1);
	assert_int_equal(sb.buf[4], '[');
	assert_int_equal(sb.buf[sb.len - 1], ']');
	assert_int_equal(sb.buf[sb.len - 2], 'a');

	/* many small appends: every step keeps the invariants */
	strbuf_reset(&sb);
	for (int i = 0; i < 1000; i++) {
		strbuf_addf(&sb, "%d,", i % 10);
		assert_invariants(&sb);
	}
	assert_int_equal(sb.len, 2000);
	assert_memory_equal(sb.buf, "0,1,2,", 6);

	/* exactly filling the reserve boundary */
	for (size_t n = 60; n < 70; n++) {
		strbuf_reset(&sb);
		strbuf_release(&sb);
		strbuf_addf(&sb, "%0*d", (int)n, 7);
		assert_int_equal(sb.len, n);
		assert_int_equal(sb.buf[n - 1], '7');
		assert_invariants(&sb);
	}
	strbuf_release(&sb);
}

static void test_detach(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t len = 99;
	char *s;

	/* detaching an empty, never-allocated buffer still returns heap memory */
	s = strbuf_detach(&sb, &len);
	assert_non_null(s);
	assert_true(s != strbuf_slopbuf);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);

	strbuf_addstr(&sb, "磁盘满了");
	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "磁盘满了");
	assert_int_equal(len, strlen("磁盘满了"));
	/* sb is usable and empty again */
	assert_invariants(&sb);
	assert_int_equal(sb.len, 0);
	assert_true(sb.buf == strbuf_slopbuf);
	strbuf_addstr(&sb, "again");
	assert_string_equal(sb.buf, "again");
	free(s);
	s = strbuf_detach(&sb, NULL);
	assert_string_equal(s, "again");
	free(s);
}

static void test_addurl(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addurl(&sb, "a b/c?d=e&f~_.-");
	assert_string_equal(sb.buf, "a%20b%2Fc%3Fd%3De%26f~_.-");
	strbuf_reset(&sb);
	strbuf_addurl(&sb, "宕机");
	assert_string_equal(sb.buf, "%E5%AE%95%E6%9C%BA");
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_is_empty_string),
		cmocka_unit_test(test_add_and_setlen),
		cmocka_unit_test(test_addf_grows),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_addurl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
