/*
 * test_core_jout.c - jout_dump writes what jansson's compact dump writes,
 * byte for byte: fixed cases for every type and escape, a few outputs
 * pinned as literals, and 2000 random trees from a seeded PRNG. jw (the
 * writer without a tree) writes the same text as jout_dump for the same
 * values: fixed cases and the random trees again.
 */
#include "yw.h"
#include "jout.h"
#include "jw.h"
#include "ytime.h"
#include <float.h>
#include <signal.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <cmocka.h>

#define S(lit) lit, sizeof(lit) - 1

/* jansson's text for j: JSON_ENCODE_ANY so that scalars encode too */
static char *jansson_text(const json_t *j)
{
	char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

	assert_non_null(want);
	/* http_json's flags give the same text for containers */
	if (json_is_object(j) || json_is_array(j)) {
		char *plain = json_dumps(j, JSON_COMPACT);
		assert_non_null(plain);
		assert_string_equal(plain, want);
		free(plain);
	}
	return want;
}

/* jout_dump appends: check it after a prefix, and the NUL after the text */
static void check_same(const json_t *j)
{
	struct strbuf got = STRBUF_INIT;
	char *want = jansson_text(j);
	size_t n = strlen(want);

	strbuf_addstr(&got, "<<");
	jout_dump(j, &got);
	assert_int_equal(got.len, n + 2);
	assert_memory_equal(got.buf, "<<", 2);
	assert_memory_equal(got.buf + 2, want, n);
	assert_int_equal(got.buf[got.len], '\0');

	/* and into an untouched strbuf */
	strbuf_release(&got);
	jout_dump(j, &got);
	assert_string_equal(got.buf, want);
	strbuf_release(&got);
	free(want);
}

/* both encoders give exactly lit */
static void check_text(json_t *j, const char *lit)
{
	struct strbuf got = STRBUF_INIT;

	assert_non_null(j);
	check_same(j);
	jout_dump(j, &got);
	assert_string_equal(got.buf, lit);
	strbuf_release(&got);
	json_decref(j);
}

static void test_scalars(void **state)
{
	check_text(json_null(), "null");
	check_text(json_true(), "true");
	check_text(json_false(), "false");
	check_text(json_integer(0), "0");
	check_text(json_integer(-1), "-1");
	check_text(json_integer(INT64_MAX), "9223372036854775807");
	check_text(json_integer(INT64_MIN), "-9223372036854775808");
	check_text(json_string(""), "\"\"");
	check_text(json_string("运维"), "\"运维\"");
	check_text(json_object(), "{}");
	check_text(json_array(), "[]");
}

static void test_integers(void **state)
{
	static const json_int_t v[] = {
		1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345, 99999, 100000,
		2147483647, 2147483648LL, 4294967295LL, 4294967296LL,
		999999999999999999LL, 1000000000000000000LL,
		INT64_MAX - 1, INT64_MIN + 1, 1764064800,
	};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		json_t *j = json_integer(v[i]);
		check_same(j);
		json_decref(j);
		j = json_integer(-v[i]);
		check_same(j);
		json_decref(j);
	}
	/* every power of ten and its neighbours */
	for (json_int_t p = 1; p <= INT64_MAX / 10; p *= 10) {
		for (json_int_t d = -1; d <= 1; d++) {
			json_t *j = json_integer(p + d);
			check_same(j);
			json_decref(j);
			j = json_integer(-(p + d));
			check_same(j);
			json_decref(j);
		}
	}
}

static void test_reals(void **state)
{
	static const double v[] = {
		0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 100.0, 0.1, 0.3, 1.0 / 3.0, 3.141592653589793,
		1e17, 1e-7, 1e300, -1e300, 1e-300, 5e-324, DBL_MIN, DBL_MAX, -DBL_MAX,
		123456789012345678.0, 2.5e-5,
	};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		json_t *j = json_real(v[i]);
		assert_non_null(j);
		check_same(j);
		json_decref(j);
	}
}

/* literal expectations, so that both encoders are held to the documented text */
static const struct {
	const char *in;
	size_t len;
	const char *out;
} strings[] = {
	{ S("plain"), "\"plain\"" },
	{ S("a\"b"), "\"a\\\"b\"" },
	{ S("a\\b"), "\"a\\\\b\"" },
	{ S("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"" },
	{ S("\x01"), "\"\\u0001\"" },
	{ S("\x0b"), "\"\\u000B\"" },
	{ S("\x1f"), "\"\\u001F\"" },
	{ S("x\0y"), "\"x\\u0000y\"" },
	{ S("\0"), "\"\\u0000\"" },
	{ S("a/b</script>"), "\"a/b</script>\"" },             /* '/' is not escaped */
	{ S("\x7f"), "\"\x7f\"" },                              /* nor DEL */
	{ S("\xe2\x80\xa8\xe2\x80\xa9"), "\"\xe2\x80\xa8\xe2\x80\xa9\"" },   /* nor U+2028/9 */
	{ S("\xc2\x80\xc3\xa9"), "\"\xc2\x80\xc3\xa9\"" },
	{ S("服务台：磁盘满了"), "\"服务台：磁盘满了\"" },
	{ S("\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"), "\"\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"" },
	{ S("\"\\\"\\"), "\"\\\"\\\\\\\"\\\\\"" },
	{ S("end\n"), "\"end\\n\"" },
	{ S("\n"), "\"\\n\"" },
};

static void test_strings(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(strings); i++)
		check_text(json_stringn(strings[i].in, strings[i].len), strings[i].out);
}

/* every byte value below 0x80 (and so every control character), alone and in one string */
static void test_all_ascii(void **state)
{
	char all[128];

	for (int c = 0; c < 128; c++) {
		char one[3] = { 'a', (char)c, 'z' };
		json_t *j = json_stringn(one, sizeof(one));
		check_same(j);
		json_decref(j);
		j = json_stringn(one + 1, 1);
		check_same(j);
		json_decref(j);
		all[c] = (char)c;
	}
	json_t *j = json_stringn(all, sizeof(all));
	check_same(j);
	json_decref(j);
}

/* a long string with escapes spread through it, so runs cross buffer growth */
static void test_long_string(void **state)
{
	struct strbuf s = STRBUF_INIT;

	for (int i = 0; i < 5000; i++) {
		strbuf_addstr(&s, "运维工单");
		if (i % 7 == 0)
			strbuf_addch(&s, '"');
		if (i % 11 == 0)
			strbuf_add(&s, "\0\x1e", 2);
		if (i % 13 == 0)
			strbuf_addstr(&s, "\r\n");
	}
	json_t *j = json_stringn(s.buf, s.len);
	assert_non_null(j);
	check_same(j);
	json_decref(j);
	strbuf_release(&s);
}

/*
 * jout scans 8 bytes at a time: put every byte next to an escape (and
 * the neighbours of the ones that must be escaped) at every offset of
 * strings that span a few words, on ASCII and on CJK.
 */
static void test_escape_positions(void **state)
{
	static const char probe[] = { 0, 1, 0x1f, 0x20, 0x21, '"', 0x23, '[', '\\', ']', 0x5b, 0x7f };
	struct strbuf s = STRBUF_INIT;

	for (size_t len = 1; len <= 20; len++) {
		for (size_t pos = 0; pos < len; pos++) {
			for (size_t k = 0; k < ARRAY_SIZE(probe); k++) {
				for (int cjk = 0; cjk < 2; cjk++) {
					strbuf_reset(&s);
					for (size_t i = 0; i < len; i++) {
						if (i == pos || (i == pos + 3 && k % 2))
							strbuf_addch(&s, probe[k]);
						else if (cjk)
							strbuf_addstr(&s, "维");
						else
							strbuf_addch(&s, 'a' + (int)(i % 26));
					}
					json_t *j = json_stringn(s.buf, s.len);
					assert_non_null(j);
					check_same(j);
					json_decref(j);
				}
			}
		}
	}
	strbuf_release(&s);
}

static void test_keys(void **state)
{
	json_t *o = json_object();

	json_object_set_new(o, "", json_integer(1));
	json_object_set_new(o, "a\"b", json_integer(2));
	json_object_set_new(o, "line\nbreak", json_integer(3));
	json_object_set_new(o, "工单", json_integer(4));
	json_object_setn_new(o, "nul\0key", 7, json_integer(5));
	json_object_set_new(o, "\x01\x1f\\", json_null());
	check_same(o);
	json_decref(o);
}

/* members come out in insertion order, also after a delete and re-insert */
static void test_member_order(void **state)
{
	json_t *o = json_object();

	json_object_set_new(o, "zeta", json_integer(1));
	json_object_set_new(o, "alpha", json_integer(2));
	json_object_set_new(o, "mid", json_integer(3));
	json_object_set_new(o, "beta", json_integer(4));
	check_text(json_incref(o), "{\"zeta\":1,\"alpha\":2,\"mid\":3,\"beta\":4}");
	json_object_del(o, "alpha");
	json_object_set_new(o, "alpha", json_integer(5));
	json_object_set_new(o, "zeta", json_integer(6));   /* replacing keeps the place */
	check_text(json_incref(o), "{\"zeta\":6,\"mid\":3,\"beta\":4,\"alpha\":5}");
	json_decref(o);

	/* many members: jansson's hashtable grows and rehashes */
	o = json_object();
	for (int i = 0; i < 1000; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", (i * 7919) % 1000);
		json_object_set_new(o, key, json_integer(i));
	}
	check_same(o);
	json_decref(o);
}

static void test_nesting(void **state)
{
	json_t *j = json_pack("{s:[], s:{}, s:[[],[{}],{s:[i,i,{s:n}]}], s:[b,b,n,f,s]}",
			      "a", "o", "deep", "k", 1, 2, "m", "mixed", 1, 0, 1.5, "x");
	assert_non_null(j);
	check_same(j);
	json_decref(j);

	/* a ticket as the API sends it */
	j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:i, s:o, s:{s:i, s:s, s:s}, s:[s,s], s:b, s:n}",
		      "id", (json_int_t)1024, "number", "INC-20261125-0001", "title", "服务器磁盘满了 /var",
		      "status", "in_progress", "created_at", "2026-11-25T10:00:00Z", "version", 3,
		      "due_at", json_null(), "assignee", "id", 7, "login", "wang.wei", "name", "王伟",
		      "allowed", "resolve", "comment", "internal", 0, "fault_level");
	assert_non_null(j);
	check_same(j);
	json_decref(j);
}

static json_t *nest(int depth)
{
	json_t *j = json_array();

	for (int i = 1; i < depth; i++) {
		json_t *outer = i % 2 ? json_array() : json_object();
		if (json_is_array(outer))
			json_array_append_new(outer, j);
		else
			json_object_set_new(outer, "k", j);
		j = outer;
	}
	return j;
}

/* the deepest tree jansson's parser makes encodes, one level more is a bug */
static void test_depth(void **state)
{
	json_t *j = nest(JOUT_MAX_DEPTH);
	check_same(j);
	json_decref(j);

	struct strbuf text = STRBUF_INIT;
	for (int i = 0; i < JOUT_MAX_DEPTH; i++)
		strbuf_addch(&text, '[');
	for (int i = 0; i < JOUT_MAX_DEPTH; i++)
		strbuf_addch(&text, ']');
	json_error_t err;
	j = json_loadb(text.buf, text.len, 0, &err);
	assert_non_null(j);
	check_same(j);
	json_decref(j);
	strbuf_release(&text);

	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct strbuf out = STRBUF_INIT;
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		jout_dump(nest(JOUT_MAX_DEPTH + 1), &out);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

/* a cycle is a bug we never make: jout stops at the depth limit instead of looping */
static void test_cycle_aborts(void **state)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct strbuf out = STRBUF_INIT;
		json_t *a = json_array(), *o = json_object();
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		json_array_append(a, o);
		json_object_set(o, "a", a);   /* jansson refuses o into itself, not this */
		jout_dump(a, &out);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

/* xorshift64*: a fixed seed makes every run build the same trees */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static void add_utf8(struct strbuf *sb, uint32_t cp)
{
	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		strbuf_addch(sb, (int)(0xc0 | cp >> 6));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addch(sb, (int)(0xe0 | cp >> 12));
		strbuf_addch(sb, (int)(0x80 | (cp >> 6 & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addch(sb, (int)(0xf0 | cp >> 18));
		strbuf_addch(sb, (int)(0x80 | (cp >> 12 & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp >> 6 & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	}
}

/* a code point of each kind we care about, often an escaped one */
static uint32_t rnd_cp(void)
{
	static const uint32_t special[] = { 0, '"', '\\', '/', '\b', '\f', '\n', '\r', '\t', 0x7f,
					    0x1f, 0x2028, 0x2029, 0xfeff, 0xfffd, 0x10ffff };
	uint32_t cp;

	switch (below(8)) {
	case 0:
		return special[below(ARRAY_SIZE(special))];
	case 1:
		return below(0x20);
	case 2:
		return 0x80 + below(0x800 - 0x80);
	case 3:
		return 0x4e00 + below(0x9fff - 0x4e00);    /* CJK */
	case 4:
		cp = 0x800 + below(0x10000 - 0x800);
		return cp >= 0xd800 && cp <= 0xdfff ? 0xe000 : cp;
	case 5:
		return 0x10000 + below(0x110000 - 0x10000);
	default:
		return 0x20 + below(0x60);
	}
}

static void rnd_str(struct strbuf *sb)
{
	unsigned n = below(4) ? below(12) : below(300);

	strbuf_reset(sb);
	for (unsigned i = 0; i < n; i++)
		add_utf8(sb, rnd_cp());
}

static json_t *rnd_value(int depth)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j = NULL;
	unsigned kind = depth >= 5 ? 2 + below(7) : below(9);

	switch (kind) {
	case 0:
	case 1: {
		unsigned n = below(6);
		j = kind ? json_array() : json_object();
		for (unsigned i = 0; i < n; i++) {
			json_t *v = rnd_value(depth + 1);
			if (kind) {
				json_array_append_new(j, v);
			} else {
				rnd_str(&sb);
				assert_int_equal(json_object_setn_new(j, sb.buf, sb.len, v), 0);
			}
		}
		break;
	}
	case 2:
	case 3:
		rnd_str(&sb);
		j = json_stringn(sb.buf, sb.len);
		break;
	case 4: {
		/* magnitudes of every size, both signs */
		uint64_t u = rnd() >> below(64);
		j = json_integer(below(2) ? (json_int_t)u : -(json_int_t)(u >> 1));
		break;
	}
	case 5: {
		double d;
		do {
			uint64_t bits = rnd();
			memcpy(&d, &bits, sizeof(d));
		} while (d != d || d - d != 0);   /* jansson refuses NaN and infinities */
		j = json_real(below(2) ? d : (double)(int)below(100000) / 8);
		break;
	}
	case 6:
		j = json_null();
		break;
	case 7:
		j = json_true();
		break;
	default:
		j = json_false();
		break;
	}
	strbuf_release(&sb);
	assert_non_null(j);
	return j;
}

static void test_random_trees(void **state)
{
	for (int i = 0; i < 2000; i++) {
		json_t *j = rnd_value(0);
		check_same(j);
		json_decref(j);
	}
}

/* Writes j with jw, value by value: reals go through jw_json. */
static void jw_walk(struct jw *w, const json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	switch (json_typeof(j)) {
	case JSON_OBJECT:
		jw_obj(w);
		json_object_foreach((json_t *)j, key, v) {
			jw_key_n(w, key, strlen(key));
			jw_walk(w, v);
		}
		jw_end_obj(w);
		break;
	case JSON_ARRAY:
		jw_arr(w);
		json_array_foreach(j, i, v)
			jw_walk(w, v);
		jw_end_arr(w);
		break;
	case JSON_STRING:
		jw_str(w, json_string_value(j));
		break;
	case JSON_INTEGER:
		jw_int(w, json_integer_value(j));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		jw_bool(w, json_is_true(j));
		break;
	case JSON_NULL:
		jw_null(w);
		break;
	default:
		jw_json(w, j);
		break;
	}
}

static void test_jw_fixed(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct jw w;
	char iso[32];

	(void)state;
	strbuf_addstr(&sb, "<<");
	jw_init(&w, &sb);
	jw_obj(&w);
	jw_key(&w, "id");
	jw_int(&w, INT64_MIN);
	jw_key(&w, "none");
	jw_id(&w, 0);
	jw_key(&w, "some");
	jw_id(&w, 42);
	jw_key(&w, "s");
	jw_str(&w, "宕机 \"q\"\n\x01/");
	jw_key(&w, "null");
	jw_str(&w, NULL);
	jw_key(&w, "empty");
	jw_arr(&w);
	jw_end_arr(&w);
	jw_key(&w, "nested");
	jw_arr(&w);
	jw_obj(&w);
	jw_end_obj(&w);
	jw_bool(&w, false);
	jw_time(&w, 0);
	jw_time(&w, 1795657666);
	jw_end_arr(&w);
	jw_end_obj(&w);
	yw_fmt_iso(1795657666, iso, sizeof(iso));
	char want[256];
	snprintf(want, sizeof(want), "<<{\"id\":-9223372036854775808,\"none\":null,\"some\":42,"
		 "\"s\":\"宕机 \\\"q\\\"\\n\\u0001/\",\"null\":null,\"empty\":[],"
		 "\"nested\":[{},false,null,\"%s\"]}", iso);
	assert_string_equal(sb.buf, want);
	assert_int_equal(sb.buf[sb.len], '\0');
	strbuf_release(&sb);
	/* a time is the string yw_fmt_iso writes, outside four-digit years too */
	static const int64_t times[] = { 1, -1, -62167219201, 253402300800, 67767976233532799, INT64_MAX };
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
		struct jw wa, wb;
		jw_init(&wa, &a);
		jw_init(&wb, &b);
		jw_arr(&wa);
		jw_arr(&wb);
		jw_time(&wa, times[i]);
		jw_time(&wa, times[i]);
		jw_str(&wb, yw_fmt_iso(times[i], iso, sizeof(iso)));
		jw_str(&wb, iso);
		jw_end_arr(&wa);
		jw_end_arr(&wb);
		assert_string_equal(a.buf, b.buf);
		assert_int_equal(a.len, b.len);
		strbuf_release(&a);
		strbuf_release(&b);
	}
}

/* Whether every key of j is text jw_key takes as it is (no escape needed). */
static bool plain_keys(const json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, key, v) {
			for (const char *p = key; *p; p++)
				if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
					return false;
			if (!plain_keys(v))
				return false;
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (!plain_keys(v))
				return false;
	}
	return true;
}

static void test_jw_random_trees(void **state)
{
	int compared = 0;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		json_t *j = rnd_value(0);
		struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
		struct jw w;

		jout_dump(j, &want);
		/*
		 * jw takes C strings: leave out the trees with a NUL in a string
		 * or key, and those with a key that needs an escape (jw_key)
		 */
		if (!strstr(want.buf, "\\u0000") && plain_keys(j)) {
			jw_init(&w, &got);
			jw_walk(&w, j);
			assert_string_equal(got.buf, want.buf);
			compared++;
		}
		strbuf_release(&want);
		strbuf_release(&got);
		json_decref(j);
	}
	assert_true(compared >= 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_all_ascii),
		cmocka_unit_test(test_long_string),
		cmocka_unit_test(test_escape_positions),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_member_order),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_cycle_aborts),
		cmocka_unit_test(test_random_trees),
		cmocka_unit_test(test_jw_fixed),
		cmocka_unit_test(test_jw_random_trees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
