/* test_core_ytime.c - ISO 8601 parsing and formatting. */
#include "yw.h"
#include "ytime.h"
#include <setjmp.h>
#include <cmocka.h>

static const struct {
	const char *in;
	int64_t want;
} valid[] = {
	{ "2026-11-25T10:00:00Z", 1795600800 },
	{ "2026-11-25T10:00Z", 1795600800 },
	{ "2026-11-25 10:00:00Z", 1795600800 },
	{ "2026-11-25T10:00:00.123Z", 1795600800 },       /* fraction dropped */
	{ "2026-11-25T10:00:00.000000001Z", 1795600800 },
	{ "2026-11-25T10:00:00+00:00", 1795600800 },
	{ "2026-11-25T10:00:00-00:00", 1795600800 },
	{ "2026-11-25T10:00:00+05:30", 1795581000 },
	{ "2026-11-25T10:00:00+0530", 1795581000 },       /* basic-format offset */
	{ "2026-11-25T10:00:00-07:00", 1795626000 },
	{ "2026-11-25T10:00:00+08:00", 1795572000 },
	{ "2026-11-25T10:00:00", 1795572000 },            /* no zone = +08:00 */
	{ "2026-11-25T10:00", 1795572000 },
	{ "2026-11-25", 1795536000 },                     /* date only = midnight +08:00 */
	{ "2024-02-29T12:30:45Z", 1709209845 },           /* leap day */
	{ "2000-02-29", 951753600 },                      /* divisible by 400: leap */
	{ "2026-03-01", 1772294400 },
	{ "1970-01-01T08:00:00+08:00", 0 },
	{ "9999-12-31T23:59:59Z", 253402300799 },
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1970-01-01T08:00", 0 },
	{ "2026-11-25T10:00:60Z", 1795600860 },           /* leap second: the next minute */
};

static const char *const invalid[] = {
	"", "2026", "2026-11", "2026-11-2", "2026-1-25", "26-11-25", "2026/11/25",
	"2026-13-01", "2026-00-10", "2026-01-00", "2026-01-32", "2026-04-31",
	"2023-02-29",         /* not a leap year */
	"2100-02-29",         /* divisible by 100, not 400 */
	"1969-12-31T23:59:59Z", "10000-01-01",
	"1970-01-01",                             /* midnight +08:00 is still 1969 in UTC */
	"1970-01-01T07:59:59",
	"9999-12-31T23:59:59-00:01",              /* past 9999 in UTC */
	"9999-12-31T23:59:60Z",
	"2026-11-25T", "2026-11-25T10", "2026-11-25T10:", "2026-11-25T1:00",
	"2026-11-25T24:00Z", "2026-11-25T10:60Z", "2026-11-25T10:00:61Z",
	"2026-11-25T10:00:00.Z", "2026-11-25T10:00:00.", "2026-11-25T10:00:00,5Z",
	"2026-11-25T10:00:00Zjunk", "2026-11-25T10:00:00ZZ", "2026-11-25T10:00:00z",
	"2026-11-25T10:00:00+24:00", "2026-11-25T10:00:00+08:60", "2026-11-25T10:00:00+8:00",
	"2026-11-25T10:00:00+08:0", "2026-11-25T10:00:00+",
	" 2026-11-25", "2026-11-25 ", "+2026-11-25", "-2026-11-25", "2026-11-25x",
	"２０２６-11-25",         /* full-width digits */
	"2026-11-25T10:00:00 +08:00", "tomorrow", "2026-11-25\n",
};

static void test_parse_valid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(valid); i++) {
		int64_t t = -1;
		int rc = yw_parse_iso(valid[i].in, &t);
		if (rc || t != valid[i].want)
			fail_msg("%s: rc %d, got %" PRId64 ", want %" PRId64, valid[i].in, rc, t,
				 valid[i].want);
	}
}

static void test_parse_invalid(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
		int64_t t = 12345;
		int rc = yw_parse_iso(invalid[i], &t);
		if (rc != YW_EINVAL)
			fail_msg("\"%s\" was accepted as %" PRId64, invalid[i], t);
		assert_int_equal(t, 12345);  /* output untouched on failure */
	}
}

static void test_fmt_minute(void **state)
{
	char buf[32];

	(void)state;
	/* 2026-12-08T06:30:00Z, shifted by the caller to UTC+8 */
	assert_true(yw_fmt_minute(1796711400 + 8 * 3600, buf, sizeof(buf)));
	assert_string_equal(buf, "2026-12-08 14:30");
	assert_false(yw_fmt_minute(INT64_MAX, buf, sizeof(buf)));
	assert_string_equal(buf, "");
}

static void test_fmt_iso(void **state)
{
	char buf[32];

	assert_string_equal(yw_fmt_iso(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z");
	assert_string_equal(yw_fmt_iso(1795600800, buf, sizeof(buf)), "2026-11-25T10:00:00Z");
	assert_string_equal(yw_fmt_iso(1709209845, buf, sizeof(buf)), "2024-02-29T12:30:45Z");
	/* the documented minimum buffer of 21 bytes is enough */
	char small[21];
	assert_string_equal(yw_fmt_iso(253402300799, small, sizeof(small)), "9999-12-31T23:59:59Z");
	/* the digits written by hand say what strftime says, before 1970 and after 9999 too */
	for (int64_t t = -62167219200; t < 253402400000; t += 86400 * 2917 + 3599 * 7 + 13) {
		struct tm tm;
		char want[32];
		assert_true(yw_gmtime(t, &tm));
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		assert_string_equal(yw_fmt_iso(t, buf, sizeof(buf)), want);
	}
	/* yw_iso_put: the same text, without a NUL, and nothing outside four-digit years */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(yw_iso_put(1709209845, buf), YW_ISO_LEN);
	assert_memory_equal(buf, "2024-02-29T12:30:45Zxx", YW_ISO_LEN + 2);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(yw_iso_put(-30610224001, buf), 0);   /* 999-12-31T23:59:59Z */
	assert_int_equal(yw_iso_put(-30610224000, buf), YW_ISO_LEN);
	assert_int_equal(yw_iso_put(253402300800, buf), 0);   /* 10000-01-01 */
	assert_int_equal(yw_iso_put(INT64_MAX, buf), 0);
	assert_int_equal(yw_iso_put(INT64_MIN, buf), 0);
	assert_string_equal(yw_fmt_iso(-30610224001, buf, sizeof(buf)), "999-12-31T23:59:59Z");
}

static void same_tm(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm a, b;

	assert_non_null(yw_gmtime(t, &a));
	assert_non_null(gmtime_r(&tt, &b));
	assert_int_equal(a.tm_year, b.tm_year);
	assert_int_equal(a.tm_mon, b.tm_mon);
	assert_int_equal(a.tm_mday, b.tm_mday);
	assert_int_equal(a.tm_hour, b.tm_hour);
	assert_int_equal(a.tm_min, b.tm_min);
	assert_int_equal(a.tm_sec, b.tm_sec);
	assert_int_equal(a.tm_wday, b.tm_wday);
	assert_int_equal(a.tm_yday, b.tm_yday);
	assert_int_equal(a.tm_isdst, b.tm_isdst);
	assert_int_equal(a.tm_gmtoff, b.tm_gmtoff);
	assert_string_equal(a.tm_zone, b.tm_zone);
}

/* yw_gmtime computes what gmtime_r says, every field, on both sides of 1970 and to the edges. */
static void test_gmtime(void **state)
{
	static const int64_t edges[] = { 0, -1, 1, 86399, 86400, -86400, -86401, 951782400, 951868800,
					 4107542400, -2203891200, -62167219200, -62167219201, 253402300799,
					 67767976233532799, -67768040609740800 };
	struct tm a;

	for (int64_t t = -62167219200 * 2; t < 253402400000 * 2; t += 86400 * 331 + 3599 * 5 + 7)
		same_tm(t);
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		same_tm(edges[i]);
	/* a year past int: NULL, as gmtime_r */
	assert_null(yw_gmtime(INT64_MAX, &a));
	assert_null(yw_gmtime(INT64_MIN, &a));
	(void)state;
}

static void test_round_trip(void **state)
{
	char buf[32];

	for (int64_t t = 0; t < 4102444800; t += 86400 * 37 + 3671) {
		int64_t back;
		yw_fmt_iso(t, buf, sizeof(buf));
		assert_int_equal(yw_parse_iso(buf, &back), 0);
		assert_int_equal(back, t);
	}
}

static void test_days_from_civil(void **state)
{
	assert_int_equal(yw_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(yw_days_from_civil(1970, 1, 2), 1);
	assert_int_equal(yw_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(yw_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(yw_days_from_civil(2024, 3, 1) - yw_days_from_civil(2024, 2, 28), 2);
	assert_int_equal(yw_days_from_civil(2023, 3, 1) - yw_days_from_civil(2023, 2, 28), 1);
}

static void test_fake_now(void **state)
{
	yw_time_set_fake(1795600800);
	assert_int_equal(yw_now(), 1795600800);
	yw_time_set_fake(0);
	assert_true(yw_now() > 1700000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_fmt_iso),
		cmocka_unit_test(test_fmt_minute),
		cmocka_unit_test(test_gmtime),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_fake_now),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
