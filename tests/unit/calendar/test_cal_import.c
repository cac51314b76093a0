/*
 * test_cal_import.c - holiday-cn JSON and iCalendar parsing: the example
 * files of the holiday-cn data set (tests/data/holiday-cn), the shipped
 * data checked against them, and broken variants naming the fault.
 */
#include "core/yw.h"
#include "core/embed.h"
#include "core/strbuf.h"
#include "domain/calendar/cal.h"
#include <setjmp.h>
#include <cmocka.h>

extern const struct embed_file calendars_files[];

static char *read_data(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf = yw_malloc(1 << 20);

	snprintf(path, sizeof(path), "%s/tests/data/holiday-cn/%s", YW_SOURCE_DIR, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	*len = fread(buf, 1, (1 << 20) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void parse_file(const char *name, struct cal_import *imp)
{
	struct yw_err err = YW_ERR_INIT;
	size_t len;
	char *data = read_data(name, &len);

	if (cal_import_parse(data, len, CAL_FMT_AUTO, imp, &err))
		fail_msg("%s: %s", name, err.msg);
	free(data);
}

static int32_t day(const char *s)
{
	int32_t d;
	assert_int_equal(cal_parse_date(s, strlen(s), &d), 0);
	return d;
}

static const struct cal_import_day *find(const struct cal_import *imp, const char *date)
{
	for (size_t i = 0; i < imp->n; i++)
		if (imp->days[i].day == day(date))
			return &imp->days[i];
	return NULL;
}

/* Same dates with the same kinds, restricted to year y. */
static void assert_same_days(const struct cal_import *a, const struct cal_import *b, int y)
{
	size_t i = 0, j = 0;
	char d1[16], d2[16];

	for (;;) {
		while (i < a->n && atoi(cal_fmt_date(a->days[i].day, d1, sizeof(d1))) != y)
			i++;
		while (j < b->n && atoi(cal_fmt_date(b->days[j].day, d2, sizeof(d2))) != y)
			j++;
		if (i == a->n || j == b->n)
			break;
		if (a->days[i].day != b->days[j].day || a->days[i].kind != b->days[j].kind)
			fail_msg("year %d differs at %s / %s", y, cal_fmt_date(a->days[i].day, d1, sizeof(d1)),
				 cal_fmt_date(b->days[j].day, d2, sizeof(d2)));
		i++, j++;
	}
	assert_true(i == a->n && j == b->n);
}

static void test_json_example(void **state)
{
	struct cal_import imp = { 0 };
	(void)state;

	parse_file("2024.json", &imp);
	assert_int_equal(imp.n, 36);
	assert_int_equal(imp.first_year, 2024);
	assert_int_equal(find(&imp, "2024-02-04")->kind, CAL_DAY_WORKDAY);
	assert_int_equal(find(&imp, "2024-02-10")->kind, CAL_DAY_OFF);
	assert_string_equal(find(&imp, "2024-02-10")->name, "春节");
	assert_null(find(&imp, "2024-02-19"));
	cal_import_release(&imp);
}

static void test_ics_examples_match_json(void **state)
{
	static const char *const years[] = { "2024", "2025", "2026" };
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(years); i++) {
		struct cal_import a = { 0 }, b = { 0 };
		char jn[32], in[32];
		snprintf(jn, sizeof(jn), "%s.json", years[i]);
		snprintf(in, sizeof(in), "%s.ics", years[i]);
		parse_file(jn, &a);
		parse_file(in, &b);
		assert_same_days(&a, &b, atoi(years[i]));
		cal_import_release(&a);
		cal_import_release(&b);
	}
	struct cal_import imp = { 0 };
	parse_file("2026.ics", &imp);
	assert_int_equal(find(&imp, "2026-02-14")->kind, CAL_DAY_WORKDAY);
	assert_string_equal(find(&imp, "2026-02-14")->name, "春节");
	assert_int_equal(find(&imp, "2026-02-23")->kind, CAL_DAY_OFF);
	assert_string_equal(find(&imp, "2026-02-23")->name, "春节");
	assert_null(find(&imp, "2026-02-24"));     /* DTEND is exclusive */
	assert_int_equal(find(&imp, "2026-02-28")->kind, CAL_DAY_WORKDAY);
	cal_import_release(&imp);
}

/* Our shipped file carries exactly the State Council dates of the reference. */
static void test_shipped_data_matches_reference(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal_import ship = { 0 };
	const struct embed_file *f;
	(void)state;

	for (f = calendars_files; f->path; f++)
		if (!strcmp(f->path, "cn-mainland.json"))
			break;
	assert_non_null(f->path);
	assert_int_equal(cal_import_parse((const char *)f->data, f->size, CAL_FMT_AUTO, &ship, &err), 0);
	assert_int_equal(ship.first_year, 2025);
	assert_int_equal(ship.last_year, 2026);
	for (int y = 2025; y <= 2026; y++) {
		struct cal_import ref = { 0 };
		char name[16];
		snprintf(name, sizeof(name), "%d.json", y);
		parse_file(name, &ref);
		assert_same_days(&ship, &ref, y);
		cal_import_release(&ref);
	}
	cal_import_release(&ship);
}

static void expect_bad(const char *data, enum cal_format fmt, const char *needle)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal_import imp = { 0 };

	assert_int_not_equal(cal_import_parse(data, strlen(data), fmt, &imp, &err), 0);
	cal_import_release(&imp);
	if (!strstr(err.msg, needle))
		fail_msg("expected \"%s\" in: %s", needle, err.msg);
	assert_string_equal(err.field, "file");
}

static void test_json_broken(void **state)
{
	(void)state;
	expect_bad("{\"year\":2026,\"days\":[{\"name\":\"x\",\"date\":\"2026-02-30\",\"isOffDay\":true}]}",
		   CAL_FMT_AUTO, "2026-02-30");
	expect_bad("{\"year\":2026,\"days\":[{\"name\":\"x\",\"date\":\"2026-05-01\",\"isOffDay\":true},"
		   "{\"name\":\"y\",\"date\":\"2026-05-02\"}]}", CAL_FMT_AUTO, "2026-05-02: isOffDay");
	expect_bad("{\"year\":2026,\"days\":[{\"name\":\"x\",\"date\":\"2031-05-01\",\"isOffDay\":true}]}",
		   CAL_FMT_AUTO, "2031-05-01: date lies outside year 2026");
	expect_bad("{\"year\":2026,\"days\":[{\"name\":\"x\",\"date\":\"2026-05-01\",\"isOffDay\":true},"
		   "{\"name\":\"x\",\"date\":\"2026-05-01\",\"isOffDay\":false}]}", CAL_FMT_AUTO,
		   "2026-05-01: date is both");
	expect_bad("{\"year\":2026,\"days\":[{\"name\":1,\"date\":\"2026-05-01\",\"isOffDay\":true}]}",
		   CAL_FMT_AUTO, "2026-05-01: name");
	expect_bad("{\"year\":2026,\"days\":[{\"date\":20260501,\"isOffDay\":true}]}", CAL_FMT_AUTO,
		   "days[0] has no date");
	expect_bad("{\"year\":2026,\"days\":[]}", CAL_FMT_AUTO, "no days");
	expect_bad("{\"year\":\"2026\",\"days\":[]}", CAL_FMT_AUTO, "year must be");
	expect_bad("{\"year\":2026,\"days\":[", CAL_FMT_AUTO, "malformed JSON at line 1");
	expect_bad("[1]", CAL_FMT_AUTO, "item 0");
	expect_bad("\"hello\"", CAL_FMT_JSON, "malformed JSON");
}

/* The 2026 example with one line replaced (1-based), or cut after a line. */
static char *ics_variant(int line, const char *replacement, int cut_after)
{
	size_t len;
	char *src = read_data("2026.ics", &len), *p = src;
	struct strbuf out = STRBUF_INIT;

	for (int n = 1; *p; n++) {
		char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p + 1) : strlen(p);
		if (n == line)
			strbuf_addf(&out, "%s\r\n", replacement);
		else
			strbuf_add(&out, p, l);
		p += l;
		if (n == cut_after)
			break;
	}
	free(src);
	return strbuf_detach(&out, NULL);
}

static void test_ics_broken(void **state)
{
	char *v;
	(void)state;

	/* line 18 is the first event's DTSTART;VALUE=DATE:20260101 (line 5 is folded) */
	v = ics_variant(18, "DTSTART;VALUE=DATE:20260231", 0);
	expect_bad(v, CAL_FMT_AUTO, "line 18: DTSTART is not a valid date");
	free(v);
	v = ics_variant(18, "DTSTART:20260101T090000", 0);
	expect_bad(v, CAL_FMT_AUTO, "line 18: DTSTART must be a date");
	free(v);
	v = ics_variant(19, "DTEND;VALUE=DATE:20251231", 0);
	expect_bad(v, CAL_FMT_AUTO, "line 22: DTEND must be after DTSTART");
	free(v);
	v = ics_variant(18, "this line has no colon", 0);
	expect_bad(v, CAL_FMT_AUTO, "line 18: expected NAME:VALUE");
	free(v);
	v = ics_variant(22, "END:VTODO", 0);
	expect_bad(v, CAL_FMT_AUTO, "line 22: END:VTODO does not match BEGIN:VEVENT");
	free(v);
	v = ics_variant(20, "RRULE:FREQ=YEARLY", 0);
	expect_bad(v, CAL_FMT_AUTO, "line 20: RRULE is not supported");
	free(v);
	v = ics_variant(0, "", 30);
	expect_bad(v, CAL_FMT_AUTO, "line 30: the file ends before END:VCALENDAR");
	free(v);
	v = ics_variant(1, "BEGIN:VCARD", 0);
	expect_bad(v, CAL_FMT_AUTO, "line 1: the file must start with BEGIN:VCALENDAR");
	free(v);
	v = ics_variant(18, " folded", 0);
	/* a continuation joins line 17 (SUMMARY), so the event lacks DTSTART */
	expect_bad(v, CAL_FMT_AUTO, "line 22: event without DTSTART");
	free(v);
	expect_bad("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", CAL_FMT_ICS, "no days");
	expect_bad("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nDTSTART;VALUE=DATE:20260101\r\n"
		   "DTEND;VALUE=DATE:20260601\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", CAL_FMT_ICS, "line 6: event spans");
	expect_bad("BEGIN:VCALENDAR\nEND:VCALENDAR\nBEGIN:VEVENT\n", CAL_FMT_ICS, "line 3: text after END:VCALENDAR");
	expect_bad("BEGIN:VCALENDAR\n\xff\xfe\n", CAL_FMT_ICS, "not UTF-8");
}

static void test_ics_kinds_and_folding(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal_import imp = { 0 };
	static const char ics[] =
		"BEGIN:VCALENDAR\n"
		"BEGIN:VEVENT\n"
		"SUMMARY:公司\n"
		" 年会假期\n"
		"DTSTART;VALUE=DATE:20270105\n"
		"END:VEVENT\n"
		"BEGIN:VEVENT\n"
		"SUMMARY:年会补班\n"
		"DTSTART;VALUE=DATE:20270109\n"
		"DTEND;VALUE=DATE:20270110\n"
		"END:VEVENT\n"
		"END:VCALENDAR\n";
	(void)state;

	assert_int_equal(cal_import_parse(ics, strlen(ics), CAL_FMT_AUTO, &imp, &err), 0);
	assert_int_equal(imp.n, 2);
	assert_int_equal(find(&imp, "2027-01-05")->kind, CAL_DAY_OFF);
	assert_string_equal(find(&imp, "2027-01-05")->name, "公司年会");
	assert_int_equal(find(&imp, "2027-01-09")->kind, CAL_DAY_WORKDAY);
	cal_import_release(&imp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_example),
		cmocka_unit_test(test_ics_examples_match_json),
		cmocka_unit_test(test_shipped_data_matches_reference),
		cmocka_unit_test(test_json_broken),
		cmocka_unit_test(test_ics_broken),
		cmocka_unit_test(test_ics_kinds_and_folding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
