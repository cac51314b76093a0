/* test_core_utf8.c - strict UTF-8: overlongs, surrogates, truncation. */
#include "yw.h"
#include "utf8.h"
#include <setjmp.h>
#include <cmocka.h>

#define S(lit) lit, sizeof(lit) - 1

static const struct {
	const char *s;
	size_t len;
	int32_t cp;     /* first code point, -1 when invalid */
	size_t used;    /* bytes consumed */
} cases[] = {
	{ S("A"), 'A', 1 },
	{ S("\x7f"), 0x7f, 1 },
	{ S("\0"), 0, 1 },
	{ S("\xc2\x80"), 0x80, 2 },
	{ S("\xdf\xbf"), 0x7ff, 2 },
	{ S("\xe0\xa0\x80"), 0x800, 3 },
	{ S("运"), 0x8fd0, 3 },
	{ S("\xed\x9f\xbf"), 0xd7ff, 3 },        /* last before the surrogates */
	{ S("\xee\x80\x80"), 0xe000, 3 },        /* first after them */
	{ S("\xef\xbf\xbf"), 0xffff, 3 },
	{ S("\xf0\x90\x80\x80"), 0x10000, 4 },
	{ S("\xf0\x9f\x98\x80"), 0x1f600, 4 },   /* emoji */
	{ S("\xf4\x8f\xbf\xbf"), 0x10ffff, 4 },
	/* overlongs */
	{ S("\xc0\x80"), -1, 0 },
	{ S("\xc1\xbf"), -1, 0 },
	{ S("\xe0\x80\x80"), -1, 0 },
	{ S("\xe0\x9f\xbf"), -1, 0 },
	{ S("\xf0\x80\x80\x80"), -1, 0 },
	{ S("\xf0\x8f\xbf\xbf"), -1, 0 },
	/* surrogates, alone or as a CESU-8 pair */
	{ S("\xed\xa0\x80"), -1, 0 },
	{ S("\xed\xbf\xbf"), -1, 0 },
	{ S("\xed\xa0\xbd\xed\xb8\x80"), -1, 0 },
	/* above U+10FFFF and bytes that never start a sequence */
	{ S("\xf4\x90\x80\x80"), -1, 0 },
	{ S("\xf5\x80\x80\x80"), -1, 0 },
	{ S("\xf8\x88\x80\x80\x80"), -1, 0 },
	{ S("\xff"), -1, 0 },
	{ S("\xfe"), -1, 0 },
	{ S("\x80"), -1, 0 },                    /* lone continuation */
	{ S("\xbf"), -1, 0 },
	/* truncated sequences */
	{ S("\xc2"), -1, 0 },
	{ S("\xe8\xbf"), -1, 0 },
	{ S("\xf0\x9f\x98"), -1, 0 },
	/* a continuation byte replaced by ASCII */
	{ S("\xe8\x41\x90"), -1, 0 },
	{ S("\xc2\x41"), -1, 0 },
};

static void test_decode_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const unsigned char *p = (const unsigned char *)cases[i].s;
		const unsigned char *start = p;
		int32_t cp = utf8_decode(&p, p + cases[i].len);
		if (cp != cases[i].cp)
			fail_msg("case %zu: got %" PRId32 ", want %" PRId32, i, cp, cases[i].cp);
		assert_int_equal((size_t)(p - start), cases[i].used);
		bool whole = cases[i].cp >= 0 && cases[i].used == cases[i].len;
		if (utf8_valid(cases[i].s, cases[i].len) != whole)
			fail_msg("case %zu: utf8_valid disagrees", i);
	}
}

static void test_decode_respects_end(void **state)
{
	/* a valid sequence cut by end must not be read past end */
	const unsigned char *s = (const unsigned char *)"运维";
	for (size_t cut = 0; cut < 3; cut++) {
		const unsigned char *p = s;
		assert_int_equal(utf8_decode(&p, s + cut), -1);
		assert_ptr_equal(p, s);
	}
	assert_false(utf8_valid("运维", 5));
	assert_true(utf8_valid("运维", 6));
	assert_true(utf8_valid("", 0));
}

static void test_len_counts_code_points(void **state)
{
	assert_int_equal(utf8_len(S("")), 0);
	assert_int_equal(utf8_len(S("abc")), 3);
	assert_int_equal(utf8_len(S("服务器宕机了")), 6);
	assert_int_equal(utf8_len(S("Disk磁盘full")), 10);
	assert_int_equal(utf8_len(S("\xf0\x9f\x98\x80!")), 2);
}

static void test_is_cjk(void **state)
{
	assert_true(utf8_is_cjk(0x4e00));   /* 一 */
	assert_true(utf8_is_cjk(0x9fa5));
	assert_true(utf8_is_cjk(0x5b95));   /* 宕 */
	assert_true(utf8_is_cjk(0x3042));   /* あ */
	assert_true(utf8_is_cjk(0xac00));   /* 가 */
	assert_true(utf8_is_cjk(0x20000));
	assert_false(utf8_is_cjk('A'));
	assert_false(utf8_is_cjk(0x3002));  /* 。 */
	assert_false(utf8_is_cjk(0xff0c));  /* ， */
	assert_false(utf8_is_cjk(0x1f600));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_decode_respects_end),
		cmocka_unit_test(test_len_counts_code_points),
		cmocka_unit_test(test_is_cjk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
