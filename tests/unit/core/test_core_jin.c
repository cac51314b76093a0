/*
 * test_core_jin.c - the request-body decoder (core/jin.h): it accepts
 * what json_loadb(JSON_REJECT_DUPLICATES) accepts and builds the same
 * tree. Each case says what both must do, so that a change of either
 * shows; fuzz/fuzz_jin.c compares the two on arbitrary bytes.
 */
#include "core/yw.h"
#include "core/jin.h"
#include "core/strbuf.h"
#include <setjmp.h>
#include <cmocka.h>

/* Decodes len bytes with both; both accept or both refuse, with equal trees. Returns accepted. */
static bool same(const char *text, size_t len)
{
	struct jin_error e = { 0 };
	json_error_t jerr;
	json_t *got = jin_load(text, len, &e);
	json_t *want = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	bool ok = got != NULL;

	if (!got != !want)
		fail_msg("%.*s: jin %s, jansson %s (%s)", (int)len, text, got ? "accepts" : "refuses: ",
			 want ? "accepts" : "refuses", got ? jerr.text : e.text);
	if (got) {
		char *a = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
		char *b = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);
		assert_true(json_equal(got, want));
		assert_string_equal(a, b);
		free(a);
		free(b);
	} else {
		assert_true(e.text[0] != '\0');
		assert_true(e.line >= 1 && e.column >= 1 && e.position <= len);
	}
	json_decref(got);
	json_decref(want);
	return ok;
}

static bool same_str(const char *text)
{
	return same(text, strlen(text));
}

static void test_accepts_what_jansson_accepts(void **state)
{
	static const char *const good[] = {
		"{}", "[]", " \t\r\n{ } \n", "[1,2,3]", "{\"a\":1,\"b\":\"x\",\"c\":null}",
		"{\"title\":\"核心交换机端口down\",\"impact\":2,\"urgency\":2,\"internal\":false}",
		"[0,-0,1,-1,9223372036854775807,-9223372036854775808]",
		"[0.5,-0.0,1e3,1E3,1e+3,1e-3,2.5E-3,1e308,1e-400,123456789012345678901234567890.0]",
		"[true,false,null]", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", "[\"\\u00e9\\u4e2d\\uD83D\\uDE00\"]",
		"[\"é中😀\"]", "[\"\x7f\"]", "{\"\":1}", "{\"a\":{\"a\":{\"a\":[]}}}", "[[[[[]]]]]",
		"{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"j\":10}",
		"[\"a long string of plain ASCII text, well past eight bytes, with an escape\\n here\"]",
		"{\"description\":\"line one\\nline two\\t制表\",\"k\\u00e9y\":\"v\"}",
	};
	static const char *const bad[] = {
		"", " ", "1", "\"x\"", "true", "null", "{", "[", "}", "]", "{]", "[}", "[1,]", "{\"a\":1,}",
		"{\"a\"}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[01]", "[-01]", "[1.]", "[.5]", "[1e]", "[1e+]",
		"[-]", "[+1]", "[1.5.3]", "[0x10]", "[NaN]", "[Infinity]", "[tru]", "[truex]", "[true1]",
		"[nul]", "[falsy]", "[1 2]", "{} {}", "{}x", "[\"a]", "[\"\\x\"]", "[\"\\u12\"]",
		"[\"\\u12G4\"]", "[\"\\u0000\"]", "{\"\\u0000\":1}", "[\"\\uD83D\"]", "[\"\\uD83Dx\"]",
		"[\"\\uD83D\\u0041\"]", "[\"\\uDE00\"]", "[\"tab\there\"]", "[\"new\nline\"]",
		"[9223372036854775808]", "[-9223372036854775809]", "[1e309]", "[-1e309]",
		"{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}", "[\"\xc3\"]", "[\"\xc0\xaf\"]",
		"[\"\xed\xa0\x80\"]", "[\"\xf4\x90\x80\x80\"]", "[\"\xff\"]", "[\"\x80\"]",
		"\xef\xbb\xbf{}", "[1,,2]", "[,1]", "{,}", "{\"a\":}", "[\"a\" \"b\"]",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		if (!same_str(good[i]))
			fail_msg("refused: %s", good[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (same_str(bad[i]))
			fail_msg("accepted: %s", bad[i]);
	/* NUL bytes: in a string, between tokens, after the value */
	assert_false(same("[\"a\0b\"]", 7));
	assert_false(same("[1,\0 2]", 7));
	assert_false(same("{}\0", 3));
	/* the one difference (jin.h): jansson drops a NUL after a number or a literal */
	{
		static const struct {
			const char *text;
			size_t len, at;
		} nul[] = { { "[1\0,2]", 6, 2 }, { "[true\0]", 7, 5 }, { "{\"a\":1.5\0}", 10, 8 } };
		for (size_t i = 0; i < ARRAY_SIZE(nul); i++) {
			struct jin_error e;
			json_error_t jerr;
			json_t *j = json_loadb(nul[i].text, nul[i].len, JSON_REJECT_DUPLICATES, &jerr);
			assert_non_null(j);
			json_decref(j);
			assert_null(jin_load(nul[i].text, nul[i].len, &e));
			assert_int_equal(e.position, nul[i].at);
		}
	}
}

/* Values nested n deep: n - 1 arrays around a number. */
static bool nested(int n, char open, char close)
{
	struct strbuf sb = STRBUF_INIT;
	bool ok;

	for (int i = 0; i < n - 1; i++) {
		strbuf_addch(&sb, open);
		if (open == '{')
			strbuf_addstr(&sb, "\"k\":");
	}
	strbuf_addch(&sb, '7');
	for (int i = 0; i < n - 1; i++)
		strbuf_addch(&sb, close);
	ok = same(sb.buf, sb.len);
	strbuf_release(&sb);
	return ok;
}

static void test_depth_as_jansson(void **state)
{
	(void)state;
	assert_true(nested(JIN_MAX_DEPTH, '[', ']'));
	assert_false(nested(JIN_MAX_DEPTH + 1, '[', ']'));
	assert_true(nested(JIN_MAX_DEPTH, '{', '}'));
	assert_false(nested(JIN_MAX_DEPTH + 1, '{', '}'));
	/* a megabyte of '[' fails quickly and without deep recursion */
	{
		size_t n = 1 << 20;
		char *b = yw_malloc(n);
		memset(b, '[', n);
		assert_false(same(b, n));
		free(b);
	}
}

/* Where the error is: line and column from 1, the column in characters. */
static void test_error_position(void **state)
{
	struct jin_error e;

	(void)state;
	assert_null(jin_load("{\"a\":1,\n \"标题\":x}", strlen("{\"a\":1,\n \"标题\":x}"), &e));
	assert_int_equal(e.line, 2);
	assert_int_equal(e.column, 7);
	assert_int_equal(e.position, strlen("{\"a\":1,\n \"标题\":"));
	assert_string_equal(e.text, "invalid token");
	assert_null(jin_load("{\"a\":1,\"a\":2}", 13, &e));
	assert_string_equal(e.text, "a key twice in one object");
	assert_int_equal(e.column, 8);
	assert_null(jin_load("", 0, &e));
	assert_int_equal(e.line, 1);
	assert_int_equal(e.column, 1);
}

/* Every string length around the eight-byte scan, with a stop at every place. */
static void test_string_scan(void **state)
{
	char buf[64];

	(void)state;
	for (int len = 0; len < 20; len++)
		for (int at = -1; at < len; at++)
			for (int kind = 0; kind < 4; kind++) {
				static const char *const stops[] = { "\\n", "\\\"", "é", "\t" };
				int n = 0;
				buf[n++] = '[';
				buf[n++] = '"';
				for (int i = 0; i < len; i++) {
					if (i == at) {
						memcpy(buf + n, stops[kind], strlen(stops[kind]));
						n += (int)strlen(stops[kind]);
					} else {
						buf[n++] = (char)('a' + i);
					}
				}
				buf[n++] = '"';
				buf[n++] = ']';
				same(buf, (size_t)n);
				/* cut short anywhere: refused by both */
				for (int cut = 0; cut < n - 1; cut++)
					assert_false(same(buf, (size_t)cut));
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_what_jansson_accepts),
		cmocka_unit_test(test_depth_as_jansson),
		cmocka_unit_test(test_error_position),
		cmocka_unit_test(test_string_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
