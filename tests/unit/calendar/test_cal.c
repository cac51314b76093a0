/*
 * test_cal.c - calendar arithmetic and time zones: targeted cases across
 * the mainland holidays and a DST zone, then seeded property tests.
 */
#include "core/yw.h"
#include "core/embed.h"
#include "core/ytime.h"
#include "domain/calendar/cal.h"
#include "domain/calendar/cal_tz.h"
#include <setjmp.h>
#include <cmocka.h>

extern const struct embed_file calendars_files[];

/* ---- fixtures ---- */

static void set_week(struct cal *c, int from, int to, const char *spec)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal_daywin w;

	assert_int_equal(cal_daywin_parse(spec, &w, "w", &err), 0);
	for (int wd = from; wd <= to; wd++)
		assert_int_equal(cal_set_week(c, wd, &w, &err), 0);
}

static void add_shipped_days(struct cal *c)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal_import imp = { 0 };
	const struct embed_file *f;

	for (f = calendars_files; f->path; f++)
		if (!strcmp(f->path, "cn-mainland.json"))
			break;
	assert_non_null(f->path);
	assert_int_equal(cal_import_parse((const char *)f->data, f->size, CAL_FMT_JSON, &imp, &err), 0);
	for (size_t i = 0; i < imp.n; i++)
		assert_int_equal(cal_set_day(c, imp.days[i].day, imp.days[i].kind, NULL, imp.days[i].name, &err), 0);
	cal_import_release(&imp);
}

/* cn-workday: Mon-Fri 09:00-18:00 with the shipped holidays */
static struct cal *cn_workday(const char *spec)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal *c;

	assert_int_equal(cal_new("Asia/Shanghai", &c, &err), 0);
	set_week(c, 0, 4, spec ? spec : "09:00-18:00");
	add_shipped_days(c);
	return c;
}

static struct cal *berlin(const char *spec)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal *c;

	assert_int_equal(cal_new("Europe/Berlin", &c, &err), 0);
	set_week(c, 0, 6, spec);
	return c;
}

static int64_t at(const char *iso)
{
	int64_t t;
	if (yw_parse_iso(iso, &t))
		fail_msg("bad test time %s", iso);
	return t;
}

static void expect_add(const struct cal *c, const char *from, int64_t minutes, const char *want)
{
	struct yw_err err = YW_ERR_INIT;
	char buf[40];
	int64_t out, back;

	assert_int_equal(cal_add_minutes(c, at(from), minutes, &out, &err), 0);
	assert_string_equal(cal_fmt_local(c, out, buf, sizeof(buf)), want);
	assert_int_equal(cal_between(c, at(from), out, &back, &err), 0);
	assert_int_equal(back, minutes);
}

static void expect_between(const struct cal *c, const char *from, const char *to, int64_t want)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t m;

	assert_int_equal(cal_between(c, at(from), at(to), &m, &err), 0);
	assert_int_equal(m, want);
}

/* ---- targeted cases ---- */

static void test_spring_festival_2026(void **state)
{
	struct cal *c = cn_workday(NULL);
	(void)state;

	/* Fri 13th, then the make-up Saturday 14th */
	expect_add(c, "2026-02-13T17:00:00+08:00", 60, "2026-02-13T18:00:00+08:00");
	expect_add(c, "2026-02-13T17:00:00+08:00", 120, "2026-02-14T10:00:00+08:00");
	/* Sat 14th evening: the holiday runs 15th-23rd, work resumes Tue 24th */
	expect_add(c, "2026-02-14T17:00:00+08:00", 120, "2026-02-24T10:00:00+08:00");
	/* a ticket opened during the holiday starts counting on the 24th */
	expect_add(c, "2026-02-17T11:00:00+08:00", 30, "2026-02-24T09:30:00+08:00");
	/* Fri 27th, then the make-up Saturday 28th, then Monday March 2nd */
	expect_add(c, "2026-02-27T17:00:00+08:00", 120, "2026-02-28T10:00:00+08:00");
	expect_add(c, "2026-02-28T17:30:00+08:00", 60, "2026-03-02T09:30:00+08:00");
	/* 13, 14, 24, 25, 26, 27, 28: seven days of nine hours */
	expect_between(c, "2026-02-13T09:00:00+08:00", "2026-02-28T18:00:00+08:00", 7 * 540);
	expect_between(c, "2026-02-15T00:00:00+08:00", "2026-02-24T00:00:00+08:00", 0);
	assert_true(cal_is_working(c, at("2026-02-14T10:00:00+08:00")));
	assert_true(cal_is_working(c, at("2026-02-28T10:00:00+08:00")));
	assert_false(cal_is_working(c, at("2026-02-16T10:00:00+08:00")));
	assert_false(cal_is_working(c, at("2026-02-21T10:00:00+08:00")));
	cal_free(c);
}

static void test_national_day(void **state)
{
	struct cal *c = cn_workday(NULL);
	(void)state;

	/* 2025: Oct 1-8 off; Sun Sep 28 and Sat Oct 11 are make-up workdays */
	expect_add(c, "2025-09-26T17:00:00+08:00", 120, "2025-09-28T10:00:00+08:00");
	expect_add(c, "2025-09-30T17:00:00+08:00", 120, "2025-10-09T10:00:00+08:00");
	expect_add(c, "2025-10-10T17:00:00+08:00", 120, "2025-10-11T10:00:00+08:00");
	expect_between(c, "2025-09-29T00:00:00+08:00", "2025-10-13T00:00:00+08:00", 5 * 540);
	/* 2026: Mid-Autumn Sep 25-27, Oct 1-7 off; Sun Sep 20 and Sat Oct 10 work */
	expect_add(c, "2026-09-18T17:00:00+08:00", 120, "2026-09-20T10:00:00+08:00");
	expect_add(c, "2026-09-24T17:00:00+08:00", 120, "2026-09-28T10:00:00+08:00");
	expect_add(c, "2026-09-30T17:00:00+08:00", 120, "2026-10-08T10:00:00+08:00");
	expect_add(c, "2026-10-09T17:00:00+08:00", 120, "2026-10-10T10:00:00+08:00");
	expect_between(c, "2026-10-01T00:00:00+08:00", "2026-10-08T00:00:00+08:00", 0);
	cal_free(c);
}

static void test_lunch_break(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal *c = cn_workday("09:00-12:00,13:30-18:00");
	int64_t t;
	(void)state;

	/* a result that uses up the morning ends at 12:00, not in the afternoon */
	expect_add(c, "2026-03-10T11:30:00+08:00", 30, "2026-03-10T12:00:00+08:00");
	expect_add(c, "2026-03-10T11:30:00+08:00", 31, "2026-03-10T13:31:00+08:00");
	/* starting in the break counts from 13:30 */
	expect_add(c, "2026-03-10T12:30:00+08:00", 10, "2026-03-10T13:40:00+08:00");
	expect_between(c, "2026-03-10T11:00:00+08:00", "2026-03-10T14:00:00+08:00", 90);
	expect_between(c, "2026-03-10T12:05:00+08:00", "2026-03-10T13:25:00+08:00", 0);
	assert_false(cal_is_working(c, at("2026-03-10T12:30:00+08:00")));
	assert_true(cal_is_working(c, at("2026-03-10T11:59:59+08:00")));
	assert_false(cal_is_working(c, at("2026-03-10T12:00:00+08:00")));
	assert_int_equal(cal_next_working(c, at("2026-03-10T12:30:00+08:00"), &t, &err), 0);
	assert_int_equal(t, at("2026-03-10T13:30:00+08:00"));
	/* a make-up workday takes the Monday windows, lunch break included */
	expect_between(c, "2026-02-14T00:00:00+08:00", "2026-02-15T00:00:00+08:00", 180 + 270);
	cal_free(c);
}

static void test_berlin_dst(void **state)
{
	struct cal *c = berlin("01:00-04:00,09:00-18:00");
	const struct cal_tz *tz;
	struct yw_err err = YW_ERR_INIT;
	char buf[40];
	(void)state;

	assert_int_equal(cal_tz_get("Europe/Berlin", &tz, &err), 0);
	assert_int_equal(cal_tz_offset(tz, at("2026-03-29T00:59:59Z")), 3600);
	assert_int_equal(cal_tz_offset(tz, at("2026-03-29T01:00:00Z")), 7200);
	assert_int_equal(cal_tz_offset(tz, at("2026-10-25T00:59:59Z")), 7200);
	assert_int_equal(cal_tz_offset(tz, at("2026-10-25T01:00:00Z")), 3600);
	/* after the file's last transition the footer rule takes over */
	assert_int_equal(cal_tz_offset(tz, at("2150-07-01T00:00:00Z")), 7200);
	assert_int_equal(cal_tz_offset(tz, at("2150-01-01T00:00:00Z")), 3600);

	/* spring forward: 02:00 CET becomes 03:00 CEST; 01:00-04:00 holds 2 hours */
	expect_between(c, "2026-03-29T00:00:00+01:00", "2026-03-29T12:00:00+02:00", 120 + 180);
	expect_add(c, "2026-03-29T01:30:00+01:00", 60, "2026-03-29T03:30:00+02:00");
	expect_add(c, "2026-03-29T03:30:00+02:00", 60, "2026-03-29T09:30:00+02:00");
	/* fall back: 03:00 CEST becomes 02:00 CET; 01:00-04:00 holds 4 hours */
	expect_between(c, "2026-10-25T00:00:00+02:00", "2026-10-25T05:00:00+01:00", 240);
	expect_add(c, "2026-10-25T01:30:00+02:00", 120, "2026-10-25T02:30:00+01:00");
	expect_add(c, "2026-10-25T01:30:00+02:00", 210, "2026-10-25T04:00:00+01:00");
	/* an ordinary day on either side */
	expect_between(c, "2026-03-28T00:00:00+01:00", "2026-03-29T00:00:00+01:00", 180 + 540);
	expect_between(c, "2026-10-24T00:00:00+02:00", "2026-10-25T00:00:00+02:00", 180 + 540);
	/* 09:00 is 08:00Z in winter and 07:00Z in summer */
	expect_add(c, "2026-03-27T18:00:00+01:00", 1, "2026-03-28T01:01:00+01:00");
	assert_true(cal_is_working(c, at("2026-03-29T07:00:00Z")));
	assert_false(cal_is_working(c, at("2026-03-29T06:59:59Z")));
	assert_true(cal_is_working(c, at("2026-10-26T08:00:00Z")));
	assert_false(cal_is_working(c, at("2026-10-26T07:59:59Z")));
	assert_string_equal(cal_fmt_local(c, at("2026-07-01T12:00:00Z"), buf, sizeof(buf)),
			    "2026-07-01T14:00:00+02:00");
	cal_free(c);
}

static void test_wall_time_parsing(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal *b = berlin("09:00-18:00"), *s = cn_workday(NULL);
	int64_t t;
	(void)state;

	assert_int_equal(cal_parse_instant(s, "2026-02-13T17:00", "at", &t, &err), 0);
	assert_int_equal(t, at("2026-02-13T09:00:00Z"));
	assert_int_equal(cal_parse_instant(s, "2026-02-13", "at", &t, &err), 0);
	assert_int_equal(t, at("2026-02-12T16:00:00Z"));
	assert_int_equal(cal_parse_instant(b, "2026-07-01T10:00", "at", &t, &err), 0);
	assert_int_equal(t, at("2026-07-01T08:00:00Z"));
	/* 02:30 does not exist on 2026-03-29: moved forward to 03:30 CEST */
	assert_int_equal(cal_parse_instant(b, "2026-03-29T02:30", "at", &t, &err), 0);
	assert_int_equal(t, at("2026-03-29T01:30:00Z"));
	/* 02:30 happens twice on 2026-10-25: the first one (CEST) */
	assert_int_equal(cal_parse_instant(b, "2026-10-25T02:30", "at", &t, &err), 0);
	assert_int_equal(t, at("2026-10-25T00:30:00Z"));
	/* an explicit offset wins */
	assert_int_equal(cal_parse_instant(b, "2026-07-01T10:00:00Z", "at", &t, &err), 0);
	assert_int_equal(t, at("2026-07-01T10:00:00Z"));
	assert_int_equal(cal_parse_instant(b, "2026-13-01T10:00", "at", &t, &err), YW_EINVAL);
	assert_string_equal(err.field, "at");
	assert_int_equal(cal_parse_instant(b, "tomorrow", "at", &t, &err), YW_EINVAL);
	cal_free(b);
	cal_free(s);
}

static void test_edges(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal *c = cn_workday(NULL), *empty;
	int64_t out, m;
	int64_t holiday = at("2026-02-17T10:00:00+08:00");
	(void)state;

	/* zero minutes: the instant itself, even on a holiday */
	assert_int_equal(cal_add_minutes(c, holiday, 0, &out, &err), 0);
	assert_int_equal(out, holiday);
	assert_int_equal(cal_between(c, holiday, holiday, &m, &err), 0);
	assert_int_equal(m, 0);
	/* negative input is rejected */
	assert_int_equal(cal_add_minutes(c, holiday, -1, &out, &err), YW_EINVAL);
	assert_string_equal(err.field, "minutes");
	assert_int_equal(cal_between(c, holiday, holiday - 60, &m, &err), YW_EINVAL);
	assert_string_equal(err.field, "to");
	/* the horizon: 10 years */
	assert_int_equal(cal_add_minutes(c, holiday, (int64_t)CAL_HORIZON_DAYS * 1440 + 1, &out, &err), YW_EINVAL);
	assert_int_equal(cal_between(c, holiday, holiday + 11LL * 366 * 86400, &m, &err), YW_EINVAL);
	/* instants far in the future are refused, not computed */
	assert_int_equal(cal_add_minutes(c, at("2300-01-01T00:00:00Z"), 10, &out, &err), YW_EINVAL);
	assert_false(cal_is_working(c, at("2300-01-02T10:00:00Z")));
	assert_int_equal(cal_add_minutes(c, -86400, 10, &out, &err), YW_EINVAL);
	/* nine years of working minutes is fine (about 2 250 days of 9 hours) */
	assert_int_equal(cal_add_minutes(c, holiday, 2250LL * 540, &out, &err), 0);
	assert_int_equal(cal_between(c, holiday, out, &m, &err), 0);
	assert_int_equal(m, 2250LL * 540);
	/* a calendar without working time fails instead of searching forever */
	assert_int_equal(cal_new("Asia/Shanghai", &empty, &err), 0);
	assert_int_equal(cal_add_minutes(empty, holiday, 1, &out, &err), YW_EINVAL);
	assert_int_equal(cal_next_working(empty, holiday, &out, &err), YW_EINVAL);
	assert_int_equal(cal_between(empty, holiday, holiday + 86400 * 30, &m, &err), 0);
	assert_int_equal(m, 0);
	cal_free(empty);
	cal_free(c);
}

static void test_window_validation(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal_daywin w;
	json_t *j;
	(void)state;

	assert_int_equal(cal_daywin_parse("09:00-12:00,11:00-13:00", &w, "mon", &err), YW_EINVAL);
	assert_non_null(strstr(err.msg, "overlap"));
	assert_int_equal(cal_daywin_parse("12:00-09:00", &w, "mon", &err), YW_EINVAL);
	assert_int_equal(cal_daywin_parse("12:00-12:00", &w, "mon", &err), YW_EINVAL);
	assert_int_equal(cal_daywin_parse("9:00-12:00", &w, "mon", &err), YW_EINVAL);
	assert_int_equal(cal_daywin_parse("09:60-12:00", &w, "mon", &err), YW_EINVAL);
	assert_int_equal(cal_daywin_parse("00:00-24:00", &w, "mon", &err), 0);
	assert_int_equal(cal_daywin_parse("00:00-24:01", &w, "mon", &err), YW_EINVAL);
	assert_int_equal(cal_daywin_parse("09:00-12:00,13:30-18:00", &w, "mon", &err), 0);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.w[1].start, 13 * 60 + 30);

	struct cal_daywin week[7];
	j = json_loads("{\"mon\":[{\"start\":\"09:00\",\"end\":\"12:00\"}],\"xyz\":[]}", 0, NULL);
	assert_int_equal(cal_week_from_json(j, week, &err), YW_EINVAL);
	assert_string_equal(err.field, "windows");
	json_decref(j);
	j = json_loads("{\"tue\":[{\"start\":\"13:00\",\"end\":\"12:00\"}]}", 0, NULL);
	assert_int_equal(cal_week_from_json(j, week, &err), YW_EINVAL);
	assert_string_equal(err.field, "windows.tue");
	json_decref(j);
	j = json_loads("{\"sun\":[{\"start\":\"9h\",\"end\":\"12:00\"}]}", 0, NULL);
	assert_int_equal(cal_week_from_json(j, week, &err), YW_EINVAL);
	assert_string_equal(err.field, "windows.sun");
	json_decref(j);
	j = json_loads("{\"mon\":[{\"start\":\"00:00\",\"end\":\"01:00\"},{\"start\":\"01:00\",\"end\":\"02:00\"},"
		       "{\"start\":\"02:00\",\"end\":\"03:00\"},{\"start\":\"03:00\",\"end\":\"04:00\"},"
		       "{\"start\":\"04:00\",\"end\":\"05:00\"},{\"start\":\"05:00\",\"end\":\"06:00\"},"
		       "{\"start\":\"06:00\",\"end\":\"07:00\"},{\"start\":\"07:00\",\"end\":\"08:00\"},"
		       "{\"start\":\"08:00\",\"end\":\"09:00\"}]}", 0, NULL);
	assert_int_equal(cal_week_from_json(j, week, &err), YW_EINVAL);
	assert_string_equal(err.field, "windows.mon");
	json_decref(j);
}

static void test_tz_names(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	const struct cal_tz *tz;
	static const unsigned char v1[] = "TZif\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
	struct cal_tz *own;
	(void)state;

	assert_int_equal(cal_tz_get("Asia/Shanghai", &tz, &err), 0);
	assert_int_equal(cal_tz_offset(tz, at("2026-01-01T00:00:00Z")), 8 * 3600);
	assert_int_equal(cal_tz_get("UTC", &tz, &err), 0);
	assert_int_equal(cal_tz_offset(tz, at("2026-01-01T00:00:00Z")), 0);
	assert_int_equal(cal_tz_get("Mars/Olympus", &tz, &err), YW_EINVAL);
	assert_string_equal(err.field, "timezone");
	assert_int_equal(cal_tz_get("../../etc/passwd", &tz, &err), YW_EINVAL);
	assert_int_equal(cal_tz_get("/etc/passwd", &tz, &err), YW_EINVAL);
	assert_int_equal(cal_tz_get("", &tz, &err), YW_EINVAL);
	assert_int_equal(cal_tz_get("Asia", &tz, &err), YW_EINVAL);
	assert_int_equal(cal_tz_parse("x", v1, sizeof(v1), &own, &err), YW_EINVAL);
	assert_int_equal(cal_tz_parse("x", (const unsigned char *)"hello", 5, &own, &err), YW_EINVAL);
}

/* ---- property tests ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: fixed seed, so a failure replays */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static int64_t rnd_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo));
}

/* The zone offsets agree with the C library's own reading of the same files. */
static void test_prop_tz_vs_libc(void **state)
{
	static const char *const zones[] = {
		"Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Shanghai",
		"America/Sao_Paulo", "Pacific/Auckland", "Africa/Casablanca", "America/Santiago",
		"Asia/Kolkata", "Europe/London", "Pacific/Chatham", "Asia/Tehran",
	};
	struct yw_err err = YW_ERR_INIT;
	(void)state;

	rng_state = 0x9e3779b97f4a7c15ULL;
	for (size_t z = 0; z < ARRAY_SIZE(zones); z++) {
		const struct cal_tz *tz;
		assert_int_equal(cal_tz_get(zones[z], &tz, &err), 0);
		setenv("TZ", zones[z], 1);
		tzset();
		for (int i = 0; i < 4000; i++) {
			int64_t t = rnd_range(0, at("2199-01-01T00:00:00Z"));
			time_t tt = (time_t)t;
			struct tm tm;
			localtime_r(&tt, &tm);
			if (cal_tz_offset(tz, t) != tm.tm_gmtoff)
				fail_msg("%s at %" PRId64 ": %d, libc %ld", zones[z], t, cal_tz_offset(tz, t),
					 tm.tm_gmtoff);
			/* next_change really is the next change */
			int64_t nc = cal_tz_next_change(tz, t);
			if (nc != INT64_MAX && nc - t < 400LL * 86400) {
				assert_true(nc > t);
				int64_t mid = t + (nc - t) / 2;
				assert_int_equal(cal_tz_offset(tz, mid), cal_tz_offset(tz, t));
			}
			/* wall time round trip: the earliest instant showing that wall time */
			int64_t local = t + cal_tz_offset(tz, t);
			int64_t back = cal_tz_to_utc(tz, local);
			assert_true(back <= t);
			assert_int_equal(back + cal_tz_offset(tz, back), local);
		}
	}
	unsetenv("TZ");
	tzset();
}

/* An independent model of a fixed +08:00 calendar, minute by minute. */
static bool ref_working(const struct cal *c, int64_t t)
{
	int64_t local = t + 8 * 3600;
	int32_t day = (int32_t)(local / 86400);
	int minute = (int)(local % 86400 / 60);
	const struct cal_daywin *w = &c->week[(day + 3) % 7];
	const struct cal_day *d = cal_find_day(c, day);

	if (d && d->kind == CAL_DAY_OFF)
		return false;
	if (d)
		w = &c->week[0];
	for (size_t i = 0; i < w->n; i++)
		if (minute >= w->w[i].start && minute < w->w[i].end)
			return true;
	return false;
}

static void test_prop_add_then_measure(void **state)
{
	struct cal *cals[4];
	struct yw_err err = YW_ERR_INIT;
	int64_t lo = at("2024-12-01T00:00:00Z"), hi = at("2026-12-01T00:00:00Z");
	(void)state;

	cals[0] = cn_workday(NULL);
	cals[1] = cn_workday("09:00-12:00,13:30-18:00");
	cals[2] = berlin("01:00-04:00,09:00-18:00");
	assert_int_equal(cal_new("Asia/Shanghai", &cals[3], &err), 0);
	set_week(cals[3], 0, 6, "00:00-24:00");

	rng_state = 20260214;
	for (int i = 0; i < 20000; i++) {
		struct cal *c = cals[rnd() % 4];
		int64_t t = rnd_range(lo, hi);
		int64_t n = rnd() % 4 == 0 ? (int64_t)(rnd() % 60) : (int64_t)(rnd() % 20000);
		int64_t r, r2, back, nw;

		if (rnd() % 3 == 0)
			t -= t % 60;   /* whole minutes, like most real times */
		assert_int_equal(cal_add_minutes(c, t, n, &r, &err), 0);
		assert_true(r >= t);
		assert_int_equal(cal_between(c, t, r, &back, &err), 0);
		if (back != n)
			fail_msg("case %d: add %" PRId64 " from %" PRId64 " gave %" PRId64 ", measured %" PRId64,
				 i, n, t, r, back);
		if (n > 0) {
			/* the last second counted is working time, on a working day */
			int32_t day = cal_local_day(c, r - 1);
			const struct cal_day *d = cal_find_day(c, day);
			assert_true(cal_is_working(c, r - 1));
			assert_true(d == NULL || d->kind == CAL_DAY_WORKDAY);
			if (c == cals[0] || c == cals[1]) {
				int wd = (int)((day + 3) % 7);
				/* a weekend result only on a make-up workday */
				assert_true(wd < 5 || (d && d->kind == CAL_DAY_WORKDAY));
				assert_true(ref_working(c, r - 1));
			}
			/* adding in two steps is adding once */
			int64_t a = 1 + (int64_t)(rnd() % (uint64_t)n);
			if (a < n) {
				int64_t mid;
				assert_int_equal(cal_add_minutes(c, t, a, &mid, &err), 0);
				assert_int_equal(cal_add_minutes(c, mid, n - a, &r2, &err), 0);
				assert_int_equal(r2, r);
			}
			/* one more minute lands later */
			assert_int_equal(cal_add_minutes(c, t, n + 1, &r2, &err), 0);
			assert_true(r2 > r);
		}
		/* the next working instant is working and no working time lies before it */
		assert_int_equal(cal_next_working(c, t, &nw, &err), 0);
		assert_true(cal_is_working(c, nw));
		assert_int_equal(cal_between(c, t, nw, &back, &err), 0);
		assert_int_equal(back, 0);
		assert_int_equal(cal_is_working(c, t), nw == t);
	}
	for (size_t i = 0; i < ARRAY_SIZE(cals); i++)
		cal_free(cals[i]);
}

/* cal_between against counting minute by minute in the independent model. */
static void test_prop_between_vs_model(void **state)
{
	struct cal *cals[2] = { cn_workday(NULL), cn_workday("09:00-12:00,13:30-18:00") };
	struct yw_err err = YW_ERR_INIT;
	int64_t lo = at("2025-01-01T00:00:00Z") / 60, hi = at("2026-12-25T00:00:00Z") / 60;
	(void)state;

	rng_state = 20251001;
	for (int i = 0; i < 600; i++) {
		struct cal *c = cals[i % 2];
		int64_t from = rnd_range(lo, hi) * 60, to = from + rnd_range(0, 5 * 1440) * 60;
		int64_t m, want = 0;
		for (int64_t t = from; t < to; t += 60)
			want += ref_working(c, t);
		assert_int_equal(cal_between(c, from, to, &m, &err), 0);
		if (m != want)
			fail_msg("case %d: between %" PRId64 " and %" PRId64 ": %" PRId64 ", model %" PRId64,
				 i, from, to, m, want);
	}
	cal_free(cals[0]);
	cal_free(cals[1]);
}

/*
 * The cost follows the days spanned, not the minutes: counted in days
 * examined, so the check does not depend on how busy the machine is.
 */
static void test_cost_grows_with_days(void **state)
{
	struct cal *c = cn_workday(NULL);
	struct yw_err err = YW_ERR_INIT;
	int64_t t0 = at("2026-01-05T09:00:00+08:00"), out, m;
	(void)state;

	cal_days_examined = 0;
	assert_int_equal(cal_add_minutes(c, t0, 1, &out, &err), 0);
	assert_true(cal_days_examined <= 3);
	/* five working days (a week of calendar days, 2700 minutes) */
	cal_days_examined = 0;
	assert_int_equal(cal_add_minutes(c, t0, 5 * 540, &out, &err), 0);
	assert_true(cal_days_examined <= 9);
	/* sixty working days across Spring Festival: about ninety calendar days */
	cal_days_examined = 0;
	assert_int_equal(cal_add_minutes(c, t0, 60 * 540, &out, &err), 0);
	assert_true(cal_days_examined <= 100);
	/* a long span fills the running totals once (the span and a year each way)... */
	cal_days_examined = 0;
	assert_int_equal(cal_between(c, t0, out, &m, &err), 0);
	assert_int_equal(m, 60 * 540);
	assert_true(cal_days_examined <= 100 + 2 * 366 + 8);
	/* ...after which any span inside them walks only its two ends */
	cal_days_examined = 0;
	assert_int_equal(cal_between(c, t0 + 86400, out, &m, &err), 0);
	assert_int_equal(m, 59 * 540);
	assert_true(cal_days_examined <= 8);
	cal_free(c);
}

/* Sum of a span the slow way: every local day walked and clipped. */
static int64_t walked(const struct cal *c, int64_t from, int64_t to)
{
	struct cal_interval iv[CAL_MAX_INTERVALS];
	int64_t sum = 0;

	for (int32_t d = cal_local_day(c, from) - 1; d <= cal_local_day(c, to) + 1; d++) {
		size_t n = cal_day_intervals(c, d, iv);
		for (size_t i = 0; i < n; i++) {
			int64_t s = iv[i].start > from ? iv[i].start : from;
			int64_t e = iv[i].end < to ? iv[i].end : to;
			if (s < e)
				sum += e - s;
		}
	}
	return sum;
}

/*
 * Long spans go through the running totals: the same answer as walking
 * every day, over years, across DST changes (Berlin, with a window at
 * the change hour) and Chinese holidays, and a day changed afterwards
 * changes the answer (the totals are dropped with it).
 */
static void test_prop_between_long_spans(void **state)
{
	struct cal *cals[3] = { cn_workday(NULL), berlin("01:00-04:00,09:00-18:00"), cn_workday("00:00-24:00") };
	struct yw_err err = YW_ERR_INIT;
	int64_t lo = at("2024-01-01T00:00:00Z"), hi = at("2027-12-31T00:00:00Z");
	(void)state;

	rng_state = 20261125;
	for (int i = 0; i < 3000; i++) {
		struct cal *c = cals[i % 3];
		int64_t from = rnd_range(lo / 60, hi / 60) * 60 + rnd_range(0, 59);
		int64_t to = from + rnd_range(0, i % 10 ? 400 : 3600) * 86400 + rnd_range(0, 86399);
		int64_t got;
		if (to > hi + 400 * 86400)
			to = hi + 400 * 86400;
		assert_int_equal(cal_between_seconds(c, from, to, &got, &err), 0);
		if (got != walked(c, from, to))
			fail_msg("case %d: %" PRId64 " .. %" PRId64 ": %" PRId64 ", walked %" PRId64, i, from, to, got,
				 walked(c, from, to));
	}
	/* a holiday set after the totals were filled counts */
	struct cal *c = cals[0];
	int64_t from = at("2026-06-01T00:00:00+08:00"), to = at("2026-09-30T00:00:00+08:00"), before, after;
	struct cal_daywin none = { 0 };
	assert_int_equal(cal_between_seconds(c, from, to, &before, &err), 0);
	assert_int_equal(cal_set_day(c, cal_local_day(c, at("2026-07-15T12:00:00+08:00")), CAL_DAY_OFF, &none, "测试",
				     &err), 0);
	assert_int_equal(cal_between_seconds(c, from, to, &after, &err), 0);
	assert_int_equal(before - after, 9 * 3600);
	assert_int_equal(after, walked(c, from, to));
	for (int i = 0; i < 3; i++)
		cal_free(cals[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spring_festival_2026),
		cmocka_unit_test(test_national_day),
		cmocka_unit_test(test_lunch_break),
		cmocka_unit_test(test_berlin_dst),
		cmocka_unit_test(test_wall_time_parsing),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_window_validation),
		cmocka_unit_test(test_tz_names),
		cmocka_unit_test(test_prop_tz_vs_libc),
		cmocka_unit_test(test_prop_add_then_measure),
		cmocka_unit_test(test_prop_between_vs_model),
		cmocka_unit_test(test_cost_grows_with_days),
		cmocka_unit_test(test_prop_between_long_spans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
