/*
 * test_tk_notify.c - times in the desk's notifications read as people
 * write them, in Asia/Shanghai: "2026-12-08 14:30", never ISO 8601.
 */
#include "yw.h"
#include <setjmp.h>
#include <cmocka.h>
#include "domain/ticket/tk_int.h"

static void people_time(void **state)
{
	static const struct {
		int64_t t;
		const char *want;
	} cases[] = {
		{ 1796711400, "2026-12-08 14:30" },   /* 2026-12-08T06:30:00Z */
		{ 1796687999, "2026-12-08 07:59" },   /* 2026-12-07T23:59:59Z: already the next local day */
		{ 1767196800, "2026-01-01 00:00" },   /* 2025-12-31T16:00:00Z */
		{ 0, "1970-01-01 08:00" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_string_equal(tk_fmt_people_time(cases[i].t, buf, sizeof(buf)), cases[i].want);
	/* a buffer too short is cut, never overrun */
	assert_string_equal(tk_fmt_people_time(1796711400, buf, 11), "2026-12-08");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(people_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
