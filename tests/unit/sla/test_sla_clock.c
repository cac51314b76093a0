/*
 * test_sla_clock.c - SLA clock arithmetic on the mainland working
 * calendar: start, thresholds, pause over Spring Festival 2026 (with the
 * make-up Saturday 2026-02-14), resume, stop, reopen, re-target to another
 * calendar, and the policy matcher.
 */
#include "core/yw.h"
#include "core/embed.h"
#include "core/ytime.h"
#include "domain/calendar/cal.h"
#include "domain/sla/sla.h"
#include <setjmp.h>
#include <cmocka.h>

extern const struct embed_file calendars_files[];

static struct cal *workday, *round_clock;

static int64_t at(const char *iso)
{
	int64_t t;
	assert_int_equal(yw_parse_iso(iso, &t), 0);
	return t;
}

static int setup(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct cal_import imp = { 0 };
	struct cal_daywin w;
	const struct embed_file *f;

	assert_int_equal(cal_new("Asia/Shanghai", &workday, &err), 0);
	assert_int_equal(cal_daywin_parse("09:00-18:00", &w, "w", &err), 0);
	for (int wd = 0; wd < 5; wd++)
		assert_int_equal(cal_set_week(workday, wd, &w, &err), 0);
	for (f = calendars_files; f->path && strcmp(f->path, "cn-mainland.json"); f++)
		;
	assert_non_null(f->path);
	assert_int_equal(cal_import_parse((const char *)f->data, f->size, CAL_FMT_JSON, &imp, &err), 0);
	for (size_t i = 0; i < imp.n; i++)
		assert_int_equal(cal_set_day(workday, imp.days[i].day, imp.days[i].kind, NULL, imp.days[i].name, &err), 0);
	cal_import_release(&imp);

	assert_int_equal(cal_new("Asia/Shanghai", &round_clock, &err), 0);
	assert_int_equal(cal_daywin_parse("00:00-24:00", &w, "w", &err), 0);
	for (int wd = 0; wd < 7; wd++)
		assert_int_equal(cal_set_week(round_clock, wd, &w, &err), 0);
	return 0;
}

static int teardown(void **state)
{
	cal_free(workday);
	cal_free(round_clock);
	return 0;
}

static struct sla_clock clock_of(int64_t minutes)
{
	struct sla_clock c;
	memset(&c, 0, sizeof(c));
	c.target = SLA_RESPONSE;
	c.target_minutes = minutes;
	c.calendar_id = 2;
	return c;
}

static void test_start_and_thresholds_across_the_makeup_saturday(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct sla_clock c = clock_of(120);
	int64_t t;

	/* Friday 2026-02-13 17:00: one hour left that day; Saturday 02-14 is a make-up workday */
	assert_int_equal(sla_clock_start(&c, workday, at("2026-02-13T17:00:00+08:00"), 50, &err), 0);
	assert_int_equal(c.due_at, at("2026-02-14T10:00:00+08:00"));
	/* 50% is reached at the end of Friday's window, not on Saturday morning */
	assert_int_equal(c.warn_at, at("2026-02-13T18:00:00+08:00"));
	assert_int_equal(sla_clock_threshold_at(&c, workday, 80, &t, &err), 0);
	assert_int_equal(t, at("2026-02-14T09:36:00+08:00"));
	assert_int_equal(sla_clock_threshold_at(&c, workday, SLA_BREACH, &t, &err), 0);
	assert_int_equal(t, c.due_at);
}

static void test_pause_over_spring_festival(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct sla_clock c = clock_of(120);
	enum sla_state s;
	int64_t rem;

	assert_int_equal(sla_clock_start(&c, workday, at("2026-02-13T17:00:00+08:00"), 80, &err), 0);
	/* pending on the customer from Saturday 09:30: 90 working minutes used */
	assert_int_equal(sla_clock_pause(&c, workday, at("2026-02-14T09:30:00+08:00"), &err), 0);
	assert_true(c.paused);
	assert_int_equal(c.consumed, 90 * 60);
	assert_int_equal(c.due_at, 0);
	/* paused through the holiday (02-15..02-23): the state stays paused, 30 min left */
	assert_int_equal(sla_clock_state(&c, workday, at("2026-02-20T12:00:00+08:00"), &s, &rem, &err), 0);
	assert_int_equal(s, SLA_PAUSED);
	assert_int_equal(rem, 30 * 60);
	/* the customer answers on the first workday after the festival */
	assert_int_equal(sla_clock_resume(&c, workday, at("2026-02-24T11:00:00+08:00"), 80, &err), 0);
	assert_false(c.paused);
	assert_int_equal(c.due_at, at("2026-02-24T11:30:00+08:00"));
	assert_int_equal(c.warn_at, at("2026-02-24T11:06:00+08:00"));
	assert_int_equal(sla_clock_state(&c, workday, at("2026-02-24T11:10:00+08:00"), &s, &rem, &err), 0);
	assert_int_equal(s, SLA_WARNING);
	assert_int_equal(sla_floor_minutes(rem), 20);
	assert_int_equal(sla_clock_state(&c, workday, at("2026-02-24T11:00:30+08:00"), &s, &rem, &err), 0);
	assert_int_equal(s, SLA_RUNNING);
	/* an overdue clock: the remaining time is negative working minutes */
	assert_int_equal(sla_clock_state(&c, workday, at("2026-02-24T12:00:00+08:00"), &s, &rem, &err), 0);
	assert_int_equal(s, SLA_BREACHED);
	assert_int_equal(sla_floor_minutes(rem), -30);
	/* stopping in time is met, late is breached */
	struct sla_clock late = c;
	assert_int_equal(sla_clock_stop(&c, workday, at("2026-02-24T11:20:00+08:00"), false, &err), 0);
	assert_int_equal(c.result, SLA_MET);
	assert_int_equal(c.consumed, 110 * 60);
	assert_int_equal(sla_clock_stop(&late, workday, at("2026-02-24T11:40:00+08:00"), false, &err), 0);
	assert_int_equal(late.result, SLA_BREACHED);
	assert_int_equal(sla_clock_state(&late, NULL, at("2026-03-01T00:00:00Z"), &s, &rem, &err), 0);
	assert_int_equal(s, SLA_BREACHED);
	assert_int_equal(sla_floor_minutes(rem), -10);
	/* stopping twice changes nothing */
	assert_int_equal(sla_clock_stop(&c, workday, at("2026-03-01T00:00:00Z"), false, &err), 0);
	assert_int_equal(c.consumed, 110 * 60);
}

static void test_reopen_starts_a_new_clock_on_the_next_makeup_day(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct sla_clock c = clock_of(1620);   /* three working days */

	/* reopened on Friday 2026-02-27 17:00; Saturday 02-28 is a make-up workday */
	assert_int_equal(sla_clock_start(&c, workday, at("2026-02-27T17:00:00+08:00"), 0, &err), 0);
	assert_int_equal(c.warn_at, 0);
	/* 60 min Fri + 540 Sat + 540 Mon 03-02 + 480 Tue 03-03 */
	assert_int_equal(c.due_at, at("2026-03-03T17:00:00+08:00"));
}

static void test_retarget_keeps_what_was_consumed(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct sla_clock c = clock_of(480);

	/* level 2 on the working calendar, started Monday 2026-03-02 09:00 */
	assert_int_equal(sla_clock_start(&c, workday, at("2026-03-02T09:00:00+08:00"), 50, &err), 0);
	/* re-graded to level 1 (240 min around the clock) at 12:00 */
	assert_int_equal(sla_clock_retarget(&c, workday, round_clock, at("2026-03-02T12:00:00+08:00"), 240, 1, 50,
					    &err), 0);
	/* 180 min used, 60 left around the clock */
	assert_int_equal(c.consumed, 180 * 60);
	assert_int_equal(c.due_at, at("2026-03-02T13:00:00+08:00"));
	/* 50% of 240 was already passed: the warning instant is the re-target instant */
	assert_int_equal(c.warn_at, at("2026-03-02T12:00:00+08:00"));
}

static void test_threshold_rounding_and_minutes(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct sla_clock c = clock_of(1);
	int64_t t, t0 = at("2026-03-02T10:00:00+08:00");

	assert_int_equal(sla_clock_start(&c, round_clock, t0, 1, &err), 0);
	/* 1% of 60 s rounds up to 1 s */
	assert_int_equal(c.warn_at, t0 + 1);
	assert_int_equal(sla_clock_threshold_at(&c, round_clock, 50, &t, &err), 0);
	assert_int_equal(t, t0 + 30);
	assert_int_equal(sla_floor_minutes(59), 0);
	assert_int_equal(sla_floor_minutes(-1), -1);
	assert_int_equal(sla_floor_minutes(-60), -1);
	assert_int_equal(sla_floor_minutes(-61), -2);
}

static void test_cost_grows_with_days_not_minutes(void **state)
{
	struct yw_err err = YW_ERR_INIT;
	struct sla_clock c = clock_of(300 * 540);   /* 300 working days */
	int64_t t0 = yw_now_ms();

	for (int i = 0; i < 200; i++)
		assert_int_equal(sla_clock_start(&c, workday, at("2025-01-02T09:00:00+08:00"), 80, &err), 0);
	/* 200 computations spanning over a year each: far below a second */
	assert_true(yw_now_ms() - t0 < 1000);
}

static void test_policy_match_first_wins(void **state)
{
	struct sla_policy p[3];
	struct sla_subject s;

	memset(p, 0, sizeof(p));
	for (int i = 0; i < 3; i++) {
		p[i].id = i + 1;
		p[i].t[SLA_RESPONSE].set = p[i].t[SLA_RESOLUTION].set = true;
	}
	snprintf(p[0].match_type, sizeof(p[0].match_type), "incident");
	p[0].match_fault_level = 1;
	p[1].match_category_id = 7;     /* a category and its subtree */
	/* p[2] matches anything */
	memset(&s, 0, sizeof(s));
	s.type = "incident";
	s.fault_level = 1;
	assert_int_equal(sla_policy_match(p, 3, &s)->id, 1);
	s.fault_level = 2;
	s.category_path[0] = 9;
	s.category_path[1] = 7;
	s.ncategory = 2;
	assert_int_equal(sla_policy_match(p, 3, &s)->id, 2);
	s.ncategory = 1;
	assert_int_equal(sla_policy_match(p, 3, &s)->id, 3);
	/* a policy without both mandatory targets never matches */
	p[2].t[SLA_RESOLUTION].set = false;
	assert_null(sla_policy_match(p, 3, &s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_and_thresholds_across_the_makeup_saturday),
		cmocka_unit_test(test_pause_over_spring_festival),
		cmocka_unit_test(test_reopen_starts_a_new_clock_on_the_next_makeup_day),
		cmocka_unit_test(test_retarget_keeps_what_was_consumed),
		cmocka_unit_test(test_threshold_rounding_and_minutes),
		cmocka_unit_test(test_cost_grows_with_days_not_minutes),
		cmocka_unit_test(test_policy_match_first_wins),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
