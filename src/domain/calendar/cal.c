/*
 * cal.c - calendars in memory and the arithmetic on working time.
 */
#include "../../core/yw.h"
#include "../../core/ytime.h"
#include "cal.h"
#include "cal_tz.h"

const char *const cal_weekday_names[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* 0 = Monday; 1970-01-01 was a Thursday */
static int weekday_of(int64_t day)
{
	return (int)(((day + 3) % 7 + 7) % 7);
}

int cal_new(const char *zone, struct cal **out, struct yw_err *err)
{
	const struct cal_tz *tz;
	int rc;

	if ((rc = cal_tz_get(zone, &tz, err)))
		return rc;
	*out = yw_calloc(1, sizeof(**out));
	(*out)->tz = tz;
	pthread_mutex_init(&(*out)->cum_lock, NULL);
	return 0;
}

/* The running totals follow the windows and days: a change drops them. */
static void cum_drop(struct cal *c)
{
	FREE_AND_NULL(c->cum);
	c->cum_n = 0;
}

void cal_free(struct cal *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ndays; i++)
		free(c->days[i].name);
	free(c->days);
	free(c->description);
	free(c->cum);
	pthread_mutex_destroy(&c->cum_lock);
	free(c);
}

int cal_daywin_check(const struct cal_daywin *w, const char *field, struct yw_err *err)
{
	if (w->n > CAL_MAX_WINDOWS)
		return yw_errf(err, YW_EINVAL, field, "%s has more than %d windows", field, CAL_MAX_WINDOWS);
	for (size_t i = 0; i < w->n; i++) {
		if (w->w[i].start < 0 || w->w[i].end > 1440)
			return yw_errf(err, YW_EINVAL, field, "%s: a window lies outside 00:00-24:00", field);
		if (w->w[i].end <= w->w[i].start)
			return yw_errf(err, YW_EINVAL, field, "%s: a window must end after it starts", field);
		if (i && w->w[i].start < w->w[i - 1].end)
			return yw_errf(err, YW_EINVAL, field,
				       "%s: windows overlap or are not in order of time", field);
	}
	return 0;
}

int cal_set_week(struct cal *c, int wd, const struct cal_daywin *w, struct yw_err *err)
{
	int rc;

	if (wd < 0 || wd > 6)
		BUG("weekday %d", wd);
	if ((rc = cal_daywin_check(w, cal_weekday_names[wd], err)))
		return rc;
	c->week[wd] = *w;
	cum_drop(c);
	return 0;
}

static ssize_t day_index(const struct cal *c, int32_t day, bool *found)
{
	size_t lo = 0, hi = c->ndays;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->days[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < c->ndays && c->days[lo].day == day;
	return (ssize_t)lo;
}

const struct cal_day *cal_find_day(const struct cal *c, int32_t day)
{
	bool found;
	ssize_t i = day_index(c, day, &found);
	return found ? &c->days[i] : NULL;
}

int cal_set_day(struct cal *c, int32_t day, enum cal_day_kind kind, const struct cal_daywin *w,
		const char *name, struct yw_err *err)
{
	bool found;
	ssize_t i;
	int rc;

	if (kind != CAL_DAY_OFF && kind != CAL_DAY_WORKDAY)
		BUG("day kind %d", kind);
	if (w && (rc = cal_daywin_check(w, "windows", err)))
		return rc;
	i = day_index(c, day, &found);
	if (found) {
		free(c->days[i].name);
	} else {
		ALLOC_GROW(c->days, c->ndays + 1, c->alloc);
		memmove(&c->days[i + 1], &c->days[i], (c->ndays - i) * sizeof(*c->days));
		c->ndays++;
	}
	memset(&c->days[i], 0, sizeof(c->days[i]));
	c->days[i].day = day;
	c->days[i].kind = (uint8_t)kind;
	c->days[i].own_windows = kind == CAL_DAY_WORKDAY && w;
	if (c->days[i].own_windows)
		c->days[i].win = *w;
	c->days[i].name = yw_strdup(name ? name : "");
	cum_drop(c);
	return 0;
}

static const struct cal_daywin no_windows;

const struct cal_daywin *cal_windows_on(const struct cal *c, int32_t day)
{
	const struct cal_day *d = cal_find_day(c, day);

	if (!d)
		return &c->week[weekday_of(day)];
	if (d->kind == CAL_DAY_OFF)
		return &no_windows;
	if (d->own_windows)
		return &d->win;
	/* a make-up workday works like a Monday, or the first weekday that works */
	for (int wd = 0; wd < 7; wd++)
		if (c->week[wd].n)
			return &c->week[wd];
	return &no_windows;
}

int32_t cal_local_day(const struct cal *c, int64_t t)
{
	return (int32_t)floor_div(t + cal_tz_offset(c->tz, t), 86400);
}

static int cmp_interval(const void *a, const void *b)
{
	const struct cal_interval *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The instants whose wall clock shows local date `day` at a time inside
 * one of the day's windows. Walks the stretches of constant UTC offset
 * that can touch the day (offsets stay within +-26h) and intersects each
 * window with each stretch, so DST changes inside a window are exact.
 */
__thread uint64_t cal_days_examined;

size_t cal_day_intervals(const struct cal *c, int32_t day, struct cal_interval *out)
{
	const struct cal_daywin *w = cal_windows_on(c, day);
	int64_t base = (int64_t)day * 86400;
	int64_t lo = base - 26 * 3600, hi = base + 86400 + 26 * 3600;
	size_t n = 0;

	cal_days_examined++;
	if (!w->n)
		return 0;
	for (int64_t a = lo, segs = 0; a < hi && segs < 8; segs++) {
		int32_t off = cal_tz_offset(c->tz, a);
		int64_t b = cal_tz_next_change(c->tz, a);
		if (b > hi)
			b = hi;
		for (size_t i = 0; i < w->n && n < CAL_MAX_INTERVALS; i++) {
			int64_t s = base + w->w[i].start * 60, e = base + w->w[i].end * 60;
			if (s < a + off)
				s = a + off;
			if (e > b + off)
				e = b + off;
			if (s < e) {
				out[n].start = s - off;
				out[n].end = e - off;
				n++;
			}
		}
		a = b;
	}
	if (n > 1) {
		size_t m = 0;
		qsort(out, n, sizeof(*out), cmp_interval);
		for (size_t i = 1; i < n; i++) {
			if (out[i].start <= out[m].end) {
				if (out[i].end > out[m].end)
					out[m].end = out[i].end;
			} else {
				out[++m] = out[i];
			}
		}
		n = m + 1;
	}
	return n;
}

static int check_instant(int64_t t, const char *field, struct yw_err *err)
{
	if (t < CAL_T_MIN || t >= CAL_T_MAX)
		return yw_errf(err, YW_EINVAL, field, "%s must lie between 1970 and 2200", field);
	return 0;
}

int cal_add_seconds(const struct cal *c, int64_t t, int64_t seconds, int64_t *out, struct yw_err *err)
{
	struct cal_interval iv[CAL_MAX_INTERVALS];
	int64_t rem = seconds;
	int rc;

	if ((rc = check_instant(t, "instant", err)))
		return rc;
	if (seconds < 0)
		return yw_errf(err, YW_EINVAL, "minutes", "minutes must not be negative");
	if (seconds > (int64_t)CAL_HORIZON_DAYS * 86400)
		return yw_errf(err, YW_EINVAL, "minutes", "minutes must not exceed 10 years");
	if (seconds == 0) {
		*out = t;
		return 0;
	}
	int32_t first = cal_local_day(c, t) - 1;
	for (int32_t day = first; day <= first + CAL_HORIZON_DAYS + 2; day++) {
		size_t n = cal_day_intervals(c, day, iv);
		for (size_t i = 0; i < n; i++) {
			int64_t s = iv[i].start > t ? iv[i].start : t;
			if (s >= iv[i].end)
				continue;
			if (rem <= iv[i].end - s) {
				*out = s + rem;
				return check_instant(*out, "minutes", err);
			}
			rem -= iv[i].end - s;
		}
	}
	return yw_errf(err, YW_EINVAL, "minutes", "the calendar has not that much working time within 10 years");
}

int cal_add_minutes(const struct cal *c, int64_t t, int64_t minutes, int64_t *out, struct yw_err *err)
{
	if (minutes < 0)
		return yw_errf(err, YW_EINVAL, "minutes", "minutes must not be negative");
	if (minutes > (int64_t)CAL_HORIZON_DAYS * 1440)
		return yw_errf(err, YW_EINVAL, "minutes", "minutes must not exceed 10 years");
	return cal_add_seconds(c, t, minutes * 60, out, err);
}

/* Working seconds of local days [a, b], each clipped to [from, to). */
static int64_t clipped_days(const struct cal *c, int32_t a, int32_t b, int64_t from, int64_t to)
{
	struct cal_interval iv[CAL_MAX_INTERVALS];
	int64_t sum = 0;

	for (int32_t day = a; day <= b; day++) {
		size_t n = cal_day_intervals(c, day, iv);
		for (size_t i = 0; i < n; i++) {
			int64_t s = iv[i].start > from ? iv[i].start : from;
			int64_t e = iv[i].end < to ? iv[i].end : to;
			if (s < e)
				sum += e - s;
		}
	}
	return sum;
}

static int64_t day_seconds(const struct cal *c, int32_t day)
{
	return clipped_days(c, day, day, INT64_MIN, INT64_MAX);
}

/*
 * Working seconds of the whole local days [a, b), from the running
 * totals, which grow to cover them (with a year to spare each way, so
 * that a desk's clocks, all near today, fill them once).
 */
static int64_t whole_days(const struct cal *cc, int32_t a, int32_t b)
{
	struct cal *c = (struct cal *)cc;   /* the totals are a cache: see struct cal */
	int64_t v;

	pthread_mutex_lock(&c->cum_lock);
	if (!c->cum || a < c->cum_base || b > c->cum_base + c->cum_n) {
		int32_t lo = a - 366, hi = b + 366;
		if (c->cum) {
			lo = lo < c->cum_base ? lo : c->cum_base;
			hi = hi > c->cum_base + c->cum_n ? hi : c->cum_base + c->cum_n;
		}
		int64_t *cum = yw_malloc(((size_t)(hi - lo) + 1) * sizeof(*cum));
		cum[0] = 0;
		for (int32_t d = lo; d < hi; d++) {
			int64_t secs;
			if (c->cum && d >= c->cum_base && d < c->cum_base + c->cum_n)
				secs = c->cum[d - c->cum_base + 1] - c->cum[d - c->cum_base];
			else
				secs = day_seconds(c, d);
			cum[d - lo + 1] = cum[d - lo] + secs;
		}
		free(c->cum);
		c->cum = cum;
		c->cum_base = lo;
		c->cum_n = hi - lo;
	}
	v = c->cum[b - c->cum_base] - c->cum[a - c->cum_base];
	pthread_mutex_unlock(&c->cum_lock);
	return v;
}

int cal_between_seconds(const struct cal *c, int64_t from, int64_t to, int64_t *seconds,
			struct yw_err *err)
{
	int rc;

	if ((rc = check_instant(from, "from", err)) || (rc = check_instant(to, "to", err)))
		return rc;
	if (to < from)
		return yw_errf(err, YW_EINVAL, "to", "to must not be before from");
	if (to - from > (int64_t)CAL_HORIZON_DAYS * 86400)
		return yw_errf(err, YW_EINVAL, "to", "the span must not exceed 10 years");
	int32_t first = cal_local_day(c, from), last = cal_local_day(c, to);
	/*
	 * A day's working time lies within its local date, and local dates
	 * follow the instants but for an hour around a change of offset, so
	 * a day or two away from either end is wholly inside [from, to):
	 * three each side are walked and clipped, the days between summed.
	 */
	if (last - first < 16) {
		*seconds = clipped_days(c, first - 1, last + 1, from, to);
		return 0;
	}
	*seconds = clipped_days(c, first - 1, first + 2, from, to) + whole_days(c, first + 3, last - 2) +
		   clipped_days(c, last - 2, last + 1, from, to);
	return 0;
}

int cal_between(const struct cal *c, int64_t from, int64_t to, int64_t *minutes, struct yw_err *err)
{
	int64_t s;
	int rc = cal_between_seconds(c, from, to, &s, err);

	if (!rc)
		*minutes = s / 60;
	return rc;
}

bool cal_is_working(const struct cal *c, int64_t t)
{
	struct cal_interval iv[CAL_MAX_INTERVALS];

	if (t < CAL_T_MIN || t >= CAL_T_MAX)
		return false;
	size_t n = cal_day_intervals(c, cal_local_day(c, t), iv);
	for (size_t i = 0; i < n; i++)
		if (t >= iv[i].start && t < iv[i].end)
			return true;
	return false;
}

int cal_next_working(const struct cal *c, int64_t t, int64_t *out, struct yw_err *err)
{
	struct cal_interval iv[CAL_MAX_INTERVALS];
	int rc;

	if ((rc = check_instant(t, "instant", err)))
		return rc;
	int32_t first = cal_local_day(c, t) - 1;
	for (int32_t day = first; day <= first + CAL_HORIZON_DAYS + 2; day++) {
		size_t n = cal_day_intervals(c, day, iv);
		for (size_t i = 0; i < n; i++) {
			if (iv[i].end > t) {
				*out = iv[i].start > t ? iv[i].start : t;
				return check_instant(*out, "instant", err);
			}
		}
	}
	return yw_errf(err, YW_EINVAL, "instant", "the calendar has no working time within 10 years");
}

/* ---- text forms ---- */

char *cal_fmt_local(const struct cal *c, int64_t t, char *buf, size_t size)
{
	int32_t off = cal_tz_offset(c->tz, t);
	int32_t a = off < 0 ? -off : off;
	struct tm tm;

	if (!yw_gmtime(t + off, &tm)) {
		snprintf(buf, size, "invalid");
		return buf;
	}
	if (a % 60)
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d:%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
			 a / 3600, a / 60 % 60, a % 60);
	else
		snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
			 a / 3600, a / 60 % 60);
	return buf;
}

char *cal_fmt_people(const struct cal *c, int64_t t, char *buf, size_t size)
{
	if (!yw_fmt_minute(t + cal_tz_offset(c->tz, t), buf, size))
		snprintf(buf, size, "invalid");
	return buf;
}

int cal_parse_instant(const struct cal *c, const char *s, const char *field, int64_t *out,
		      struct yw_err *err)
{
	const char *tpos = strpbrk(s, "T ");
	bool zoned = tpos && (strchr(tpos, 'Z') || strchr(tpos, '+') || strchr(tpos, '-'));
	int64_t t;

	/* parse once as UTC wall time: "Z" appended when no zone is given */
	if (zoned) {
		if (yw_parse_iso(s, &t))
			goto bad;
	} else {
		char buf[64];
		if (strlen(s) > 40)
			goto bad;
		snprintf(buf, sizeof(buf), tpos ? "%sZ" : "%sT00:00Z", s);
		if (yw_parse_iso(buf, &t))
			goto bad;
		t = cal_tz_to_utc(c->tz, t);
	}
	*out = t;
	return check_instant(t, field, err);
bad:
	return yw_errf(err, YW_EINVAL, field,
		       "%s is not an ISO 8601 time such as 2026-02-13T09:00:00+08:00", field);
}

int cal_parse_date(const char *s, size_t len, int32_t *day)
{
	int y, m, d;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	y = atoi(s);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || y >= 2200 || m < 1 || m > 12 || d < 1)
		return -1;
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int ml = md[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (d > ml)
		return -1;
	*day = (int32_t)yw_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

char *cal_fmt_date(int32_t day, char *buf, size_t size)
{
	struct tm tm;

	if (!yw_gmtime((int64_t)day * 86400, &tm))
		snprintf(buf, size, "invalid");
	else
		snprintf(buf, size, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	return buf;
}

int cal_parse_hhmm(const char *s)
{
	int h, m;

	if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m))
		return -1;
	return h * 60 + m;
}

int cal_daywin_parse(const char *s, struct cal_daywin *w, const char *field, struct yw_err *err)
{
	memset(w, 0, sizeof(*w));
	while (*s) {
		char a[6], b[6];
		int st, en;
		if (w->n >= CAL_MAX_WINDOWS)
			return yw_errf(err, YW_EINVAL, field, "%s has more than %d windows", field, CAL_MAX_WINDOWS);
		if (strlen(s) < 11 || s[5] != '-' || (s[11] && s[11] != ','))
			return yw_errf(err, YW_EINVAL, field, "%s must look like 09:00-12:00,13:30-18:00", field);
		memcpy(a, s, 5);
		a[5] = '\0';
		memcpy(b, s + 6, 5);
		b[5] = '\0';
		if ((st = cal_parse_hhmm(a)) < 0 || (en = cal_parse_hhmm(b)) < 0)
			return yw_errf(err, YW_EINVAL, field, "%s: times must be HH:MM", field);
		w->w[w->n].start = (int16_t)st;
		w->w[w->n].end = (int16_t)en;
		w->n++;
		s += s[11] ? 12 : 11;
	}
	return cal_daywin_check(w, field, err);
}

void cal_daywin_fmt(const struct cal_daywin *w, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < w->n && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%02d:%02d-%02d:%02d", i ? "," : "", w->w[i].start / 60,
			      w->w[i].start % 60, w->w[i].end / 60, w->w[i].end % 60);
}

int cal_daywin_from_json(json_t *a, struct cal_daywin *w, const char *field, struct yw_err *err)
{
	size_t i;
	json_t *e;

	memset(w, 0, sizeof(*w));
	if (!json_is_array(a))
		return yw_errf(err, YW_EINVAL, field, "%s must be an array of {start, end}", field);
	if (json_array_size(a) > CAL_MAX_WINDOWS)
		return yw_errf(err, YW_EINVAL, field, "%s has more than %d windows", field, CAL_MAX_WINDOWS);
	json_array_foreach(a, i, e) {
		const char *key;
		json_t *v;
		int st = -1, en = -1;
		if (!json_is_object(e))
			return yw_errf(err, YW_EINVAL, field, "%s[%zu] must be an object {start, end}", field, i);
		json_object_foreach(e, key, v) {
			int *dst = !strcmp(key, "start") ? &st : !strcmp(key, "end") ? &en : NULL;
			if (!dst)
				return yw_errf(err, YW_EUNKNOWN, field, "%s[%zu]: unknown field %.40s", field, i, key);
			if (!json_is_string(v) || (*dst = cal_parse_hhmm(json_string_value(v))) < 0)
				return yw_errf(err, YW_EINVAL, field, "%s[%zu].%s must be a time HH:MM", field, i, key);
		}
		if (st < 0 || en < 0)
			return yw_errf(err, YW_EINVAL, field, "%s[%zu] needs start and end", field, i);
		w->w[i].start = (int16_t)st;
		w->w[i].end = (int16_t)en;
	}
	w->n = (uint8_t)json_array_size(a);
	return cal_daywin_check(w, field, err);
}

json_t *cal_daywin_json(const struct cal_daywin *w)
{
	json_t *a = json_array();
	char s[16], e[16];

	for (size_t i = 0; i < w->n; i++) {
		snprintf(s, sizeof(s), "%02d:%02d", w->w[i].start / 60, w->w[i].start % 60);
		snprintf(e, sizeof(e), "%02d:%02d", w->w[i].end / 60, w->w[i].end % 60);
		json_array_append_new(a, json_pack("{s:s, s:s}", "start", s, "end", e));
	}
	return a;
}

int cal_week_from_json(json_t *o, struct cal_daywin week[7], struct yw_err *err)
{
	const char *key;
	json_t *v;
	char field[32];
	int rc;

	if (!json_is_object(o))
		return yw_errf(err, YW_EINVAL, "windows", "windows must be an object with keys mon ... sun");
	memset(week, 0, 7 * sizeof(*week));
	json_object_foreach(o, key, v) {
		int wd;
		for (wd = 0; wd < 7; wd++)
			if (!strcmp(key, cal_weekday_names[wd]))
				break;
		if (wd == 7)
			return yw_errf(err, YW_EINVAL, "windows", "windows: unknown weekday %.20s (use mon ... sun)",
				       key);
		snprintf(field, sizeof(field), "windows.%s", key);
		if ((rc = cal_daywin_from_json(v, &week[wd], field, err)))
			return rc;
	}
	return 0;
}

json_t *cal_week_json(const struct cal_daywin week[7])
{
	json_t *o = json_object();

	for (int wd = 0; wd < 7; wd++)
		json_object_set_new(o, cal_weekday_names[wd], cal_daywin_json(&week[wd]));
	return o;
}
