/*
 * cal_tz.c - TZif (RFC 8536) reader and the POSIX TZ rule of its footer.
 */
#include "../../core/yw.h"
#include "../../core/ytime.h"
#include "cal_tz.h"
#include <pthread.h>

#define TZIF_MAX_SIZE (256 * 1024)
#define TZIF_MAX_TRANS 4000
#define TZ_OFF_MAX (26 * 3600)

/* One end of a DST period in a POSIX rule: which day, and the local time. */
struct tz_rule_date {
	char form;        /* 'J' (1..365, no Feb 29), 'N' (0..365), 'M' (month.week.day) */
	int n, m, w, d;
	int32_t secs;     /* local time of day the change happens, may be <0 or >24h */
};

struct cal_tz {
	char name[CAL_TZ_NAME_MAX];
	size_t n;                /* transitions */
	int64_t *trans;          /* ascending */
	int32_t *off;            /* offset from trans[i] on */
	int32_t off0;            /* before trans[0] */
	bool has_rule;           /* footer present: used from the last transition on */
	bool rule_dst;
	int32_t std_off, dst_off;
	struct tz_rule_date start, end;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* Civil year of days since the epoch (Howard Hinnant's civil_from_days). */
static int64_t year_of_day(int64_t z)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	return y + (m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_len(int64_t y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

/* The local wall time (as seconds since the epoch) at which r happens in year y. */
static int64_t rule_local(const struct tz_rule_date *r, int64_t y)
{
	int64_t day;

	switch (r->form) {
	case 'J':
		day = yw_days_from_civil(y, 1, 1) + r->n - 1 + (is_leap(y) && r->n >= 60);
		break;
	case 'N':
		day = yw_days_from_civil(y, 1, 1) + r->n;
		break;
	default: {
		int64_t first = yw_days_from_civil(y, (unsigned)r->m, 1);
		int dow = (int)((first % 7 + 7 + 4) % 7);   /* 0 = Sunday; 1970-01-01 was a Thursday */
		int mday = 1 + (r->d - dow + 7) % 7 + (r->w - 1) * 7;
		if (mday > month_len(y, r->m))
			mday -= 7;
		day = first + mday - 1;
		break;
	}
	}
	return day * 86400 + r->secs;
}

/* DST start and end of year y as instants. */
static void rule_year(const struct cal_tz *tz, int64_t y, int64_t *start, int64_t *end)
{
	*start = rule_local(&tz->start, y) - tz->std_off;
	*end = rule_local(&tz->end, y) - tz->dst_off;
}

static int32_t rule_offset(const struct cal_tz *tz, int64_t t)
{
	int64_t s, e, y;

	if (!tz->rule_dst)
		return tz->std_off;
	y = year_of_day(floor_div(t + tz->std_off, 86400));
	rule_year(tz, y, &s, &e);
	if (s < e)
		return t >= s && t < e ? tz->dst_off : tz->std_off;
	/* southern hemisphere: DST spans the new year */
	return t >= e && t < s ? tz->std_off : tz->dst_off;
}

const char *cal_tz_name(const struct cal_tz *tz)
{
	return tz->name;
}

/* Index of the last transition <= t, or -1. */
static ssize_t trans_index(const struct cal_tz *tz, int64_t t)
{
	size_t lo = 0, hi = tz->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

int32_t cal_tz_offset(const struct cal_tz *tz, int64_t t)
{
	ssize_t i = trans_index(tz, t);

	if (tz->has_rule && i == (ssize_t)tz->n - 1)
		return rule_offset(tz, t);
	return i < 0 ? tz->off0 : tz->off[i];
}

int64_t cal_tz_next_change(const struct cal_tz *tz, int64_t t)
{
	ssize_t i = trans_index(tz, t);
	int64_t best = INT64_MAX;

	if (i + 1 < (ssize_t)tz->n)
		return tz->trans[i + 1];
	if (!tz->has_rule || !tz->rule_dst)
		return INT64_MAX;
	int64_t y = year_of_day(floor_div(t, 86400));
	for (int64_t yy = y - 1; yy <= y + 1; yy++) {
		int64_t s, e;
		rule_year(tz, yy, &s, &e);
		if (s > t && s < best)
			best = s;
		if (e > t && e < best)
			best = e;
	}
	return best;
}

int64_t cal_tz_to_utc(const struct cal_tz *tz, int64_t local)
{
	int32_t cand[3] = {
		cal_tz_offset(tz, local - TZ_OFF_MAX),
		cal_tz_offset(tz, local),
		cal_tz_offset(tz, local + TZ_OFF_MAX),
	};
	int64_t best = INT64_MAX;
	int32_t min = cand[0];

	for (int i = 0; i < 3; i++) {
		int64_t t = local - cand[i];
		if (cand[i] < min)
			min = cand[i];
		if (cal_tz_offset(tz, t) == cand[i] && t < best)
			best = t;
	}
	/* in a gap: read the wall time with the offset before the change */
	return best != INT64_MAX ? best : local - min;
}

/* ---- POSIX TZ string (the footer) ---- */

static bool parse_name(const char **p)
{
	const char *s = *p;

	if (*s == '<') {
		while (*s && *s != '>')
			s++;
		if (*s != '>' || s - *p < 4)
			return false;
		*p = s + 1;
		return true;
	}
	while (isalpha((unsigned char)*s))
		s++;
	if (s - *p < 3)
		return false;
	*p = s;
	return true;
}

/* [+-]h[h][:mm[:ss]] with hours up to maxh; returns seconds. */
static bool parse_hms(const char **p, int maxh, int32_t *out)
{
	const char *s = *p;
	int sign = 1, h = 0, m = 0, sec = 0, nd = 0;

	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	while (isdigit((unsigned char)*s) && nd < 3)
		h = h * 10 + (*s++ - '0'), nd++;
	if (!nd || h > maxh)
		return false;
	if (*s == ':') {
		s++;
		if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
			return false;
		m = (s[0] - '0') * 10 + (s[1] - '0');
		s += 2;
		if (*s == ':') {
			s++;
			if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
				return false;
			sec = (s[0] - '0') * 10 + (s[1] - '0');
			s += 2;
		}
		if (m > 59 || sec > 59)
			return false;
	}
	*out = sign * (h * 3600 + m * 60 + sec);
	*p = s;
	return true;
}

static bool parse_num(const char **p, int min, int max, int *out)
{
	int v = 0, nd = 0;

	while (isdigit((unsigned char)**p) && nd < 4)
		v = v * 10 + (*(*p)++ - '0'), nd++;
	if (!nd || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_rule_date(const char **p, struct tz_rule_date *r)
{
	memset(r, 0, sizeof(*r));
	r->secs = 7200;
	if (**p == 'J') {
		(*p)++;
		r->form = 'J';
		if (!parse_num(p, 1, 365, &r->n))
			return false;
	} else if (**p == 'M') {
		(*p)++;
		r->form = 'M';
		if (!parse_num(p, 1, 12, &r->m) || *(*p)++ != '.' || !parse_num(p, 1, 5, &r->w) ||
		    *(*p)++ != '.' || !parse_num(p, 0, 6, &r->d))
			return false;
	} else {
		r->form = 'N';
		if (!parse_num(p, 0, 365, &r->n))
			return false;
	}
	if (**p == '/') {
		(*p)++;
		if (!parse_hms(p, 167, &r->secs))
			return false;
	}
	return true;
}

/* Parses the footer rule into tz. An empty string means "no rule". */
static bool parse_posix(struct cal_tz *tz, const char *s)
{
	int32_t off;

	if (!*s)
		return true;
	if (!parse_name(&s) || !parse_hms(&s, 24, &off))
		return false;
	tz->std_off = -off;   /* POSIX counts west of Greenwich */
	tz->dst_off = tz->std_off + 3600;
	if (*s) {
		if (!parse_name(&s))
			return false;
		if (*s && *s != ',') {
			if (!parse_hms(&s, 24, &off))
				return false;
			tz->dst_off = -off;
		}
		tz->rule_dst = true;
		if (*s == ',') {
			s++;
			if (!parse_rule_date(&s, &tz->start) || *s++ != ',' || !parse_rule_date(&s, &tz->end))
				return false;
		} else {
			const char *def = "M3.2.0,M11.1.0";
			parse_rule_date(&def, &tz->start);
			def++;
			parse_rule_date(&def, &tz->end);
		}
	}
	if (*s)
		return false;
	tz->has_rule = true;
	return true;
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_counts {
	uint32_t isut, isstd, leap, time, type, chars;
};

static void read_counts(const unsigned char *h, struct tzif_counts *c)
{
	c->isut = be32(h + 20);
	c->isstd = be32(h + 24);
	c->leap = be32(h + 28);
	c->time = be32(h + 32);
	c->type = be32(h + 36);
	c->chars = be32(h + 40);
}

static int bad(struct yw_err *err, const char *name, const char *why)
{
	struct yw_err e = YW_ERR_INIT;

	yw_err_text(&e, YW_EINVAL, "timezone", why);
	return yw_err_wrapf(err, YW_EINVAL, "timezone", &e, "time zone %.64s: ", name);
}

int cal_tz_parse(const char *name, const unsigned char *data, size_t len, struct cal_tz **out,
		 struct yw_err *err)
{
	struct tzif_counts c;
	size_t v1, body, pos;
	struct cal_tz *tz;

	if (len < 44 || memcmp(data, "TZif", 4))
		return bad(err, name, "not a TZif file");
	if (data[4] < '2')
		return bad(err, name, "TZif version 1 files are not supported");
	read_counts(data, &c);
	if (c.time > TZIF_MAX_TRANS || c.type > 256 || c.chars > 1024 || c.leap > 1000 ||
	    c.isut > 256 || c.isstd > 256)
		return bad(err, name, "TZif counts out of range");
	v1 = 44 + (size_t)c.time * 5 + (size_t)c.type * 6 + c.chars + (size_t)c.leap * 8 + c.isstd + c.isut;
	if (len < v1 + 44 || memcmp(data + v1, "TZif", 4))
		return bad(err, name, "truncated TZif file");
	read_counts(data + v1, &c);
	if (c.time > TZIF_MAX_TRANS || c.type > 256 || c.type == 0 || c.chars > 1024 ||
	    c.leap > 1000 || c.isut > 256 || c.isstd > 256)
		return bad(err, name, "TZif counts out of range");
	if (c.leap)
		return bad(err, name, "zones with leap seconds are not supported");
	pos = v1 + 44;
	body = (size_t)c.time * 9 + (size_t)c.type * 6 + c.chars + (size_t)c.leap * 12 + c.isstd + c.isut;
	if (len < pos + body)
		return bad(err, name, "truncated TZif file");

	const unsigned char *times = data + pos;
	const unsigned char *idx = times + (size_t)c.time * 8;
	const unsigned char *types = idx + c.time;
	int32_t offs[256];

	for (uint32_t i = 0; i < c.type; i++) {
		offs[i] = (int32_t)be32(types + i * 6);
		if (offs[i] <= -TZ_OFF_MAX || offs[i] >= TZ_OFF_MAX)
			return bad(err, name, "UTC offset out of range");
	}
	tz = yw_calloc(1, sizeof(*tz));
	snprintf(tz->name, sizeof(tz->name), "%s", name);
	ALLOC_ARRAY(tz->trans, c.time ? c.time : 1);
	ALLOC_ARRAY(tz->off, c.time ? c.time : 1);
	tz->off0 = offs[0];
	for (uint32_t i = 0; i < c.time; i++) {
		tz->trans[i] = be64(times + (size_t)i * 8);
		if (idx[i] >= c.type || (i && tz->trans[i] <= tz->trans[i - 1])) {
			cal_tz_free(tz);
			return bad(err, name, "malformed transition table");
		}
		tz->off[i] = offs[idx[i]];
	}
	tz->n = c.time;

	/* footer: "\n" POSIX-TZ "\n" */
	pos += body;
	if (pos < len) {
		char rule[128];
		const unsigned char *nl;
		if (data[pos] != '\n' || !(nl = memchr(data + pos + 1, '\n', len - pos - 1)) ||
		    (size_t)(nl - data - pos - 1) >= sizeof(rule)) {
			cal_tz_free(tz);
			return bad(err, name, "malformed TZif footer");
		}
		memcpy(rule, data + pos + 1, nl - data - pos - 1);
		rule[nl - data - pos - 1] = '\0';
		if (!parse_posix(tz, rule)) {
			cal_tz_free(tz);
			return bad(err, name, "cannot read the TZ rule in the footer");
		}
		if (tz->has_rule && (tz->std_off <= -TZ_OFF_MAX || tz->std_off >= TZ_OFF_MAX ||
				     tz->dst_off <= -TZ_OFF_MAX || tz->dst_off >= TZ_OFF_MAX)) {
			cal_tz_free(tz);
			return bad(err, name, "UTC offset out of range");
		}
	}
	*out = tz;
	return 0;
}

void cal_tz_free(struct cal_tz *tz)
{
	if (!tz)
		return;
	free(tz->trans);
	free(tz->off);
	free(tz);
}

/* ---- the process-wide cache ---- */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cal_tz **cache;
static size_t cache_n, cache_alloc;
static char zone_dir[512] = "/usr/share/zoneinfo";

void cal_tz_set_dir(const char *dir)
{
	pthread_mutex_lock(&cache_lock);
	snprintf(zone_dir, sizeof(zone_dir), "%s", dir);
	pthread_mutex_unlock(&cache_lock);
}

/* IANA names: letters, digits, '_', '-', '+', and '/' between parts. */
static bool valid_name(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= CAL_TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/' || strstr(name, "//"))
		return false;
	/* no '.' is allowed, so no name can climb out of the zone directory */
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-+/", *p))
			return false;
	return true;
}

static int load_file(const char *name, struct cal_tz **out, struct yw_err *err)
{
	char path[700];
	unsigned char *buf;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", zone_dir, name);
	if (!(f = fopen(path, "rb")))
		return yw_errf(err, YW_EINVAL, "timezone", "unknown time zone %.64s", name);
	buf = yw_malloc(TZIF_MAX_SIZE);
	len = fread(buf, 1, TZIF_MAX_SIZE, f);
	fclose(f);
	int rc = cal_tz_parse(name, buf, len, out, err);
	free(buf);
	return rc;
}

int cal_tz_get(const char *name, const struct cal_tz **out, struct yw_err *err)
{
	struct cal_tz *tz = NULL;
	int rc = 0;

	if (!name || !valid_name(name))
		return yw_errf(err, YW_EINVAL, "timezone", "time zone must be an IANA name such as Asia/Shanghai");
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < cache_n; i++) {
		if (!strcmp(cache[i]->name, name)) {
			*out = cache[i];
			pthread_mutex_unlock(&cache_lock);
			return 0;
		}
	}
	if (!(rc = load_file(name, &tz, err))) {
		ALLOC_GROW(cache, cache_n + 1, cache_alloc);
		cache[cache_n++] = tz;
		*out = tz;
	}
	pthread_mutex_unlock(&cache_lock);
	return rc;
}
