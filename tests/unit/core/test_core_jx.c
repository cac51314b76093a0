/* test_core_jx.c - table-driven JSON validation: every way a body can be wrong. */
#include "yw.h"
#include "jx.h"
#include "utf8.h"
#include <setjmp.h>
#include <cmocka.h>

struct input {
	const char *title, *description, *type;
	int64_t category_id, impact, assignee_id, due;
	bool internal;
	struct jx_ids related;
};

static const char *const types[] = { "incident", "request", NULL };

enum { F_TITLE, F_DESC, F_TYPE, F_CAT, F_IMPACT, F_ASSIGNEE, F_DUE, F_INTERNAL, F_RELATED };

static const struct jx_field fields[] = {
	{ "title", JX_STR, JX_REQUIRED, 1, 200, offsetof(struct input, title), NULL },
	{ "description", JX_TEXT, 0, 0, 20000, offsetof(struct input, description), NULL },
	{ "type", JX_ENUM, JX_REQUIRED, 0, 0, offsetof(struct input, type), types },
	{ "category_id", JX_ID, 0, 0, 0, offsetof(struct input, category_id), NULL },
	{ "impact", JX_INT, 0, 1, 3, offsetof(struct input, impact), NULL },
	{ "assignee_id", JX_ID, JX_NULLABLE, 0, 0, offsetof(struct input, assignee_id), NULL },
	{ "due", JX_TIME, JX_NULLABLE, 0, 0, offsetof(struct input, due), NULL },
	{ "internal", JX_BOOL, 0, 0, 0, offsetof(struct input, internal), NULL },
	{ "related", JX_IDS, 0, 0, 3, offsetof(struct input, related), NULL },
};

/* Decodes text against the table; returns the code, err filled. */
static int decode(const char *text, struct input *in, uint64_t *seen, struct yw_err *err)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);

	if (!j)
		fail_msg("test JSON does not parse: %s: %s", text, jerr.text);
	memset(in, 0, sizeof(*in));
	yw_err_clear(err);
	int rc = jx_decode(j, fields, ARRAY_SIZE(fields), in, seen, err);
	json_decref(j);
	return rc;
}

static void test_valid_full(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct input in;
	uint64_t seen = 0;
	json_t *j = json_loads("{\"title\":\"服务器宕机\",\"description\":\"第一行\\n\\t第二行\","
			       "\"type\":\"incident\",\"category_id\":7,\"impact\":2,\"assignee_id\":null,"
			       "\"due\":\"2026-11-25T10:00:00Z\",\"internal\":true,\"related\":[3,1]}",
			       0, NULL);

	memset(&in, 0, sizeof(in));
	assert_int_equal(jx_decode(j, fields, ARRAY_SIZE(fields), &in, &seen, &err), 0);
	assert_string_equal(in.title, "服务器宕机");
	assert_string_equal(in.description, "第一行\n\t第二行");
	assert_ptr_equal(in.type, types[0]);   /* the table's own string */
	assert_int_equal(in.category_id, 7);
	assert_int_equal(in.impact, 2);
	assert_int_equal(in.assignee_id, 0);
	assert_int_equal(in.due, 1795600800);
	assert_true(in.internal);
	assert_int_equal(in.related.n, 2);
	assert_int_equal(in.related.v[0], 3);
	assert_int_equal(in.related.v[1], 1);
	assert_int_equal(seen, (1u << F_TITLE) | (1u << F_DESC) | (1u << F_TYPE) | (1u << F_CAT) |
			 (1u << F_IMPACT) | (1u << F_ASSIGNEE) | (1u << F_DUE) | (1u << F_INTERNAL) |
			 (1u << F_RELATED));
	jx_ids_free(&in.related);
	json_decref(j);
}

static void test_absent_vs_null(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct input in;
	uint64_t seen;

	assert_int_equal(decode("{\"title\":\"t\",\"type\":\"request\"}", &in, &seen, &err), 0);
	assert_int_equal(seen, (1u << F_TITLE) | (1u << F_TYPE));
	assert_int_equal(decode("{\"title\":\"t\",\"type\":\"request\",\"assignee_id\":null,\"due\":null}",
				&in, &seen, &err), 0);
	assert_true(seen & (1u << F_ASSIGNEE));
	assert_true(seen & (1u << F_DUE));
	assert_int_equal(in.assignee_id, 0);
}

static const struct {
	const char *body;
	int code;
	const char *field, *msg;
} bad[] = {
	{ "{\"title\":\"t\",\"type\":\"request\",\"bogus\":1}", YW_EUNKNOWN, "bogus", "unknown field bogus" },
	{ "{\"Title\":\"t\",\"type\":\"request\"}", YW_EUNKNOWN, "Title", "unknown field Title" },
	{ "{\"type\":\"request\"}", YW_EINVAL, "title", "title is required" },
	{ "{\"title\":\"t\"}", YW_EINVAL, "type", "type is required" },
	{ "{}", YW_EINVAL, "title", "title is required" },
	{ "[]", YW_EJSON, "", "the body must be a JSON object" },
	{ "\"x\"", YW_EJSON, "", "the body must be a JSON object" },
	{ "null", YW_EJSON, "", "the body must be a JSON object" },
	/* wrong types */
	{ "{\"title\":5,\"type\":\"request\"}", YW_EINVAL, "title", "title must be a string" },
	{ "{\"title\":[\"t\"],\"type\":\"request\"}", YW_EINVAL, "title", "title must be a string" },
	{ "{\"title\":\"t\",\"type\":1}", YW_EINVAL, "type", "type must be a string" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"impact\":\"2\"}", YW_EINVAL, "impact", "impact must be an integer" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"impact\":2.0}", YW_EINVAL, "impact", "impact must be an integer" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"impact\":true}", YW_EINVAL, "impact", "impact must be an integer" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"internal\":1}", YW_EINVAL, "internal", "internal must be a boolean" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"internal\":\"true\"}", YW_EINVAL, "internal", "internal must be a boolean" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"category_id\":\"7\"}", YW_EINVAL, "category_id", "category_id must be a positive integer id" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"due\":1795600800}", YW_EINVAL, "due", "due must be an ISO 8601 time string" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"related\":1}", YW_EINVAL, "related", "related must be an array of ids" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"description\":{}}", YW_EINVAL, "description", "description must be a string" },
	/* null where not allowed */
	{ "{\"title\":null,\"type\":\"request\"}", YW_EINVAL, "title", "title must not be null" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"impact\":null}", YW_EINVAL, "impact", "impact must not be null" },
	/* ranges */
	{ "{\"title\":\"t\",\"type\":\"request\",\"impact\":0}", YW_EINVAL, "impact", "impact must be between 1 and 3" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"impact\":4}", YW_EINVAL, "impact", "impact must be between 1 and 3" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"impact\":-9223372036854775808}", YW_EINVAL, "impact", "impact must be between 1 and 3" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"category_id\":0}", YW_EINVAL, "category_id", "category_id must be a positive id" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"category_id\":-1}", YW_EINVAL, "category_id", "category_id must be a positive id" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"assignee_id\":0}", YW_EINVAL, "assignee_id", "assignee_id must be a positive id" },
	/* enum */
	{ "{\"title\":\"t\",\"type\":\"problem\"}", YW_EINVAL, "type", "type must be one of: incident, request" },
	{ "{\"title\":\"t\",\"type\":\"Incident\"}", YW_EINVAL, "type", "type must be one of: incident, request" },
	{ "{\"title\":\"t\",\"type\":\"\"}", YW_EINVAL, "type", "type must be one of: incident, request" },
	/* ids */
	{ "{\"title\":\"t\",\"type\":\"request\",\"related\":[1,2,1]}", YW_EINVAL, "related", "related has a duplicate id" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"related\":[1,0]}", YW_EINVAL, "related", "related[1] must be a positive id" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"related\":[1,\"2\"]}", YW_EINVAL, "related", "related[1] must be a positive id" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"related\":[1,2,3,4]}", YW_EINVAL, "related", "related has more than 3 entries" },
	/* strings: emptiness, blankness, length in characters, control characters */
	{ "{\"title\":\"\",\"type\":\"request\"}", YW_EINVAL, "title", "title must not be empty" },
	{ "{\"title\":\"   \",\"type\":\"request\"}", YW_EINVAL, "title", "title must not be blank" },
	{ "{\"title\":\"a\\tb\",\"type\":\"request\"}", YW_EINVAL, "title", "title contains a control character" },
	{ "{\"title\":\"a\\nb\",\"type\":\"request\"}", YW_EINVAL, "title", "title contains a control character" },
	{ "{\"title\":\"a\\u007fb\",\"type\":\"request\"}", YW_EINVAL, "title", "title contains a control character" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"description\":\"x\\u0001y\"}", YW_EINVAL, "description", "description contains a control character" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"description\":\"x\\u001by\"}", YW_EINVAL, "description", "description contains a control character" },
	/* times */
	{ "{\"title\":\"t\",\"type\":\"request\",\"due\":\"tomorrow\"}", YW_EINVAL, "due", "due is not an ISO 8601 time" },
	{ "{\"title\":\"t\",\"type\":\"request\",\"due\":\"2023-02-29\"}", YW_EINVAL, "due", "due is not an ISO 8601 time" },
};

static void test_bad_bodies(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct yw_err err = YW_ERR_INIT;
		struct input in;
		uint64_t seen = 12345;
		int rc = decode(bad[i].body, &in, &seen, &err);
		if (rc != bad[i].code || strcmp(err.field, bad[i].field) || strcmp(err.msg, bad[i].msg))
			fail_msg("%s: got %d field \"%s\" \"%s\", want %d field \"%s\" \"%s\"", bad[i].body,
				 rc, err.field, err.msg, bad[i].code, bad[i].field, bad[i].msg);
		assert_int_equal(seen, 12345);          /* seen untouched on failure */
		assert_null(in.related.v);              /* nothing for the caller to free */
	}
}

/* Length limits count characters, not bytes. */
static void test_length_in_characters(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct input in;
	char body[4096];
	char title[2048] = "";
	size_t n = 0;

	for (int i = 0; i < 200; i++)   /* 200 characters, 600 bytes */
		n += snprintf(title + n, sizeof(title) - n, "宕");
	snprintf(body, sizeof(body), "{\"title\":\"%s\",\"type\":\"request\"}", title);
	assert_int_equal(decode(body, &in, NULL, &err), 0);
	snprintf(body, sizeof(body), "{\"title\":\"%s机\",\"type\":\"request\"}", title);
	assert_int_equal(decode(body, &in, NULL, &err), YW_EINVAL);
	assert_string_equal(err.msg, "title is longer than 200 characters");

	/* escaped code points count the same as raw ones; an astral one is one character */
	n = 0;
	for (int i = 0; i < 199; i++)
		n += snprintf(title + n, sizeof(title) - n, "\\u5b95");
	snprintf(body, sizeof(body), "{\"title\":\"%s\\ud83d\\ude00\",\"type\":\"request\"}", title);
	assert_int_equal(decode(body, &in, NULL, &err), 0);
}

/* Strings built by code (not by the JSON parser) may hold NULs or bad UTF-8. */
/* issue 12: bidirectional controls in one-line texts; zero-width-only text is blank */
static void test_bidi_and_zero_width(void **state)
{
	static const struct {
		const char *s;
		bool multiline;
		const char *msg;   /* NULL: accepted */
	} cases[] = {
		{ "abc\u202Eexe.pdf", false, "title contains a bidirectional control character (U+202A-202E, U+2066-2069)" },
		{ "\u202A", false, "title contains a bidirectional control character (U+202A-202E, U+2066-2069)" },
		{ "a\u2066b\u2069", false, "title contains a bidirectional control character (U+202A-202E, U+2066-2069)" },
		{ "a\u2069", false, "title contains a bidirectional control character (U+202A-202E, U+2066-2069)" },
		{ "log \u202E text", true, NULL },
		{ "\u200B", false, "title must not be blank" },
		{ "\u200B\u200C\u200D\u2060\uFEFF", false, "title must not be blank" },
		{ " \u3000\u00A0\u200B", true, "title must not be blank" },
		{ "\u200Ba", false, NULL },
		{ "\u200E\u200F", false, NULL },   /* marks, not overrides: visible direction hints */
		{ "\u2065", false, NULL },
		{ "\u202F", false, NULL },
		{ "交换机\u200D告警", false, NULL },
	};
	struct yw_err err = YW_ERR_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc = jx_check_str("title", cases[i].s, strlen(cases[i].s), 1, 200, cases[i].multiline, &err);
		if (!cases[i].msg && rc)
			fail_msg("case %zu refused: %s", i, err.msg);
		if (cases[i].msg) {
			assert_int_equal(rc, YW_EINVAL);
			assert_string_equal(err.field, "title");
			assert_string_equal(err.msg, cases[i].msg);
		}
	}
	/* an optional text (min 0) may be blank */
	assert_int_equal(jx_check_str("note", "\u200B", 3, 0, 10, false, &err), 0);
}

static void test_nul_and_bad_utf8(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct input in;
	json_t *j;

	memset(&in, 0, sizeof(in));
	j = json_pack("{s:s, s:s%}", "title", "t", "type", "incident\0x", (size_t)10);
	assert_int_equal(jx_decode(j, fields, ARRAY_SIZE(fields), &in, NULL, &err), YW_EINVAL);
	assert_string_equal(err.field, "type");
	json_decref(j);

	j = json_pack("{s:s%, s:s}", "title", "a\0b", (size_t)3, "type", "incident");
	assert_int_equal(jx_decode(j, fields, ARRAY_SIZE(fields), &in, NULL, &err), YW_EINVAL);
	assert_string_equal(err.msg, "title contains a NUL character");
	json_decref(j);

	j = json_pack("{s:s, s:s, s:s%}", "title", "t", "type", "incident", "due",
		      "2026-11-25\0garbage", (size_t)18);
	assert_int_equal(jx_decode(j, fields, ARRAY_SIZE(fields), &in, NULL, &err), YW_EINVAL);
	assert_string_equal(err.field, "due");
	json_decref(j);

	assert_int_equal(jx_check_str("title", "\xc0\xaf", 2, 1, 10, false, &err), YW_EINVAL);
	assert_string_equal(err.msg, "title is not valid UTF-8");
	assert_int_equal(jx_check_str("title", "\xed\xa0\x80", 3, 1, 10, false, &err), YW_EINVAL);
	assert_int_equal(jx_check_str("note", "a\r\nb", 4, 0, 10, true, &err), 0);
	assert_int_equal(jx_check_str("note", "", 0, 0, 10, true, &err), 0);
	assert_int_equal(jx_check_str("note", "abc", 3, 5, 10, true, &err), YW_EINVAL);
	assert_string_equal(err.msg, "note is shorter than 5 characters");
}

/* An id array decoded before a later field fails must not leak (ASan checks). */
static void test_no_leak_on_later_failure(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct input in;

	assert_int_equal(decode("{\"related\":[1,2],\"title\":\"t\",\"type\":\"request\",\"x\":1}", &in, NULL, &err),
			 YW_EUNKNOWN);
	assert_null(in.related.v);
	assert_int_equal(decode("{\"related\":[1,2],\"type\":\"request\"}", &in, NULL, &err), YW_EINVAL);
	assert_string_equal(err.msg, "title is required");
	assert_null(in.related.v);
}

/* A long enum list is cut in the message, never written past its buffer. */
static void test_long_enum_message(void **state)
{
	static const char *const many[] = {
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application/vnd.openxmlformats-officedocument.presentationml.presentation",
		"application/octet-stream", "application/pdf", "image/png", "image/jpeg", "text/plain",
		NULL,
	};
	static const struct jx_field f[] = {
		{ "content_type", JX_ENUM, JX_REQUIRED, 0, 0, 0, many },
	};
	struct yw_err err = YW_ERR_INIT;
	const char *out = NULL;
	json_t *j = json_pack("{s:s}", "content_type", "text/html");

	assert_int_equal(jx_decode(j, f, 1, &out, NULL, &err), YW_EINVAL);
	assert_non_null(strstr(err.msg, "content_type must be one of: application/vnd.openxml"));
	assert_true(strlen(err.msg) < sizeof(err.msg));
	json_decref(j);
}

/* An error quoting a long key must stay valid UTF-8 where it is cut. */
static void test_error_text_stays_utf8(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct input in;
	char body[512], key[256] = "";
	size_t n = 0;

	/* 58 ASCII bytes then CJK: the %.60s cut and the 64-byte field cut land mid-character */
	n += snprintf(key, sizeof(key), "%058d", 0);
	for (int i = 0; i < 20; i++)
		n += snprintf(key + n, sizeof(key) - n, "宕");
	snprintf(body, sizeof(body), "{\"%s\":1}", key);
	assert_int_equal(decode(body, &in, NULL, &err), YW_EUNKNOWN);
	assert_true(utf8_valid(err.msg, strlen(err.msg)));
	assert_true(utf8_valid(err.field, strlen(err.field)));
	json_t *j = json_pack("{s:s, s:s}", "message", err.msg, "field", err.field);
	assert_non_null(j);   /* what http_send_error builds */
	json_decref(j);
	assert_non_null(strstr(err.msg, "unknown field 0000"));
}

static void test_output_helpers(void **state)
{
	json_t *j;

	j = jx_time_or_null(1795600800);
	assert_string_equal(json_string_value(j), "2026-11-25T10:00:00Z");
	json_decref(j);
	j = jx_time_or_null(0);
	assert_true(json_is_null(j));
	json_decref(j);
	j = jx_id_or_null(0);
	assert_true(json_is_null(j));
	json_decref(j);
	j = jx_id_or_null(9);
	assert_int_equal(json_integer_value(j), 9);
	json_decref(j);
	j = jx_str_or_null(NULL);
	assert_true(json_is_null(j));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_full),
		cmocka_unit_test(test_absent_vs_null),
		cmocka_unit_test(test_bad_bodies),
		cmocka_unit_test(test_length_in_characters),
		cmocka_unit_test(test_nul_and_bad_utf8),
		cmocka_unit_test(test_bidi_and_zero_width),
		cmocka_unit_test(test_no_leak_on_later_failure),
		cmocka_unit_test(test_long_enum_message),
		cmocka_unit_test(test_error_text_stays_utf8),
		cmocka_unit_test(test_output_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
