/*
 * cal_db.c - calendars in the store: loading, the built-in data, and the
 * records the API and the CLI manage (permissions, validation, audit).
 */
#include "../../core/yw.h"
#include "../../core/embed.h"
#include "../../core/jx.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "../account/perm.h"
#include "cal.h"
#include "cal_tz.h"

extern const struct embed_file calendars_files[];

#define DEFAULT_TZ "Asia/Shanghai"
#define SEED_FILE "cn-mainland.json"
#define SEED_CALENDAR "cn-workday"

static int may_read(const struct yw_actor *a, struct yw_err *err)
{
	return perm_check(a, P_CALENDAR_READ, NULL, err);
}

static int may_write(const struct yw_actor *a, struct yw_err *err)
{
	return perm_check(a, P_CALENDAR_UPDATE, NULL, err);
}

static const char *kind_name(uint8_t kind)
{
	return kind == CAL_DAY_OFF ? "off" : "workday";
}

/* ---- loading ---- */

static int load_windows(struct db *db, struct cal *c, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT weekday, start_min, end_min FROM calendar_windows"
				 " WHERE calendar_id = ? ORDER BY weekday, start_min", &st, err)))
		return rc;
	db_bind_int(st, 1, c->id);
	while ((rc = db_step(st, err)) == DB_ROW) {
		int64_t wd = db_col_int(st, 0) - 1;
		if (wd < 0 || wd > 6 || c->week[wd].n >= CAL_MAX_WINDOWS) {
			THIS_SHOULD_NEVER_HAPPEN;
			continue;
		}
		struct cal_daywin *w = &c->week[wd];
		w->w[w->n].start = (int16_t)db_col_int(st, 1);
		w->w[w->n].end = (int16_t)db_col_int(st, 2);
		w->n++;
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

static int load_days(struct db *db, struct cal *c, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT day, kind, name, windows FROM calendar_days"
				 " WHERE calendar_id = ? ORDER BY day", &st, err)))
		return rc;
	db_bind_int(st, 1, c->id);
	while ((rc = db_step(st, err)) == DB_ROW) {
		const char *ds = db_col_text(st, 0), *win = db_col_text(st, 3);
		bool off = !strcmp(db_col_text(st, 1), "off");
		struct cal_daywin w;
		int32_t day;
		if (!ds || cal_parse_date(ds, strlen(ds), &day) ||
		    (win && cal_daywin_parse(win, &w, "windows", err))) {
			THIS_SHOULD_NEVER_HAPPEN;
			continue;
		}
		if ((rc = cal_set_day(c, day, off ? CAL_DAY_OFF : CAL_DAY_WORKDAY, !off && win ? &w : NULL,
				      db_col_text(st, 2), err)))
			break;
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

int cal_load(struct db *db, int64_t id, struct cal **out, struct yw_err *err)
{
	struct db_stmt *st;
	char name[sizeof(((struct cal *)0)->name)], tz[CAL_TZ_NAME_MAX + 1];
	char *desc = NULL;
	int64_t builtin, created, updated, version;
	struct cal *c;
	int rc;

	if ((rc = db_prepare(db, "SELECT name, description, timezone, builtin, created_at, updated_at,"
				 " version FROM calendars WHERE id = ?", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	rc = db_step(st, err);
	if (rc != DB_ROW) {
		db_done(st);
		return rc < 0 ? rc : yw_errf(err, YW_ENOTFOUND, "", "no calendar %" PRId64, id);
	}
	snprintf(name, sizeof(name), "%s", db_col_text(st, 0));
	if (db_col_text(st, 1))
		desc = yw_strdup(db_col_text(st, 1));
	snprintf(tz, sizeof(tz), "%s", db_col_text(st, 2));
	builtin = db_col_int(st, 3);
	created = db_col_int(st, 4);
	updated = db_col_int(st, 5);
	version = db_col_int(st, 6);
	db_done(st);

	if ((rc = cal_new(tz, &c, err))) {
		free(desc);
		return rc;
	}
	c->id = id;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->description = desc;
	c->builtin = builtin != 0;
	c->created_at = created;
	c->updated_at = updated;
	c->version = version;
	if ((rc = load_windows(db, c, err)) || (rc = load_days(db, c, err))) {
		cal_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

int cal_lookup(struct db *db, const char *s, int64_t *id, struct yw_err *err)
{
	size_t n = strspn(s, "0123456789");
	int rc;

	if (n && !s[n] && n < 16) {
		rc = db_queryint(db, id, err, "SELECT id FROM calendars WHERE id = ?", "i", (int64_t)atoll(s));
	} else {
		rc = db_queryint(db, id, err, "SELECT id FROM calendars WHERE name = ?", "s", s);
	}
	if (rc == YW_ENOTFOUND)
		return yw_errf(err, YW_ENOTFOUND, "calendar", "no calendar %.64s", s);
	return rc;
}

/* ---- writing days ---- */

static int put_day(struct db *db, int64_t id, int32_t day, uint8_t kind, const char *name,
		   const char *windows, bool keep_windows, struct yw_err *err)
{
	char date[16];

	cal_fmt_date(day, date, sizeof(date));
	if (keep_windows)
		return db_execf(db, err,
				"INSERT INTO calendar_days (calendar_id, day, kind, name, windows) VALUES (?, ?, ?, ?, NULL)"
				" ON CONFLICT (calendar_id, day) DO UPDATE SET kind = excluded.kind, name = excluded.name,"
				" windows = CASE WHEN excluded.kind = 'workday' AND calendar_days.kind = 'workday'"
				" THEN calendar_days.windows END",
				"isss", id, date, kind_name(kind), name);
	return db_execf(db, err,
			"INSERT INTO calendar_days (calendar_id, day, kind, name, windows) VALUES (?, ?, ?, ?, ?)",
			"issss", id, date, kind_name(kind), name, windows);
}

static int bump(struct db *db, int64_t id, struct yw_err *err)
{
	return db_execf(db, err, "UPDATE calendars SET version = version + 1, updated_at = ? WHERE id = ?",
			"ii", yw_now(), id);
}

static cal_change_fn change_hook;
static void (*after_hook)(void);

void cal_on_change(cal_change_fn fn, void (*after_commit)(void))
{
	change_hook = fn;
	after_hook = after_commit;
}

/* Commits a transaction that ran changed(), then tells the after-commit hook. */
static int commit_changed(struct db *db, struct yw_err *err)
{
	int rc = db_commit(db, err);

	if (!rc && after_hook)
		after_hook();
	return rc;
}

/* A calendar in use changed: a new version, and whoever depends on it is told. */
static int changed(struct db *db, const struct yw_actor *a, int64_t id, struct yw_err *err)
{
	int rc = bump(db, id, err);
	if (!rc && change_hook)
		rc = change_hook(db, a, id, err);
	return rc;
}

/* Applies the days of imp whose year is y (all when y is 0). */
static int apply_days(struct db *db, int64_t id, const struct cal_import *imp, int y, struct yw_err *err)
{
	char date[16];
	int rc;

	for (size_t i = 0; i < imp->n; i++) {
		if (y && atoi(cal_fmt_date(imp->days[i].day, date, sizeof(date))) != y)
			continue;
		if ((rc = put_day(db, id, imp->days[i].day, imp->days[i].kind, imp->days[i].name, NULL, true, err)))
			return rc;
	}
	return 0;
}

int cal_seed_builtin(struct db *db, struct yw_err *err)
{
	const struct embed_file *f;
	struct cal_import imp = { 0 };
	int64_t id, seen;
	int rc, applied = 0;

	for (f = calendars_files; f->path; f++)
		if (!strcmp(f->path, SEED_FILE))
			break;
	if (!f->path)
		BUG("%s is not built into the binary", SEED_FILE);
	rc = db_queryint(db, &id, err, "SELECT id FROM calendars WHERE name = ? AND builtin = 1", "s",
			 SEED_CALENDAR);
	if (rc == YW_ENOTFOUND)
		return 0;   /* an older schema, or removed by hand: nothing to seed into */
	if (rc)
		return rc;
	if ((rc = cal_import_parse((const char *)f->data, f->size, CAL_FMT_JSON, &imp, err))) {
		cal_import_release(&imp);
		BUG("shipped calendar data is bad: %s", err->msg);
	}
	if ((rc = db_begin(db, err)))
		goto out;
	for (int y = imp.first_year; y <= imp.last_year && !rc; y++) {
		char source[64];
		snprintf(source, sizeof(source), "%s:%d", SEED_FILE, y);
		rc = db_queryint(db, &seen, err, "SELECT COUNT(*) FROM calendar_seeds WHERE calendar_id = ? AND source = ?",
				 "is", id, source);
		if (rc || seen)
			continue;
		if ((rc = apply_days(db, id, &imp, y, err)) ||
		    (rc = db_execf(db, err, "INSERT INTO calendar_seeds (calendar_id, source, applied_at) VALUES (?, ?, ?)",
				   "isi", id, source, yw_now())))
			break;
		applied++;
	}
	if (!rc && applied) {
		json_t *d = json_pack("{s:s, s:i}", "source", SEED_FILE, "years", applied);
		rc = bump(db, id, err);
		if (!rc)
			rc = acct_audit(db, &acct_system, "calendar.seed", "calendar", id, d, err);
		json_decref(d);
	}
	if (rc)
		db_rollback(db);
	else
		rc = db_commit(db, err);
out:
	cal_import_release(&imp);
	return rc;
}

/* ---- records ---- */

json_t *cal_json(const struct cal *c)
{
	json_t *years = json_array();
	int last = 0;
	char date[16];

	for (size_t i = 0; i < c->ndays; i++) {
		int y = atoi(cal_fmt_date(c->days[i].day, date, sizeof(date)));
		if (y != last)
			json_array_append_new(years, json_integer(y));
		last = y;
	}
	return json_pack("{s:I, s:s, s:o, s:s, s:b, s:o, s:o, s:o, s:o, s:I}",
			 "id", (json_int_t)c->id, "name", c->name,
			 "description", jx_str_or_null(c->description),
			 "timezone", cal_tz_name(c->tz), "builtin", c->builtin,
			 "windows", cal_week_json(c->week), "years", years,
			 "created_at", jx_time_or_null(c->created_at),
			 "updated_at", jx_time_or_null(c->updated_at),
			 "version", (json_int_t)c->version);
}

int cal_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err)
{
	struct cal *c;
	int rc;

	if ((rc = may_read(a, err)) || (rc = cal_load(db, id, &c, err)))
		return rc;
	*out = cal_json(c);
	cal_free(c);
	return 0;
}

int cal_list_json(struct db *db, const struct yw_actor *a, int64_t after_id, int64_t limit,
		  json_t **items, int64_t *next_after, struct yw_err *err)
{
	struct db_stmt *st;
	int64_t ids[201];
	size_t n = 0;
	int rc;

	if ((rc = may_read(a, err)))
		return rc;
	if (limit < 1 || limit > 200)
		BUG("limit %" PRId64, limit);
	if ((rc = db_prepare(db, "SELECT id FROM calendars WHERE id > ? ORDER BY id LIMIT ?", &st, err)))
		return rc;
	db_bind_int(st, 1, after_id);
	db_bind_int(st, 2, limit + 1);
	while ((rc = db_step(st, err)) == DB_ROW && n < ARRAY_SIZE(ids))
		ids[n++] = db_col_int(st, 0);
	db_done(st);
	if (rc < 0)
		return rc;
	*next_after = (int64_t)n > limit ? ids[limit - 1] : 0;
	if ((int64_t)n > limit)
		n = (size_t)limit;
	*items = json_array();
	for (size_t i = 0; i < n; i++) {
		struct cal *c;
		if ((rc = cal_load(db, ids[i], &c, err))) {
			json_decref(*items);
			return rc;
		}
		json_array_append_new(*items, cal_json(c));
		cal_free(c);
	}
	return 0;
}

static int write_windows(struct db *db, int64_t id, const struct cal_daywin week[7], struct yw_err *err)
{
	int rc;

	if ((rc = db_execf(db, err, "DELETE FROM calendar_windows WHERE calendar_id = ?", "i", id)))
		return rc;
	for (int wd = 0; wd < 7; wd++)
		for (size_t i = 0; i < week[wd].n; i++)
			if ((rc = db_execf(db, err, "INSERT INTO calendar_windows (calendar_id, weekday, start_min, end_min)"
					   " VALUES (?, ?, ?, ?)", "iiii", id, (int64_t)wd + 1,
					   (int64_t)week[wd].w[i].start, (int64_t)week[wd].w[i].end)))
				return rc;
	return 0;
}

/* Validates the meaning of an input: name, zone, windows. */
static int check_input(const struct cal_input *in, unsigned have, struct cal_daywin week[7],
		       struct yw_err *err)
{
	const struct cal_tz *tz;
	int rc;

	if ((have & CAL_IN_NAME) &&
	    (!in->name || (rc = jx_check_str("name", in->name, strlen(in->name), 1, CAL_NAME_MAX, false, err))))
		return in->name ? rc : yw_errf(err, YW_EINVAL, "name", "name is required");
	if ((have & CAL_IN_DESCRIPTION) && in->description &&
	    (rc = jx_check_str("description", in->description, strlen(in->description), 0, 500, true, err)))
		return rc;
	if ((have & CAL_IN_TIMEZONE) && (!in->timezone || (rc = cal_tz_get(in->timezone, &tz, err))))
		return in->timezone ? rc : yw_errf(err, YW_EINVAL, "timezone", "timezone must not be null");
	if (have & CAL_IN_WINDOWS)
		return cal_week_from_json(in->windows, week, err);
	return 0;
}

static int name_taken(int rc, const char *name, struct yw_err *err)
{
	if (rc == YW_ECONFLICT)
		return yw_errf(err, YW_ECONFLICT, "name", "a calendar named %.64s exists", name);
	return rc;
}

int cal_create(struct db *db, const struct yw_actor *a, const struct cal_input *in, unsigned have,
	       int64_t *id, struct yw_err *err)
{
	struct cal_daywin week[7];
	int64_t now = yw_now();
	int rc;

	if ((rc = may_write(a, err)))
		return rc;
	if (!(have & CAL_IN_NAME))
		return yw_errf(err, YW_EINVAL, "name", "name is required");
	if ((rc = check_input(in, have, week, err)))
		return rc;
	if (!(have & CAL_IN_WINDOWS)) {
		/* the standard workday: Monday to Friday, 09:00-18:00 */
		memset(week, 0, sizeof(week));
		for (int wd = 0; wd < 5; wd++) {
			week[wd].n = 1;
			week[wd].w[0].start = 540;
			week[wd].w[0].end = 1080;
		}
	}
	const char *tz = (have & CAL_IN_TIMEZONE) ? in->timezone : DEFAULT_TZ;
	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_queryint(db, id, err,
			 "INSERT INTO calendars (name, description, timezone, builtin, created_at, updated_at)"
			 " VALUES (?, ?, ?, 0, ?, ?) RETURNING id", "sssii",
			 in->name, (have & CAL_IN_DESCRIPTION) ? in->description : NULL, tz, now, now);
	if (!rc)
		rc = write_windows(db, *id, week, err);
	if (!rc) {
		json_t *d = json_pack("{s:s, s:s}", "name", in->name, "timezone", tz);
		rc = acct_audit(db, a, "calendar.create", "calendar", *id, d, err);
		json_decref(d);
	}
	if (rc) {
		db_rollback(db);
		return name_taken(rc, in->name, err);
	}
	return db_commit(db, err);
}

/* In the caller's transaction: the calendar exists and is at version. */
static int check_version(struct db *db, int64_t id, int64_t version, int64_t *builtin, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT version, builtin FROM calendars WHERE id = ?", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	rc = db_step(st, err);
	if (rc == DB_ROW) {
		int64_t v = db_col_int(st, 0);
		if (builtin)
			*builtin = db_col_int(st, 1);
		rc = version && v != version ?
			yw_errf(err, YW_ESTALE, "If-Match", "the calendar was changed (now version %" PRId64 ")", v) : 0;
	} else if (rc == DB_DONE) {
		rc = yw_errf(err, YW_ENOTFOUND, "", "no calendar %" PRId64, id);
	}
	db_done(st);
	return rc;
}

static bool str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool week_same(const struct cal_daywin a[7], const struct cal_daywin b[7])
{
	for (int wd = 0; wd < 7; wd++) {
		if (a[wd].n != b[wd].n)
			return false;
		for (size_t i = 0; i < a[wd].n; i++)
			if (a[wd].w[i].start != b[wd].w[i].start || a[wd].w[i].end != b[wd].w[i].end)
				return false;
	}
	return true;
}

/*
 * Like a ticket PATCH: an empty body is a 400, a body that changes
 * nothing is a success that writes nothing (same version, no audit row),
 * so a client re-saving an unchanged form does not bump the version
 * under someone else's If-Match.
 */
int cal_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
	       const struct cal_input *in, unsigned have, struct yw_err *err)
{
	struct cal_daywin week[7];
	struct cal *old = NULL;
	json_t *d = NULL;
	int rc;

	if ((rc = may_write(a, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = check_version(db, id, version, NULL, err)))
		goto fail;
	if (!have) {
		rc = yw_errf(err, YW_EINVAL, "", "nothing to change: send at least one field");
		goto fail;
	}
	if ((rc = check_input(in, have, week, err)))
		goto fail;
	if ((rc = cal_load(db, id, &old, err)))
		goto fail;
	/* only what really differs is written and audited */
	if ((have & CAL_IN_NAME) && !strcmp(in->name, old->name))
		have &= ~(unsigned)CAL_IN_NAME;
	if ((have & CAL_IN_DESCRIPTION) && str_same(in->description, old->description))
		have &= ~(unsigned)CAL_IN_DESCRIPTION;
	if ((have & CAL_IN_TIMEZONE) && !strcmp(in->timezone, cal_tz_name(old->tz)))
		have &= ~(unsigned)CAL_IN_TIMEZONE;
	if ((have & CAL_IN_WINDOWS) && week_same(week, old->week))
		have &= ~(unsigned)CAL_IN_WINDOWS;
	if (!have) {
		cal_free(old);
		db_rollback(db);
		return 0;
	}
	if ((have & CAL_IN_NAME) && old->builtin) {
		rc = yw_errf(err, YW_EINVAL, "name", "built-in calendars keep their names");
		goto fail;
	}
	d = json_object();
	if (have & CAL_IN_NAME) {
		json_object_set_new(d, "name", json_string(in->name));
		rc = db_execf(db, err, "UPDATE calendars SET name = ? WHERE id = ?", "si", in->name, id);
	}
	if (!rc && (have & CAL_IN_DESCRIPTION)) {
		json_object_set_new(d, "description", jx_str_or_null(in->description));
		rc = db_execf(db, err, "UPDATE calendars SET description = ? WHERE id = ?", "si", in->description, id);
	}
	if (!rc && (have & CAL_IN_TIMEZONE)) {
		json_object_set_new(d, "timezone", json_string(in->timezone));
		rc = db_execf(db, err, "UPDATE calendars SET timezone = ? WHERE id = ?", "si", in->timezone, id);
	}
	if (!rc && (have & CAL_IN_WINDOWS)) {
		json_object_set_new(d, "windows", cal_week_json(week));
		rc = write_windows(db, id, week, err);
	}
	if (!rc)
		rc = changed(db, a, id, err);
	if (!rc)
		rc = acct_audit(db, a, "calendar.update", "calendar", id, d, err);
	if (rc)
		goto fail;
	json_decref(d);
	cal_free(old);
	return commit_changed(db, err);
fail:
	json_decref(d);
	cal_free(old);
	db_rollback(db);
	return (have & CAL_IN_NAME) ? name_taken(rc, in->name, err) : rc;
}

static int check_year(int year, struct yw_err *err)
{
	if (year < 1970 || year > 2199)
		return yw_errf(err, YW_EINVAL, "year", "year must be between 1970 and 2199");
	return 0;
}

int cal_days_json(struct db *db, const struct yw_actor *a, int64_t id, int year, json_t **out,
		  struct yw_err *err)
{
	struct db_stmt *st;
	char from[24], to[24];
	int64_t version;
	json_t *items;
	int rc;

	if ((rc = may_read(a, err)) || (rc = check_year(year, err)))
		return rc;
	if ((rc = db_queryint(db, &version, err, "SELECT version FROM calendars WHERE id = ?", "i", id)))
		return rc == YW_ENOTFOUND ? yw_errf(err, rc, "", "no calendar %" PRId64, id) : rc;
	snprintf(from, sizeof(from), "%04d-01-01", year);
	snprintf(to, sizeof(to), "%04d-01-01", year + 1);
	if ((rc = db_prepare(db, "SELECT day, kind, name, windows FROM calendar_days"
				 " WHERE calendar_id = ? AND day >= ? AND day < ? ORDER BY day", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, from);
	db_bind_text(st, 3, to);
	items = json_array();
	while ((rc = db_step(st, err)) == DB_ROW) {
		struct cal_daywin w;
		const char *win = db_col_text(st, 3);
		json_t *jw = json_null();
		if (win && !cal_daywin_parse(win, &w, "windows", err))
			jw = cal_daywin_json(&w);
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:o}", "date", db_col_text(st, 0),
						       "kind", db_col_text(st, 1), "name", db_col_text(st, 2),
						       "windows", jw));
	}
	db_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:I, s:i, s:o}", "calendar_id", (json_int_t)id, "year", year, "items", items);
	json_object_set_new(*out, "version", json_integer(version));
	return 0;
}

struct day_in {
	int32_t day;
	uint8_t kind;
	const char *name;
	char windows[CAL_MAX_WINDOWS * 12 + 1];
	bool has_windows;
};

/* One entry of a day list: {date, kind, name?, windows?}. */
static int decode_day(json_t *e, size_t i, int year, struct day_in *d, struct yw_err *err)
{
	json_t *jd, *jk, *jn, *jw, *v;
	const char *key;
	char field[48], date[16];
	int rc;

	if (!json_is_object(e))
		return yw_errf(err, YW_EINVAL, "days", "days[%zu] must be an object", i);
	json_object_foreach(e, key, v) {
		if (strcmp(key, "date") && strcmp(key, "kind") && strcmp(key, "name") && strcmp(key, "windows")) {
			snprintf(field, sizeof(field), "days[%zu].%.20s", i, key);
			return yw_errf(err, YW_EUNKNOWN, field, "unknown field %s", field);
		}
	}
	jd = json_object_get(e, "date");
	jk = json_object_get(e, "kind");
	jn = json_object_get(e, "name");
	jw = json_object_get(e, "windows");
	snprintf(field, sizeof(field), "days[%zu].date", i);
	if (!json_is_string(jd) || cal_parse_date(json_string_value(jd), json_string_length(jd), &d->day))
		return yw_errf(err, YW_EINVAL, field, "%s must be a date YYYY-MM-DD", field);
	if (atoi(cal_fmt_date(d->day, date, sizeof(date))) != year)
		return yw_errf(err, YW_EINVAL, field, "%s: %s is not in year %d", field, date, year);
	snprintf(field, sizeof(field), "days[%zu].kind", i);
	if (!json_is_string(jk) || (strcmp(json_string_value(jk), "off") && strcmp(json_string_value(jk), "workday")))
		return yw_errf(err, YW_EINVAL, field, "%s must be one of: off, workday", field);
	d->kind = !strcmp(json_string_value(jk), "off") ? CAL_DAY_OFF : CAL_DAY_WORKDAY;
	snprintf(field, sizeof(field), "days[%zu].name", i);
	d->name = "";
	if (jn && !json_is_null(jn)) {
		if (!json_is_string(jn))
			return yw_errf(err, YW_EINVAL, field, "%s must be a string", field);
		if ((rc = jx_check_str(field, json_string_value(jn), json_string_length(jn), 0, CAL_NAME_MAX,
				       false, err)))
			return rc;
		d->name = json_string_value(jn);
	}
	d->has_windows = jw && !json_is_null(jw);
	if (d->has_windows) {
		struct cal_daywin dw;
		snprintf(field, sizeof(field), "days[%zu].windows", i);
		if (d->kind == CAL_DAY_OFF)
			return yw_errf(err, YW_EINVAL, field, "%s: a day off has no windows", field);
		if ((rc = cal_daywin_from_json(jw, &dw, field, err)))
			return rc;
		if (!dw.n)
			return yw_errf(err, YW_EINVAL, field, "%s: a workday needs a window (or null for the default)",
				       field);
		cal_daywin_fmt(&dw, d->windows, sizeof(d->windows));
	}
	return 0;
}

int cal_days_replace(struct db *db, const struct yw_actor *a, int64_t id, int year, int64_t version,
		     json_t *days, struct yw_err *err)
{
	struct day_in *in;
	size_t i, n;
	json_t *e;
	char from[24], to[24];
	int rc;

	/* as for an import: a missing calendar is a 404 before its days are read */
	if ((rc = may_write(a, err)) || (rc = check_year(year, err)) || (rc = check_version(db, id, 0, NULL, err)))
		return rc;
	if (!json_is_array(days))
		return yw_errf(err, YW_EINVAL, "days", "days must be an array");
	n = json_array_size(days);
	if (n > 366)
		return yw_errf(err, YW_EINVAL, "days", "days has more than 366 entries");
	in = yw_calloc(n ? n : 1, sizeof(*in));
	json_array_foreach(days, i, e) {
		if ((rc = decode_day(e, i, year, &in[i], err)))
			goto out;
		for (size_t j = 0; j < i; j++) {
			if (in[j].day == in[i].day) {
				rc = yw_errf(err, YW_EINVAL, "days", "days[%zu].date repeats days[%zu].date", i, j);
				goto out;
			}
		}
	}
	snprintf(from, sizeof(from), "%04d-01-01", year);
	snprintf(to, sizeof(to), "%04d-01-01", year + 1);
	if ((rc = db_begin(db, err)))
		goto out;
	if (!(rc = check_version(db, id, version, NULL, err)))
		rc = db_execf(db, err, "DELETE FROM calendar_days WHERE calendar_id = ? AND day >= ? AND day < ?",
			      "iss", id, from, to);
	for (i = 0; i < n && !rc; i++)
		rc = put_day(db, id, in[i].day, in[i].kind, in[i].name, in[i].has_windows ? in[i].windows : NULL,
			     false, err);
	if (!rc)
		rc = changed(db, a, id, err);
	if (!rc) {
		json_t *d = json_pack("{s:i, s:i}", "year", year, "days", (int)n);
		rc = acct_audit(db, a, "calendar.days.replace", "calendar", id, d, err);
		json_decref(d);
	}
	if (rc)
		db_rollback(db);
	else
		rc = commit_changed(db, err);
out:
	free(in);
	return rc;
}

int cal_import_apply(struct db *db, const struct yw_actor *a, int64_t id, const char *data, size_t len,
		     enum cal_format fmt, struct cal_import_result *res, struct yw_err *err)
{
	struct cal_import imp = { 0 };
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = may_write(a, err)))
		return rc;
	/* a missing calendar is a 404 whatever the file holds: look before parsing */
	if ((rc = check_version(db, id, 0, NULL, err)))
		return rc;
	if ((rc = cal_import_parse(data, len, fmt, &imp, err)))
		goto out;
	for (size_t i = 0; i < imp.n; i++) {
		if (imp.days[i].kind == CAL_DAY_OFF)
			res->off++;
		else
			res->workdays++;
	}
	res->first_year = imp.first_year;
	res->last_year = imp.last_year;
	if ((rc = db_begin(db, err)))
		goto out;
	if (!(rc = check_version(db, id, 0, NULL, err)) && !(rc = apply_days(db, id, &imp, 0, err)) &&
	    !(rc = changed(db, a, id, err))) {
		json_t *d = json_pack("{s:i, s:i, s:i, s:i}", "off", (int)res->off, "workdays", (int)res->workdays,
				      "first_year", (int)res->first_year, "last_year", (int)res->last_year);
		rc = acct_audit(db, a, "calendar.import", "calendar", id, d, err);
		json_decref(d);
	}
	if (rc)
		db_rollback(db);
	else
		rc = commit_changed(db, err);
out:
	cal_import_release(&imp);
	return rc;
}
