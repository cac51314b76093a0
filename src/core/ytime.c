#include "yw.h"
#include "ytime.h"
#include <sys/time.h>

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

struct tm *yw_gmtime(int64_t t, struct tm *out)
{
	time_t tt = (time_t)t;
	return gmtime_r(&tt, out);
}

static char *put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* Every ticket carries a dozen of these, so the usual years skip strftime. */
char *yw_fmt_iso(int64_t t, char *buf, size_t size)
{
	struct tm tm;
	int y;

	if (!yw_gmtime(t, &tm)) {
		snprintf(buf, size, "invalid");
		return buf;
	}
	y = tm.tm_year + 1900;
	if (size < 21 || y < 1000 || y > 9999) {
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
		return buf;
	}
	char *p = put2(buf, y / 100);
	p = put2(p, y % 100);
	*p++ = '-';
	p = put2(p, tm.tm_mon + 1);
	*p++ = '-';
	p = put2(p, tm.tm_mday);
	*p++ = 'T';
	p = put2(p, tm.tm_hour);
	*p++ = ':';
	p = put2(p, tm.tm_min);
	*p++ = ':';
	p = put2(p, tm.tm_sec);
	*p++ = 'Z';
	*p = '\0';
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
