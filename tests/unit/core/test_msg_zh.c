/*
 * test_msg_zh.c - the zh-CN catalogue of error messages (src/core/msg_zh.c).
 *
 * Every entry's Chinese format must take the same arguments as its English
 * one: the same conversions, in the same order. And every format a
 * message is made from in src/ must have an entry: the sources are read
 * for calls of the functions in msg_calls (yw_errf and the few that hand
 * a format or a constant reason on to it), and the format argument's
 * string literals are looked up. A format without a translation fails the
 * test, and the failure lists each one as a catalogue line to complete.
 *
 * The scan is textual, like test_openapi's: comments are skipped, the
 * format argument is the n-th argument at the call's top level, and each
 * run of adjacent literals in it (both sides of a ?: too) is one format,
 * with PRId64 and its kin expanded as the compiler does. A format that is
 * a variable must be one variable_formats accounts for, so that a new
 * helper forwarding formats to yw_errf is noticed too.
 */
#include "yw.h"
#include "err.h"
#include "jx.h"
#include "strbuf.h"
#include "utf8.h"
#include <dirent.h>
#include <sys/stat.h>
#include <setjmp.h>
#include <cmocka.h>

#ifndef YW_SOURCE_DIR
#error "YW_SOURCE_DIR must name the source tree"
#endif

/* The calls whose argument argi (from 0) is a message format or a constant reason. */
static const struct {
	const char *name;
	int argi;
	const char *file;   /* only in files whose path ends so; NULL: anywhere */
} msg_calls[] = {
	{ "yw_errf", 3, NULL },
	{ "yw_verrf", 3, NULL },
	{ "yw_err_wrapf", 4, NULL },
	{ "yw_err_text", 3, NULL },
	{ "query_error", 2, "domain/view/view.c" },
	{ "need_admin", 1, "domain/account/user.c" },
	{ "fail", 2, "core/jin.c" },
	{ "bad", 2, "domain/calendar/cal_tz.c" },
};

/*
 * The calls above whose format is a variable, each checked another way:
 * the forwarders' own callers are scanned (msg_calls), and a parser's
 * reason is one of jin.c's fail() texts. Any other variable format is
 * reported: its messages could not be found.
 */
static const struct {
	const char *file, *arg;
} variable_formats[] = {
	{ "core/err.c", "fmt" },             /* yw_errf and the rest */
	{ "domain/view/view.c", "fmt" },          /* query_error */
	{ "domain/account/user.c", "msg" },          /* need_admin */
	{ "domain/calendar/cal_tz.c", "why" },        /* bad */
	{ "http/api.c", "jerr.text" },       /* jin's reason */
	{ "domain/calendar/cal_import.c", "jerr.text" },
	{ "http/framing.c", "why" },            /* its reasons: test_http_framing */
	{ "domain/account/perm.c", "row->deny" },        /* the table's refusals: test_perm */
	{ "domain/account/perm.c", "perm_missing(kind)" },
};

/* The <inttypes.h> macros a format may use between its literals. */
static const struct {
	const char *name, *value;
} pri_macros[] = {
	{ "PRId64", PRId64 }, { "PRIu64", PRIu64 }, { "PRIi64", PRIi64 }, { "PRIx64", PRIx64 },
	{ "PRId32", PRId32 }, { "PRIu32", PRIu32 },
};

/* ---- conversions ---- */

/*
 * The next conversion of fmt from *p (flags to conversion letter, "%%"
 * skipped) into spec. In a Chinese format "%#s" (a status shown in
 * Chinese) stands for the English "%s".
 */
static bool next_conv(const char **p, char *spec, size_t size, bool zh)
{
	const char *s = *p;

	for (;;) {
		s = strchr(s, '%');
		if (!s)
			return false;
		if (s[1] == '%') {
			s += 2;
			continue;
		}
		break;
	}
	size_t n = 1 + strspn(s + 1, "-+ #0123456789.*hlLqjzt");
	if (s[n])
		n++;
	snprintf(spec, size, "%.*s", (int)n, s);
	*p = s + n;
	if (zh && !strcmp(spec, "%#s"))
		snprintf(spec, size, "%%s");
	return true;
}

static void test_conversions_match(void **state)
{
	size_t bad = 0;

	(void)state;
	assert_true(yw_msg_catalogue_len > 300);
	for (size_t i = 0; i < yw_msg_catalogue_len; i++) {
		const char *en = yw_msg_catalogue[i].en, *zh = yw_msg_catalogue[i].zh;
		char a[32], b[32];
		bool more_en, more_zh;

		assert_non_null(zh);
		if (!utf8_valid(zh, strlen(zh)) || !strcmp(en, zh)) {
			fprintf(stderr, "not a translation: \"%s\" -> \"%s\"\n", en, zh);
			bad++;
		}
		do {
			more_en = next_conv(&en, a, sizeof(a), false);
			more_zh = next_conv(&zh, b, sizeof(b), true);
			if (more_en != more_zh || (more_en && strcmp(a, b))) {
				fprintf(stderr, "conversions differ: \"%s\" -> \"%s\" (%s / %s)\n",
					yw_msg_catalogue[i].en, yw_msg_catalogue[i].zh, more_en ? a : "end",
					more_zh ? b : "end");
				bad++;
				break;
			}
		} while (more_en);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(yw_msg_catalogue[i].en, yw_msg_catalogue[j].en)) {
				fprintf(stderr, "twice in the catalogue: \"%s\"\n", yw_msg_catalogue[i].en);
				bad++;
			}
	}
	assert_int_equal(bad, 0);
}

/* ---- the scan of src/ ---- */

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;

	if (!f)
		fail_msg("cannot open %s", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb, NULL);
}

/* Blanks out comments in place, keeping line breaks (for line numbers) and literals. */
static void strip_comments(char *s)
{
	for (char *p = s; *p; p++) {
		if (*p == '"' || *p == '\'') {
			char q = *p;
			for (p++; *p && *p != q; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return;
		} else if (p[0] == '/' && p[1] == '*') {
			char *end = strstr(p + 2, "*/");
			end = end ? end + 2 : p + strlen(p);
			for (; p < end; p++)
				if (*p != '\n')
					*p = ' ';
			p--;
		} else if (p[0] == '/' && p[1] == '/') {
			for (; *p && *p != '\n'; p++)
				*p = ' ';
			p--;
		}
	}
}

/* The end of the literal or char constant starting at p (its closing quote). */
static const char *skip_quoted(const char *p)
{
	char q = *p;

	for (p++; *p && *p != q; p++)
		if (*p == '\\' && p[1])
			p++;
	return p;
}

/*
 * Finds argument argi of the call whose '(' is at open: sets [*from, *to).
 * Returns false when the call has fewer arguments.
 */
static bool call_arg(const char *open, int argi, const char **from, const char **to)
{
	int depth = 0, n = 0;
	const char *start = open + 1;

	for (const char *p = open + 1; *p; p++) {
		if (*p == '"' || *p == '\'') {
			p = skip_quoted(p);
			if (!*p)
				return false;
		} else if (*p == '(' || *p == '[' || *p == '{') {
			depth++;
		} else if ((*p == ')' || *p == ']' || *p == '}') && depth) {
			depth--;
		} else if (!depth && (*p == ',' || *p == ')')) {
			if (n == argi) {
				*from = start;
				*to = p;
				return true;
			}
			if (*p == ')')
				return false;
			n++;
			start = p + 1;
		}
	}
	return false;
}

/* Appends the literal at p (its opening quote), unescaped to run and as written to src. */
static const char *add_literal(const char *p, struct strbuf *run, struct strbuf *src)
{
	const char *end = skip_quoted(p);

	strbuf_add(src, p + 1, (size_t)(end - p - 1));
	for (p++; p < end; p++) {
		if (*p != '\\') {
			strbuf_addch(run, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 'n': strbuf_addch(run, '\n'); break;
		case 't': strbuf_addch(run, '\t'); break;
		case 'r': strbuf_addch(run, '\r'); break;
		default: strbuf_addch(run, *p); break;   /* \\ \" \' */
		}
	}
	return end + 1;
}

struct scan {
	size_t formats, missing, variable;
	struct strbuf report, variable_report;
};

static void check_format(struct scan *sc, const char *file, int line, const struct strbuf *run,
			 const struct strbuf *src)
{
	sc->formats++;
	if (yw_msg_zh(run->buf))
		return;
	sc->missing++;
	strbuf_addf(&sc->report, "\t/* %s:%d */\n\t{ \"%s\",\n\t  \"TODO\" },\n", file, line, src->buf);
}

static bool ends_with(const char *s, const char *tail);

/*
 * A format argument without a literal: a parameter in a definition, or a
 * variable that variable_formats accounts for; anything else is reported.
 */
static void check_variable(struct scan *sc, const char *file, int line, const char *p, const char *end)
{
	char arg[128];

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	snprintf(arg, sizeof(arg), "%.*s", (int)(end - p), p);
	if (strstr(arg, "char *") || strstr(arg, "char*") || !strcmp(arg, "..."))
		return;   /* the function's own definition or declaration */
	for (size_t i = 0; i < ARRAY_SIZE(variable_formats); i++)
		if (ends_with(file, variable_formats[i].file) && !strcmp(arg, variable_formats[i].arg))
			return;
	sc->variable++;
	strbuf_addf(&sc->variable_report, "\t%s:%d: %s\n", file, line, arg);
}

/* Each run of adjacent literals (and PRI macros) in [p, end) is one format. */
static void scan_arg(struct scan *sc, const char *file, int line, const char *p, const char *end)
{
	struct strbuf run = STRBUF_INIT, src = STRBUF_INIT;
	bool in_run = false;

	if (!memchr(p, '"', (size_t)(end - p))) {
		check_variable(sc, file, line, p, end);
		return;
	}
	while (p < end) {
		if (*p == '"') {
			p = add_literal(p, &run, &src);
			in_run = true;
			continue;
		}
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		bool macro = false;
		for (size_t i = 0; in_run && i < ARRAY_SIZE(pri_macros); i++) {
			size_t n = strlen(pri_macros[i].name);
			if (!strncmp(p, pri_macros[i].name, n) && !isalnum((unsigned char)p[n]) && p[n] != '_') {
				strbuf_addstr(&run, pri_macros[i].value);
				strbuf_addf(&src, "\" %s \"", pri_macros[i].name);
				p += n;
				macro = true;
				break;
			}
		}
		if (macro)
			continue;
		if (in_run)
			check_format(sc, file, line, &run, &src);
		strbuf_reset(&run);
		strbuf_reset(&src);
		in_run = false;
		p++;
	}
	if (in_run)
		check_format(sc, file, line, &run, &src);
	strbuf_release(&run);
	strbuf_release(&src);
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && !strcmp(s + a - b, tail);
}

static void scan_file(struct scan *sc, const char *path, const char *rel)
{
	char *text = read_all(path);

	strip_comments(text);
	for (size_t c = 0; c < ARRAY_SIZE(msg_calls); c++) {
		size_t n = strlen(msg_calls[c].name);

		if (msg_calls[c].file && !ends_with(rel, msg_calls[c].file))
			continue;
		for (const char *p = text; (p = strstr(p, msg_calls[c].name)); p += n) {
			const char *q = p + n, *from, *to;
			if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
				continue;
			while (*q == ' ' || *q == '\t')
				q++;
			if (*q != '(' || !call_arg(q, msg_calls[c].argi, &from, &to))
				continue;
			int line = 1;
			for (const char *l = text; l < p; l++)
				line += *l == '\n';
			scan_arg(sc, rel, line, from, to);
		}
	}
	free(text);
}

static void scan_dir(struct scan *sc, const char *dir, const char *rel)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		fail_msg("cannot open %s", dir);
	while ((e = readdir(d))) {
		char path[1024], sub[512];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		snprintf(sub, sizeof(sub), "%s/%s", rel, e->d_name);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			scan_dir(sc, path, sub);
		else if (ends_with(e->d_name, ".c") && strcmp(e->d_name, "msg_zh.c"))
			scan_file(sc, path, sub);
	}
	closedir(d);
}

static void test_every_format_translated(void **state)
{
	struct scan sc = { 0, 0, 0, STRBUF_INIT, STRBUF_INIT };

	(void)state;
	scan_dir(&sc, YW_SOURCE_DIR "/src", "src");
	if (sc.variable)
		fprintf(stderr,
			"%zu message formats in src/ are variables, whose texts this test cannot find.\n"
			"Pass a literal, or add the function that forwards it to msg_calls in\n"
			"tests/unit/core/test_msg_zh.c (and the variable to variable_formats):\n%s",
			sc.variable, sc.variable_report.buf);
	if (sc.missing)
		fprintf(stderr,
			"%zu of %zu message formats in src/ have no zh-CN translation.\n"
			"Add them to src/core/msg_zh.c (same conversions, same order):\n%s",
			sc.missing, sc.formats, sc.report.buf);
	/* the scan must see the calls it is meant for */
	assert_true(sc.formats > 350);
	assert_int_equal(sc.missing, 0);
	assert_int_equal(sc.variable, 0);
	strbuf_release(&sc.report);
	strbuf_release(&sc.variable_report);
}

/* ---- making messages ---- */

static void test_errf_formats_both(void **state)
{
	struct yw_err err = YW_ERR_INIT;

	(void)state;
	assert_int_equal(yw_errf(&err, YW_EINVAL, "limit", "limit must be an integer between 1 and %d", 200),
			 YW_EINVAL);
	assert_string_equal(err.field, "limit");
	assert_string_equal(err.msg, "limit must be an integer between 1 and 200");
	assert_string_equal(err.msg_zh, "limit 必须是 1 到 200 之间的整数");
	assert_string_equal(yw_err_msg(&err, true), err.msg_zh);
	assert_string_equal(yw_err_msg(&err, false), err.msg);

	/* 64-bit ids through PRId64 */
	yw_errf(&err, YW_ENOTFOUND, "id", "no group %" PRId64, (int64_t)9000000000);
	assert_string_equal(err.msg_zh, "没有处理组 9000000000");

	/*
	 * a precision given by '*' limits what is read: here 0 bytes of a
	 * buffer with no NUL (the ASan build reads past it otherwise)
	 */
	{
		char *raw = malloc(3);
		memcpy(raw, "GET", 3);
		yw_errf(&err, YW_EMETHOD, "", "method %.*s not allowed here", 0, raw);
		assert_string_equal(err.msg_zh, "此处不允许  方法");
		yw_errf(&err, YW_EMETHOD, "", "method %.*s not allowed here", 2, raw);
		assert_string_equal(err.msg_zh, "此处不允许 GE 方法");
		free(raw);
	}

	/* a status as an argument is shown in Chinese, any other word as it is */
	yw_errf(&err, YW_ESTATE, "to", "a ticket in status %s cannot move to %s", "pending", "resolved");
	assert_string_equal(err.msg, "a ticket in status pending cannot move to resolved");
	assert_string_equal(err.msg_zh, "状态为挂起的工单不能改为已解决");
	yw_errf(&err, YW_ECONFLICT, "login", "login %s is taken", "closed");
	assert_string_equal(err.msg_zh, "账号 closed 已被占用");
	/* widths and precisions, given and taken from the arguments */
	yw_errf(&err, YW_EMETHOD, "", "method %.*s not allowed here", 3, "PUTX");
	assert_string_equal(err.msg_zh, "此处不允许 PUT 方法");
	yw_errf(&err, YW_EINVAL, "x", "%s[%zu].%s must be a time HH:MM", "windows", (size_t)7, "start");
	assert_string_equal(err.msg_zh, "windows[7].start 必须是时间 HH:MM");

	/* no entry: English in both */
	yw_errf(&err, YW_EINVAL, "", "%s", "not in the catalogue");
	assert_string_equal(err.msg_zh, "");
	assert_string_equal(yw_err_msg(&err, true), "not in the catalogue");
	yw_err_clear(&err);
	assert_string_equal(err.msg_zh, "");
}

static void test_wrap_and_text(void **state)
{
	struct yw_err inner = YW_ERR_INIT, err = YW_ERR_INIT;

	(void)state;
	yw_errf(&inner, YW_EINVAL, "limit", "limit must be an integer between 1 and %d", 200);
	yw_err_wrapf(&err, YW_EINVAL, "query", &inner, "query parameter %.60s: ", "limit");
	assert_string_equal(err.field, "query");
	assert_string_equal(err.msg, "query parameter limit: limit must be an integer between 1 and 200");
	assert_string_equal(err.msg_zh, "查询参数 limit：limit 必须是 1 到 200 之间的整数");

	/* a parser's constant reason, wrapped into the same error */
	yw_err_text(&err, YW_EJSON, "", "unexpected end of input");
	assert_string_equal(err.msg_zh, "输入意外结束");
	yw_err_wrapf(&err, YW_EJSON, "", &err, "malformed JSON at line %d column %d: ", 1, 7);
	assert_string_equal(err.msg, "malformed JSON at line 1 column 7: unexpected end of input");
	assert_string_equal(err.msg_zh, "JSON 格式错误，位于第 1 行第 7 列：输入意外结束");

	yw_err_copy(&inner, &err);
	assert_int_equal(inner.code, YW_EJSON);
	assert_string_equal(inner.msg_zh, err.msg_zh);
}

/* A cut Chinese character must not leave invalid UTF-8 behind. */
static void test_zh_truncated_stays_utf8(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	char name[2000];

	(void)state;
	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	yw_errf(&err, YW_ECONFLICT, "login", "login %s is taken", name);
	assert_true(strlen(err.msg_zh) < sizeof(err.msg_zh));
	assert_true(utf8_valid(err.msg_zh, strlen(err.msg_zh)));
}

static void test_accept_language(void **state)
{
	static const struct {
		const char *value;
		bool zh;
	} cases[] = {
		{ NULL, true },
		{ "", true },
		{ "zh-CN", true },
		{ "zh", true },
		{ "zh-TW", true },
		{ "en", false },
		{ "EN-us", false },
		{ "en-US,en;q=0.9", false },
		{ "zh-CN,zh;q=0.9,en;q=0.8", true },
		{ "en-US,en;q=0.9,zh-CN;q=0.8", false },
		{ "en;q=0.5, zh;q=0.8", true },
		{ "zh;q=0.5, en;q=0.8", false },
		{ "zh;q=0.5, en;q=0.5", true },    /* equals: the first listed */
		{ "en;q=0.5, zh;q=0.5", false },
		{ "fr", true },                    /* neither: the default */
		{ "fr, en;q=0.1", false },
		{ "*", true },
		{ "en;q=0, zh;q=0.1", true },
		{ "zh;q=0", false },               /* refuses zh and names nothing else */
		{ "de-DE, *;q=0.5", true },
		{ "en-GB;q=1.0", false },
		{ "  en  ;  q=0.7 , zh ; q=0.6", false },
		{ "eng", true },                   /* not "en" */
		{ "zhx", true },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *v = cases[i].value;
		bool got = yw_lang_zh(v, v ? strlen(v) : 0);
		if (got != cases[i].zh)
			fail_msg("Accept-Language \"%s\": expected %s", v ? v : "(absent)", cases[i].zh ? "zh" : "en");
	}
}

/* The decoders name the field at fault, in both languages. */
struct body {
	const char *title;
	int64_t impact, group_id;
	bool internal;
	struct jx_ids ids;
	int64_t due;
};

static const struct jx_field body_fields[] = {
	{ "title", JX_STR, JX_REQUIRED, 1, 200, offsetof(struct body, title), NULL },
	{ "impact", JX_INT, 0, 1, 3, offsetof(struct body, impact), NULL },
	{ "group_id", JX_ID, 0, 0, 0, offsetof(struct body, group_id), NULL },
	{ "internal", JX_BOOL, 0, 0, 0, offsetof(struct body, internal), NULL },
	{ "ids", JX_IDS, 0, 0, 3, offsetof(struct body, ids), NULL },
	{ "due", JX_TIME, 0, 0, 0, offsetof(struct body, due), NULL },
};

static void test_decoder_names_field(void **state)
{
	static const struct {
		const char *json, *field, *zh;
	} cases[] = {
		{ "{}", "title", "title 为必填项" },
		{ "{\"title\":1}", "title", "title 必须是字符串" },
		{ "{\"title\":\"\"}", "title", "title 不能为空" },
		{ "{\"title\":\"a\",\"impact\":\"x\"}", "impact", "impact 必须是整数" },
		{ "{\"title\":\"a\",\"impact\":9}", "impact", "impact 必须在 1 到 3 之间" },
		{ "{\"title\":\"a\",\"group_id\":-1}", "group_id", "group_id 必须是正整数 ID" },
		{ "{\"title\":\"a\",\"internal\":1}", "internal", "internal 必须是布尔值" },
		{ "{\"title\":\"a\",\"ids\":[1,1]}", "ids", "ids 中有重复的 ID" },
		{ "{\"title\":\"a\",\"due\":\"soon\"}", "due", "due 不是 ISO 8601 时间" },
		{ "{\"title\":\"a\",\"nope\":1}", "nope", "未知字段 nope" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct yw_err err = YW_ERR_INIT;
		struct body b;
		uint64_t seen = 0;
		json_t *j = json_loads(cases[i].json, 0, NULL);

		memset(&b, 0, sizeof(b));
		assert_non_null(j);
		assert_int_not_equal(jx_decode(j, body_fields, ARRAY_SIZE(body_fields), &b, &seen, &err), 0);
		if (strcmp(err.field, cases[i].field) || strcmp(err.msg_zh, cases[i].zh))
			fail_msg("%s: field \"%s\" message \"%s\"", cases[i].json, err.field, err.msg_zh);
		jx_ids_free(&b.ids);
		json_decref(j);
		yw_err_clear(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conversions_match),
		cmocka_unit_test(test_every_format_translated),
		cmocka_unit_test(test_errf_formats_both),
		cmocka_unit_test(test_wrap_and_text),
		cmocka_unit_test(test_zh_truncated_stays_utf8),
		cmocka_unit_test(test_accept_language),
		cmocka_unit_test(test_decoder_names_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
