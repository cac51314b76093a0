#include "yw.h"
#include "ytime.h"
#include <sys/time.h>
#include <limits.h>

static int64_t fake_now;

void yw_time_set_fake(int64_t t)
{
	fake_now = t;
}

int64_t yw_now(void)
{
	if (fake_now)
		return fake_now;
	return (int64_t)time(NULL);
}

int64_t yw_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Hinnant's civil_from_days, the inverse of yw_days_from_civil below:
 * the date of the day days after 1970-01-01.
 */
static void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);                           /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365], from March */
	unsigned mp = (5 * doy + 2) / 153;                                     /* [0, 11], from March */

	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = (int64_t)yoe + era * 400 + (*month <= 2);
}

/* Whole days and the seconds into the last, for t before 1970 too. */
static int64_t split_day(int64_t t, int64_t *secs)
{
	int64_t days = t / 86400;

	*secs = t % 86400;
	if (*secs < 0) {
		*secs += 86400;
		days--;
	}
	return days;
}

/*
 * gmtime_r() by arithmetic: glibc's takes the time-zone lock even for
 * UTC, and a ticket answer formats a dozen times. Fills what gmtime_r()
 * fills, tm_zone "GMT" included; NULL where the year would not fit.
 */
struct tm *yw_gmtime(int64_t t, struct tm *out)
{
	int64_t secs, days = split_day(t, &secs), y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	if (y - 1900 > INT_MAX || y - 1900 < INT_MIN)
		return NULL;
	memset(out, 0, sizeof(*out));
	out->tm_year = (int)(y - 1900);
	out->tm_mon = (int)m - 1;
	out->tm_mday = (int)d;
	out->tm_hour = (int)(secs / 3600);
	out->tm_min = (int)(secs / 60 % 60);
	out->tm_sec = (int)(secs % 60);
	out->tm_wday = (int)(((days % 7) + 11) % 7);   /* 1970-01-01 was a Thursday */
	out->tm_yday = (int)(days - yw_days_from_civil(y, 1, 1));
	out->tm_zone = "GMT";
	return out;
}

static char *put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* Every ticket carries a dozen of these: the usual years go straight to text. */
size_t yw_iso_put(int64_t t, char *out)
{
	int64_t secs, y;
	unsigned m, d;
	char *p;

	if (t < INT64_MIN / 2 || t > INT64_MAX / 2)
		return 0;
	civil_from_days(split_day(t, &secs), &y, &m, &d);
	if (y < 1000 || y > 9999)
		return 0;
	p = put2(out, (unsigned)y / 100);
	p = put2(p, (unsigned)y % 100);
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, (unsigned)secs / 3600);
	*p++ = ':';
	p = put2(p, (unsigned)secs / 60 % 60);
	*p++ = ':';
	p = put2(p, (unsigned)secs % 60);
	*p++ = 'Z';
	return (size_t)(p - out);
}

bool yw_fmt_minute(int64_t t, char *buf, size_t size)
{
	struct tm tm;

	if (!yw_gmtime(t, &tm)) {
		snprintf(buf, size, "%s", "");
		return false;
	}
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min);
	return true;
}

char *yw_fmt_iso(int64_t t, char *buf, size_t size)
{
	struct tm tm;
	size_t n;

	if (size >= 21 && (n = yw_iso_put(t, buf))) {
		buf[n] = '\0';
		return buf;
	}
	if (!yw_gmtime(t, &tm)) {
		snprintf(buf, size, "invalid");
		return buf;
	}
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* Howard Hinnant's days_from_civil. */
int64_t yw_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

static int month_days(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

int yw_parse_iso(const char *s, int64_t *out)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 8, om = 0, sign = 1;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
	    digits(&p, 2, &d))
		return YW_EINVAL;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return YW_EINVAL;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
			return YW_EINVAL;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec))
				return YW_EINVAL;
			if (*p == '.') {
				p++;
				if (!isdigit((unsigned char)*p))
					return YW_EINVAL;
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return YW_EINVAL;
		if (*p == 'Z') {
			oh = om = 0;
			p++;
		} else if (*p == '+' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (digits(&p, 2, &oh))
				return YW_EINVAL;
			if (*p == ':')
				p++;
			if (digits(&p, 2, &om) || oh > 23 || om > 59)
				return YW_EINVAL;
		}
	}
	if (*p)
		return YW_EINVAL;
	/*
	 * The offset can carry a date just past either end of the range
	 * ("1970-01-01" is 1969-12-31T16:00Z); refuse those, so that every
	 * accepted time formats as an ISO string this function reads back.
	 */
	int64_t t = yw_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
		    sign * (oh * 3600 + om * 60);
	if (t < 0 || t > YW_TIME_MAX)
		return YW_EINVAL;
	*out = t;
	return 0;
}
