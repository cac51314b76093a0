/*
 * cal_tz.h - IANA time zones read from TZif files, without setenv("TZ").
 *
 * The C library converts through one process-wide TZ variable, which is
 * neither thread-safe to change nor able to hold two zones at once. A
 * business calendar needs its own zone in every worker thread, so this
 * module reads /usr/share/zoneinfo/<name> itself (RFC 8536): the 64-bit
 * (version 2+) transition table, and the POSIX TZ rule in the file's
 * footer for instants after the last transition.
 *
 * Limits, stated rather than hidden:
 *  - version 1 files (32-bit only) and zones with leap seconds ("right/")
 *    are refused; instants here are POSIX seconds;
 *  - a footer rule with a DST name but no ",start,end" part takes the
 *    POSIX default (US rules M3.2.0,M11.1.0);
 *  - before the first transition the first time type applies (RFC 8536).
 *
 * A struct cal_tz is immutable once built, so any number of threads may
 * use one. cal_tz_get() caches zones for the life of the process.
 */
#ifndef YW_CAL_TZ_H
#define YW_CAL_TZ_H

#include "../../core/err.h"

struct cal_tz;

#define CAL_TZ_NAME_MAX 64

/*
 * The zone called name (e.g. "Asia/Shanghai", "Europe/Berlin", "UTC"),
 * loaded on first use and shared afterwards; never free it. YW_EINVAL
 * with field "timezone" for a malformed name or a file that is missing
 * or not a usable TZif file.
 */
int cal_tz_get(const char *name, const struct cal_tz **out, struct yw_err *err);

/*
 * Builds a zone from the bytes of a TZif file (for cal_tz_get and the
 * tests). The caller frees it with cal_tz_free().
 */
int cal_tz_parse(const char *name, const unsigned char *data, size_t len, struct cal_tz **out,
		 struct yw_err *err);
void cal_tz_free(struct cal_tz *tz);

/* Where cal_tz_get() looks; default /usr/share/zoneinfo. For tests. */
void cal_tz_set_dir(const char *dir);

const char *cal_tz_name(const struct cal_tz *tz);
/* Seconds east of UTC in effect at instant t (e.g. 28800 for +08:00). */
int32_t cal_tz_offset(const struct cal_tz *tz, int64_t t);
/*
 * The first instant after t at which the offset may change (a listed
 * transition, or one the footer rule computes), INT64_MAX when none will.
 */
int64_t cal_tz_next_change(const struct cal_tz *tz, int64_t t);
/*
 * The instant at which the wall clock shows local (seconds since the
 * epoch as if local time were UTC). A wall time that happens twice (DST
 * ends) gives the earlier instant; one that never happens (DST starts)
 * is moved forward by the size of the gap, as clocks are.
 */
int64_t cal_tz_to_utc(const struct cal_tz *tz, int64_t local);

#endif
