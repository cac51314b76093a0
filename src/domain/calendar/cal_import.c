/*
 * cal_import.c - reading holidays and make-up workdays from holiday-cn
 * JSON and from iCalendar (.ics) files. Parsing only: a file is read
 * whole into a struct cal_import, and only a file without any fault is
 * handed to the store (cal_db.c), so a bad file writes nothing.
 */
#include "../../core/yw.h"
#include "../../core/jin.h"
#include "../../core/jx.h"
#include "../../core/strbuf.h"
#include "../../core/utf8.h"
#include "cal.h"

#define IMPORT_MAX_BYTES (1u << 20)
#define ICS_MAX_SPAN 60      /* days in one event */
#define ICS_MAX_DEPTH 8

void cal_import_release(struct cal_import *imp)
{
	FREE_AND_NULL(imp->days);
	imp->n = imp->alloc = 0;
}

static void add_day(struct cal_import *imp, int32_t day, uint8_t kind, const char *name, size_t nlen)
{
	struct cal_import_day *d;

	ALLOC_GROW(imp->days, imp->n + 1, imp->alloc);
	d = &imp->days[imp->n++];
	d->day = day;
	d->kind = kind;
	if (nlen >= sizeof(d->name))
		nlen = sizeof(d->name) - 1;
	memcpy(d->name, name, nlen);
	d->name[nlen] = '\0';
}

static int cmp_day(const void *a, const void *b)
{
	const struct cal_import_day *x = a, *y = b;
	return x->day < y->day ? -1 : x->day > y->day;
}

/*
 * Sorts the days and checks that no date is both off and a workday. The
 * stable order of equal dates is not needed: a same-kind repeat is
 * dropped, a clash is an error naming the date.
 */
static int finish(struct cal_import *imp, struct yw_err *err)
{
	size_t m = 0;
	char date[16];

	if (!imp->n)
		return yw_errf(err, YW_EINVAL, "file", "the file holds no days");
	if (imp->n > CAL_MAX_DAYS)
		return yw_errf(err, YW_EINVAL, "file", "the file holds more than %d days", CAL_MAX_DAYS);
	qsort(imp->days, imp->n, sizeof(*imp->days), cmp_day);
	for (size_t i = 1; i < imp->n; i++) {
		if (imp->days[i].day == imp->days[m].day) {
			if (imp->days[i].kind != imp->days[m].kind)
				return yw_errf(err, YW_EINVAL, "file", "%s: date is both a day off and a make-up workday",
					       cal_fmt_date(imp->days[i].day, date, sizeof(date)));
			continue;
		}
		imp->days[++m] = imp->days[i];
	}
	imp->n = m + 1;
	char y[16];
	cal_fmt_date(imp->days[0].day, y, sizeof(y));
	imp->first_year = atoi(y);
	cal_fmt_date(imp->days[imp->n - 1].day, y, sizeof(y));
	imp->last_year = atoi(y);
	return 0;
}

/* ---- holiday-cn JSON ---- */

static int json_year(json_t *o, size_t idx, struct cal_import *imp, struct yw_err *err)
{
	json_t *year = json_object_get(o, "year"), *days = json_object_get(o, "days"), *d;
	size_t i;
	char date[16];

	if (!json_is_integer(year) || json_integer_value(year) < 1970 || json_integer_value(year) > 2199)
		return yw_errf(err, YW_EINVAL, "file", "year object %zu: year must be an integer between 1970 and 2199",
			       idx);
	int y = (int)json_integer_value(year);
	if (!json_is_array(days))
		return yw_errf(err, YW_EINVAL, "file", "year %d: days must be an array", y);
	json_array_foreach(days, i, d) {
		json_t *jn = json_object_get(d, "name"), *jd = json_object_get(d, "date"),
		       *jo = json_object_get(d, "isOffDay");
		int32_t day;
		if (!json_is_object(d))
			return yw_errf(err, YW_EINVAL, "file", "year %d: days[%zu] must be an object", y, i);
		if (!json_is_string(jd))
			return yw_errf(err, YW_EINVAL, "file", "year %d: days[%zu] has no date", y, i);
		const char *ds = json_string_value(jd);
		size_t dl = json_string_length(jd);
		snprintf(date, sizeof(date), "%.10s", ds);
		if (!utf8_valid(ds, dl) || cal_parse_date(ds, dl, &day))
			return yw_errf(err, YW_EINVAL, "file", "%s: date is not a valid YYYY-MM-DD date (year %d, days[%zu])",
				       date, y, i);
		int dy = atoi(ds);
		if (dy < y - 1 || dy > y + 1)
			return yw_errf(err, YW_EINVAL, "file", "%s: date lies outside year %d", date, y);
		if (!json_is_boolean(jo))
			return yw_errf(err, YW_EINVAL, "file", "%s: isOffDay must be true or false", date);
		if (!json_is_string(jn) ||
		    jx_check_str("name", json_string_value(jn), json_string_length(jn), 0, CAL_NAME_MAX, false, err))
			return yw_errf(err, YW_EINVAL, "file", "%s: name must be a text of at most %d characters",
				       date, CAL_NAME_MAX);
		add_day(imp, day, json_is_true(jo) ? CAL_DAY_OFF : CAL_DAY_WORKDAY, json_string_value(jn),
			json_string_length(jn));
	}
	return 0;
}

static int parse_json(const char *data, size_t len, struct cal_import *imp, struct yw_err *err)
{
	struct jin_error jerr;
	json_t *root = jin_load(data, len, &jerr), *o;
	size_t i;
	int rc = 0;

	if (!root) {
		/* jin's reason, which the catalogue translates; it refuses a key twice too */
		yw_err_text(err, YW_EINVAL, "file", jerr.text);
		return yw_err_wrapf(err, YW_EINVAL, "file", err, "malformed JSON at line %d column %d: ",
				    jerr.line, jerr.column);
	}
	if (json_is_object(root)) {
		rc = json_year(root, 0, imp, err);
	} else if (json_is_array(root) && json_array_size(root) > 0 && json_array_size(root) <= 100) {
		json_array_foreach(root, i, o) {
			if (!json_is_object(o)) {
				rc = yw_errf(err, YW_EINVAL, "file", "item %zu must be a year object", i);
				break;
			}
			if ((rc = json_year(o, i, imp, err)))
				break;
		}
	} else {
		rc = yw_errf(err, YW_EINVAL, "file",
			     "expected a holiday-cn object {\"year\":…,\"days\":[…]} or an array of them");
	}
	json_decref(root);
	return rc;
}

/* ---- iCalendar ---- */

struct ics_event {
	int line;                  /* of BEGIN:VEVENT */
	bool has_start, has_end;
	int32_t start, end;        /* end exclusive */
	struct strbuf summary;
};

/* "20260215" (VALUE=DATE). A date-time is refused: holidays are all-day. */
static int ics_date(const char *params, const char *v, int line, const char *what, int32_t *day,
		    struct yw_err *err)
{
	char iso[11];

	if (strchr(v, 'T') || (params && strcasestr(params, "VALUE=DATE-TIME")))
		return yw_errf(err, YW_EINVAL, "file", "line %d: %s must be a date (an all-day event), not a time",
			       line, what);
	if (strlen(v) != 8)
		return yw_errf(err, YW_EINVAL, "file", "line %d: %s must be a date YYYYMMDD", line, what);
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", v, v + 4, v + 6);
	if (cal_parse_date(iso, 10, day))
		return yw_errf(err, YW_EINVAL, "file", "line %d: %s is not a valid date", line, what);
	return 0;
}

/* Unescapes an iCalendar TEXT value in place (\\ \; \, \n). */
static void ics_unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = (*s == 'n' || *s == 'N') ? ' ' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/*
 * holiday-cn writes a day off as "春节假期" and a make-up workday as
 * "上班(补春节假期)". Returns the kind and leaves in name the holiday's name.
 */
static uint8_t ics_kind(const char *summary, struct strbuf *name)
{
	static const char work[] = "上班", makeup[] = "补班", bu[] = "补", jq[] = "假期";
	bool workday = !strncmp(summary, work, strlen(work)) || strstr(summary, makeup);
	const char *s = summary, *e;

	strbuf_reset(name);
	if (workday && (s = strstr(summary, bu)) && strncmp(s, makeup, strlen(makeup))) {
		s += strlen(bu);
		e = strstr(s, jq);
		if (!e)
			e = s + strcspn(s, ")）");
		strbuf_add(name, s, e - s);
		return CAL_DAY_WORKDAY;
	}
	s = summary;
	e = s + strlen(s);
	if ((size_t)(e - s) > strlen(jq) && !strcmp(e - strlen(jq), jq))
		e -= strlen(jq);
	strbuf_add(name, s, e - s);
	return workday ? CAL_DAY_WORKDAY : CAL_DAY_OFF;
}

static int ics_end_event(struct ics_event *ev, int line, struct cal_import *imp, struct yw_err *err)
{
	struct strbuf name = STRBUF_INIT;
	uint8_t kind;

	if (!ev->has_start)
		return yw_errf(err, YW_EINVAL, "file", "line %d: event without DTSTART", line);
	if (!ev->summary.len)
		return yw_errf(err, YW_EINVAL, "file", "line %d: event without SUMMARY", line);
	if (!ev->has_end)
		ev->end = ev->start + 1;
	if (ev->end <= ev->start)
		return yw_errf(err, YW_EINVAL, "file", "line %d: DTEND must be after DTSTART", line);
	if (ev->end - ev->start > ICS_MAX_SPAN)
		return yw_errf(err, YW_EINVAL, "file", "line %d: event spans more than %d days", line, ICS_MAX_SPAN);
	if (!utf8_valid(ev->summary.buf, ev->summary.len) ||
	    jx_check_str("summary", ev->summary.buf, ev->summary.len, 1, CAL_NAME_MAX, false, err))
		return yw_errf(err, YW_EINVAL, "file", "line %d: SUMMARY must be a text of at most %d characters",
			       line, CAL_NAME_MAX);
	kind = ics_kind(ev->summary.buf, &name);
	for (int32_t d = ev->start; d < ev->end; d++) {
		if (imp->n >= CAL_MAX_DAYS) {
			strbuf_release(&name);
			return yw_errf(err, YW_EINVAL, "file", "line %d: the file holds more than %d days", line,
				       CAL_MAX_DAYS);
		}
		add_day(imp, d, kind, name.buf, name.len);
	}
	strbuf_release(&name);
	return 0;
}

static int parse_ics(const char *data, size_t len, struct cal_import *imp, struct yw_err *err)
{
	struct strbuf ln = STRBUF_INIT;
	struct ics_event ev = { 0, false, false, 0, 0, STRBUF_INIT };
	char stack[ICS_MAX_DEPTH][32];
	int depth = 0, phys = 0, start_line = 0, rc = 0;
	bool in_event = false, done = false, seen_cal = false;
	size_t pos = 0;

	if (!utf8_valid(data, len) || memchr(data, '\0', len))
		return yw_errf(err, YW_EINVAL, "file", "the file is not UTF-8 text");
	/* one logical (unfolded) line per pass; pos == len flushes the last */
	while (pos <= len && !rc) {
		const char *p = data + pos, *nl = memchr(p, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - p) : len - pos;
		bool eof = pos >= len;
		if (!eof) {
			phys++;
			pos += l + 1;
			if (l && p[l - 1] == '\r')
				l--;
			if (l && (p[0] == ' ' || p[0] == '\t')) {
				if (!ln.len) {
					rc = yw_errf(err, YW_EINVAL, "file", "line %d: continuation line with nothing to continue",
						     phys);
					break;
				}
				strbuf_add(&ln, p + 1, l - 1);
				continue;
			}
		}
		/* p starts a new logical line: handle the one collected so far */
		if (ln.len) {
			char *line = ln.buf, *colon = strchr(line, ':'), *semi, *params = NULL;
			if (!colon) {
				rc = yw_errf(err, YW_EINVAL, "file", "line %d: expected NAME:VALUE", start_line);
				break;
			}
			*colon = '\0';
			if ((semi = strchr(line, ';')) && semi < colon) {
				*semi = '\0';
				params = semi + 1;
			}
			char *val = colon + 1;
			if (done) {
				rc = yw_errf(err, YW_EINVAL, "file", "line %d: text after END:VCALENDAR", start_line);
				break;
			}
			if (!seen_cal && (strcasecmp(line, "BEGIN") || strcasecmp(val, "VCALENDAR"))) {
				rc = yw_errf(err, YW_EINVAL, "file", "line %d: the file must start with BEGIN:VCALENDAR",
					     start_line);
				break;
			}
			if (!strcasecmp(line, "BEGIN")) {
				if (depth >= ICS_MAX_DEPTH || strlen(val) >= sizeof(stack[0]) || !*val) {
					rc = yw_errf(err, YW_EINVAL, "file", "line %d: bad or too deeply nested BEGIN",
						     start_line);
					break;
				}
				if (depth == 0 && seen_cal) {
					rc = yw_errf(err, YW_EINVAL, "file", "line %d: a second VCALENDAR", start_line);
					break;
				}
				seen_cal = true;
				snprintf(stack[depth++], sizeof(stack[0]), "%s", val);
				if (!strcasecmp(val, "VEVENT")) {
					if (in_event || depth != 2) {
						rc = yw_errf(err, YW_EINVAL, "file", "line %d: VEVENT must sit directly in VCALENDAR",
							     start_line);
						break;
					}
					in_event = true;
					ev.line = start_line;
					ev.has_start = ev.has_end = false;
					strbuf_reset(&ev.summary);
				}
			} else if (!strcasecmp(line, "END")) {
				if (!depth || strcasecmp(stack[depth - 1], val)) {
					rc = yw_errf(err, YW_EINVAL, "file", "line %d: END:%.32s does not match BEGIN:%.32s",
						     start_line, val, depth ? stack[depth - 1] : "(none)");
					break;
				}
				depth--;
				if (in_event && depth == 1) {
					in_event = false;
					rc = ics_end_event(&ev, start_line, imp, err);
				}
				if (depth == 0)
					done = true;
			} else if (in_event && depth == 2) {
				if (!strcasecmp(line, "DTSTART")) {
					rc = ics_date(params, val, start_line, "DTSTART", &ev.start, err);
					ev.has_start = true;
				} else if (!strcasecmp(line, "DTEND")) {
					rc = ics_date(params, val, start_line, "DTEND", &ev.end, err);
					ev.has_end = true;
				} else if (!strcasecmp(line, "SUMMARY")) {
					ics_unescape(val);
					strbuf_reset(&ev.summary);
					strbuf_addstr(&ev.summary, val);
				} else if (!strcasecmp(line, "RRULE") || !strcasecmp(line, "RDATE") ||
					   !strcasecmp(line, "DURATION")) {
					rc = yw_errf(err, YW_EINVAL, "file",
						     "line %d: %s is not supported; list each holiday as its own event",
						     start_line, line);
				}
			}
			strbuf_reset(&ln);
		}
		if (eof)
			break;
		if (l) {
			start_line = phys;
			strbuf_add(&ln, p, l);
		}
	}
	if (!rc && !done)
		rc = yw_errf(err, YW_EINVAL, "file", "line %d: the file ends before END:VCALENDAR", phys);
	strbuf_release(&ln);
	strbuf_release(&ev.summary);
	return rc;
}

int cal_import_parse(const char *data, size_t len, enum cal_format fmt, struct cal_import *imp,
		     struct yw_err *err)
{
	size_t i = 0;
	int rc;

	imp->n = 0;
	if (len > IMPORT_MAX_BYTES)
		return yw_errf(err, YW_ETOOBIG, "file", "the file is larger than 1 MiB");
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	if (i == len)
		return yw_errf(err, YW_EINVAL, "file", "the file is empty");
	if (fmt == CAL_FMT_AUTO) {
		fmt = i < len && (data[i] == '{' || data[i] == '[') ? CAL_FMT_JSON : CAL_FMT_ICS;
	}
	rc = fmt == CAL_FMT_JSON ? parse_json(data, len, imp, err) : parse_ics(data, len, imp, err);
	if (!rc)
		rc = finish(imp, err);
	return rc;
}
