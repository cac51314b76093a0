/*
 * ytime.h - instants as seconds since the Unix epoch, UTC.
 *
 * The store keeps every time as integer seconds UTC; the API speaks
 * ISO 8601. yw_gmtime() replaces the banned gmtime().
 */
#ifndef YW_YTIME_H
#define YW_YTIME_H

int64_t yw_now(void);
int64_t yw_now_ms(void);
/* Test hook: when set (YW_FAKE_NOW env or tests), yw_now() returns it. */
void yw_time_set_fake(int64_t t);
struct tm *yw_gmtime(int64_t t, struct tm *out);
/* "2026-11-25T18:11:27Z"; buf needs 21 bytes. Returns buf. */
char *yw_fmt_iso(int64_t t, char *buf, size_t size);
#define YW_ISO_LEN 20
/*
 * "2026-12-08 14:30", the minute people read in notifications: t is
 * already shifted to the reader's zone. False (buf "") when t is out of
 * range.
 */
bool yw_fmt_minute(int64_t t, char *buf, size_t size);
/*
 * The same text for years 1000 to 9999: YW_ISO_LEN bytes at out, no NUL,
 * and returns YW_ISO_LEN; writes nothing and returns 0 for other years.
 */
size_t yw_iso_put(int64_t t, char *out);
/*
 * Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS][.fff](Z|±HH:MM)". A date or a
 * time without a zone is taken as UTC+08:00 (Asia/Shanghai), the zone the
 * department works in. The instant must lie in 1970-01-01T00:00:00Z ..
 * YW_TIME_MAX, so that yw_fmt_iso() output always parses back. Returns 0
 * or YW_EINVAL.
 */
#define YW_TIME_MAX INT64_C(253402300799)   /* 9999-12-31T23:59:59Z */
int yw_parse_iso(const char *s, int64_t *out);
/* Days since 1970-01-01 for a proleptic Gregorian date. */
int64_t yw_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
