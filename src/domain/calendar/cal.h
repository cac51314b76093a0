/*
 * cal.h - business calendars (工作日历): working windows, holidays,
 * make-up workdays (调休/补班), and the arithmetic on working time that
 * SLA clocks are measured in.
 *
 * A calendar has a time zone (cal_tz.h), weekly working windows (up to
 * CAL_MAX_WINDOWS per weekday, local wall times, e.g. 09:00-12:00 and
 * 13:30-18:00) and special days by local date: a day off (holiday) has
 * no working time; a make-up workday has its own windows, or by default
 * the Monday windows (the first weekday with windows if Monday has none).
 *
 * The arithmetic works one local day at a time: for each day it takes
 * the day's windows (weekday table or special day, found by binary
 * search), turns them into instants through the zone, and walks them.
 * The cost of a call therefore grows with the days it spans, never with
 * the minutes; but cal_between() over more than a couple of weeks walks
 * only the days at its two ends and takes the whole days between from
 * running totals the calendar keeps per day, filled once. A window on the day clocks change is exact: on spring
 * forward a window 01:00-04:00 holds two hours, on fall back four.
 * Every instant belongs to exactly one local day, so
 * cal_between(t, cal_add(t, n)) == n for every t and n.
 *
 * A struct cal is immutable once built (but for its running totals,
 * which a lock guards): threads may share it.
 * Calls are bounded: instants must lie in [CAL_T_MIN, CAL_T_MAX) and a
 * computation may span at most CAL_HORIZON_DAYS (10 years); beyond, the
 * call fails with YW_EINVAL rather than search forever (a calendar with
 * no working time at all fails the same way).
 *
 *	struct cal *c;
 *	int64_t due;
 *	if (cal_load(db, id, &c, err))
 *		return err->code;
 *	rc = cal_add_minutes(c, created_at, 240, &due, err);
 *	cal_free(c);
 */
#ifndef YW_CAL_H
#define YW_CAL_H

#include "../../core/err.h"
#include <jansson.h>
#include <pthread.h>

struct db;
struct yw_actor;
struct cal_tz;

#define CAL_MAX_WINDOWS 8
#define CAL_MAX_INTERVALS (CAL_MAX_WINDOWS * 3)
#define CAL_HORIZON_DAYS 3653                 /* 10 years */
#define CAL_T_MIN ((int64_t)0)                /* 1970-01-01 */
#define CAL_T_MAX ((int64_t)7258118400)       /* 2200-01-01 */
#define CAL_NAME_MAX 64
#define CAL_MAX_DAYS 4000                     /* special days in one import or replace */

/* A working window in local minutes since midnight, start < end <= 1440. */
struct cal_window {
	int16_t start, end;
};

struct cal_daywin {
	uint8_t n;
	struct cal_window w[CAL_MAX_WINDOWS];
};

enum cal_day_kind { CAL_DAY_OFF = 1, CAL_DAY_WORKDAY = 2 };

/* A special day: a holiday or a make-up workday, by local date. */
struct cal_day {
	int32_t day;                /* days since 1970-01-01, local date */
	uint8_t kind;               /* enum cal_day_kind */
	bool own_windows;           /* workday with its own windows (else the default) */
	struct cal_daywin win;
	char *name;                 /* "春节"; owned, may be "" */
};

struct cal {
	int64_t id, version, created_at, updated_at;
	char name[CAL_NAME_MAX * 4 + 1];
	char *description;          /* owned, may be NULL */
	bool builtin;
	const struct cal_tz *tz;    /* shared, never freed */
	struct cal_daywin week[7];  /* 0 = Monday ... 6 = Sunday */
	struct cal_day *days;       /* sorted by day, distinct */
	size_t ndays, alloc;
	/*
	 * Running totals of working seconds per local day, filled on demand
	 * by long cal_between() calls (cum[i]: days cum_base .. cum_base+i-1).
	 * The one thing a read changes; cum_lock keeps sharing safe.
	 */
	pthread_mutex_t cum_lock;
	int64_t *cum;
	int32_t cum_base, cum_n;
};

/* An interval of working time in instants, [start, end). */
struct cal_interval {
	int64_t start, end;
};

/* ---- building a calendar in memory (tests, loading) ---- */

/* A calendar in zone (an IANA name) with no windows and no special days. */
int cal_new(const char *zone, struct cal **out, struct yw_err *err);
void cal_free(struct cal *c);
/* Sets the windows of weekday wd (0 = Monday); checked like cal_daywin_check. */
int cal_set_week(struct cal *c, int wd, const struct cal_daywin *w, struct yw_err *err);
/*
 * Adds or replaces the special day. w NULL: a workday takes the default
 * windows. Keeps c->days sorted.
 */
int cal_set_day(struct cal *c, int32_t day, enum cal_day_kind kind, const struct cal_daywin *w,
		const char *name, struct yw_err *err);
/* The special day on local date day, or NULL. */
const struct cal_day *cal_find_day(const struct cal *c, int32_t day);
/* The local windows in force on local date day (never NULL). */
const struct cal_daywin *cal_windows_on(const struct cal *c, int32_t day);

/* ---- arithmetic: the API the SLA engine calls ---- */

/*
 * The instant at which `minutes` of working time have passed after t.
 * 0 minutes gives t itself. A result can be the end of a window
 * (18:00), never a later instant that only waits for the next window.
 * YW_EINVAL (field "minutes"/"instant") for negative minutes, an instant
 * out of range, or no result within CAL_HORIZON_DAYS.
 */
int cal_add_minutes(const struct cal *c, int64_t t, int64_t minutes, int64_t *out, struct yw_err *err);
int cal_add_seconds(const struct cal *c, int64_t t, int64_t seconds, int64_t *out, struct yw_err *err);
/*
 * Working time in [from, to): whole minutes (rounded down) or seconds.
 * YW_EINVAL when to < from or the span exceeds CAL_HORIZON_DAYS.
 */
int cal_between(const struct cal *c, int64_t from, int64_t to, int64_t *minutes, struct yw_err *err);
int cal_between_seconds(const struct cal *c, int64_t from, int64_t to, int64_t *seconds,
			struct yw_err *err);
/* Is t inside a working window? (false for instants out of range) */
bool cal_is_working(const struct cal *c, int64_t t);
/* The first working instant >= t; YW_EINVAL when none within the horizon. */
int cal_next_working(const struct cal *c, int64_t t, int64_t *out, struct yw_err *err);
/*
 * The working intervals of local date day as instants, sorted and
 * disjoint; returns how many (<= CAL_MAX_INTERVALS).
 */
/*
 * How many local days cal_day_intervals() has examined on this thread: the
 * unit of work of every computation here, so tests can check that cost
 * follows the days spanned, not the minutes, without timing anything.
 */
extern __thread uint64_t cal_days_examined;
size_t cal_day_intervals(const struct cal *c, int32_t day, struct cal_interval *out);
/* The local date (days since the epoch) of instant t in the calendar's zone. */
int32_t cal_local_day(const struct cal *c, int64_t t);

/* ---- text forms ---- */

/* "2026-02-13T17:00:00+08:00" in the calendar's zone; buf needs 26 bytes. */
char *cal_fmt_local(const struct cal *c, int64_t t, char *buf, size_t size);
/* "2026-02-13 17:00" in the calendar's zone, as people read it (notifications); buf needs 17 bytes. */
char *cal_fmt_people(const struct cal *c, int64_t t, char *buf, size_t size);
/*
 * An ISO 8601 instant: with Z or an offset as given, without one as wall
 * time in the calendar's zone. YW_EINVAL naming field.
 */
int cal_parse_instant(const struct cal *c, const char *s, const char *field, int64_t *out,
		      struct yw_err *err);
/* "YYYY-MM-DD" <-> days since the epoch. */
int cal_parse_date(const char *s, size_t len, int32_t *day);
char *cal_fmt_date(int32_t day, char *buf, size_t size);
/* "HH:MM" (00:00..24:00) -> minutes; -1 when malformed. */
int cal_parse_hhmm(const char *s);
/* Checks windows: each start < end, sorted, not overlapping. */
int cal_daywin_check(const struct cal_daywin *w, const char *field, struct yw_err *err);
/* "09:00-12:00,13:30-18:00" <-> windows (stored form of a special day's windows). */
int cal_daywin_parse(const char *s, struct cal_daywin *w, const char *field, struct yw_err *err);
void cal_daywin_fmt(const struct cal_daywin *w, char *buf, size_t size);
/* JSON [{"start":"09:00","end":"12:00"}, ...] <-> windows. */
int cal_daywin_from_json(json_t *a, struct cal_daywin *w, const char *field, struct yw_err *err);
json_t *cal_daywin_json(const struct cal_daywin *w);
/* JSON {"mon":[...],...,"sun":[...]}: absent weekdays have no windows. */
int cal_week_from_json(json_t *o, struct cal_daywin week[7], struct yw_err *err);
json_t *cal_week_json(const struct cal_daywin week[7]);
extern const char *const cal_weekday_names[7];   /* "mon" ... "sun" */

/* ---- import (cal_import.c) ---- */

enum cal_format { CAL_FMT_AUTO, CAL_FMT_JSON, CAL_FMT_ICS };

struct cal_import_day {
	int32_t day;
	uint8_t kind;
	char name[CAL_NAME_MAX * 4 + 1];
};

struct cal_import {
	struct cal_import_day *days;   /* sorted by day, distinct */
	size_t n, alloc;
	int32_t first_year, last_year;
};

/*
 * Parses a holiday-cn JSON file ({"year":…,"days":[{"name","date",
 * "isOffDay"}]}, or an array of such objects) or an iCalendar file whose
 * all-day events are days off, except those whose SUMMARY begins with
 * 上班 or contains 补班 (make-up workdays), as holiday-cn writes them.
 * A bad file is rejected whole: YW_EINVAL with the date (JSON) or the
 * line (ics) at fault in the message, field "file". The caller releases
 * imp with cal_import_release even on failure.
 */
int cal_import_parse(const char *data, size_t len, enum cal_format fmt, struct cal_import *imp,
		     struct yw_err *err);
void cal_import_release(struct cal_import *imp);

/* ---- the store: loading, the built-in calendars, the API's records ---- */

/* Loads calendar id (YW_ENOTFOUND) with its windows and special days. */
int cal_load(struct db *db, int64_t id, struct cal **out, struct yw_err *err);
/* Finds a calendar by name, or by id when s is all digits. */
int cal_lookup(struct db *db, const char *s, int64_t *id, struct yw_err *err);

/*
 * Creates the built-in calendars' data once: the days of the shipped
 * data/calendars/cn-mainland.json into cn-workday (the migration creates
 * the calendars themselves). Each shipped year is applied once ever, so
 * an admin's later edits stay. Called by `yunwei init` and on opening the
 * database from the CLI; tests that use db_migrate call it themselves.
 */
int cal_seed_builtin(struct db *db, struct yw_err *err);

/*
 * Called inside the transaction of every change to a calendar's windows,
 * days or zone, after the change is written, so that what depends on the
 * calendar (SLA deadlines) moves with it in the same commit. The SLA
 * module registers itself (sla_init); the calendar module knows nothing
 * of it. A failure aborts the change. after_commit (optional) runs once
 * such a change has committed (the SLA module wakes the scheduler, whose
 * next deadline may have moved).
 */
typedef int (*cal_change_fn)(struct db *db, const struct yw_actor *a, int64_t calendar_id,
			     struct yw_err *err);
void cal_on_change(cal_change_fn fn, void (*after_commit)(void));

/*
 * The records of the API. Staff read, admins write, customers get
 * YW_EPERM. Every write runs in one transaction with its audit row.
 * cal_update with no field (have == 0) is YW_EINVAL "nothing to change";
 * one whose fields all equal the stored ones returns 0 and writes
 * nothing (the version stays, no audit row), as a ticket PATCH does.
 */
struct cal_input {
	const char *name;
	const char *description;
	const char *timezone;
	json_t *windows;            /* borrowed; see cal_week_from_json */
};
enum { CAL_IN_NAME = 1 << 0, CAL_IN_DESCRIPTION = 1 << 1, CAL_IN_TIMEZONE = 1 << 2,
       CAL_IN_WINDOWS = 1 << 3 };

json_t *cal_json(const struct cal *c);
int cal_list_json(struct db *db, const struct yw_actor *a, int64_t after_id, int64_t limit,
		  json_t **items, int64_t *next_after, struct yw_err *err);
int cal_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err);
int cal_create(struct db *db, const struct yw_actor *a, const struct cal_input *in, unsigned have,
	       int64_t *id, struct yw_err *err);
int cal_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
	       const struct cal_input *in, unsigned have, struct yw_err *err);
/* {"calendar_id","year","items":[{"date","kind","name","windows"}],"version"} */
int cal_days_json(struct db *db, const struct yw_actor *a, int64_t id, int year, json_t **out,
		  struct yw_err *err);
/* Replaces the special days of year with days (a JSON array, borrowed). */
int cal_days_replace(struct db *db, const struct yw_actor *a, int64_t id, int year, int64_t version,
		     json_t *days, struct yw_err *err);

struct cal_import_result {
	size_t off, workdays;
	int32_t first_year, last_year;
};
/*
 * Parses data and merges its days into calendar id (by date), or nothing.
 * Who may import and whether the calendar exists are checked before the
 * file is read, so a missing calendar is YW_ENOTFOUND even for a bad file.
 */
int cal_import_apply(struct db *db, const struct yw_actor *a, int64_t id, const char *data, size_t len,
		     enum cal_format fmt, struct cal_import_result *res, struct yw_err *err);

#endif
