/*
 * h_calendars.c - /api/v1/calendars: business calendars, their day lists
 * and holiday imports. Decoding and encoding only; who may do what and
 * what a valid calendar is live in domain/calendar/.
 */
#include "../core/yw.h"
#include "../core/jx.h"
#include "../core/ytime.h"
#include "../store/db.h"
#include "../domain/calendar/cal.h"
#include "http.h"

/* for the handlers that take no query parameters: any is a 400 */
static const char *const no_params[] = { NULL };



/* ---- handlers ---- */

static int list_calendars(struct http_req *r)
{
	static const char *const allowed[] = { "limit", "cursor", NULL };
	int64_t limit = 50, after, next;
	json_t *items;
	int rc;

	if ((rc = http_query_check(r, allowed)) || (rc = http_query_int(r, "limit", 1, 200, &limit)) ||
	    (rc = http_query_cursor(r, &after)))
		return rc;
	if ((rc = cal_list_json(r->db, &r->actor, after, limit, &items, &next, &r->err)))
		return rc;
	return http_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", http_cursor_json(next)));
}

static const struct jx_field input_fields[] = {
	{ "name", JX_STR, 0, 1, CAL_NAME_MAX, offsetof(struct cal_input, name), NULL },
	{ "description", JX_TEXT, JX_NULLABLE, 0, 500, offsetof(struct cal_input, description), NULL },
	{ "timezone", JX_STR, 0, 1, 64, offsetof(struct cal_input, timezone), NULL },
};

/*
 * Decodes a calendar body. windows is a nested object jx does not
 * describe, so it is taken out first and handed to the domain as is.
 */
static int decode_input(struct http_req *r, struct cal_input *in, unsigned *have)
{
	uint64_t seen = 0;
	int rc;

	memset(in, 0, sizeof(*in));
	in->windows = json_object_get(r->body, "windows");
	if (in->windows) {
		json_incref(in->windows);
		json_object_del(r->body, "windows");
	}
	rc = jx_decode(r->body, input_fields, ARRAY_SIZE(input_fields), in, &seen, &r->err);
	/* the bits of input_fields are CAL_IN_NAME, _DESCRIPTION, _TIMEZONE in order */
	*have = (unsigned)seen | (in->windows ? CAL_IN_WINDOWS : 0);
	return rc;
}

static int create_calendar(struct http_req *r)
{
	struct cal_input in;
	unsigned have;
	int64_t id;
	json_t *j;
	int rc;

	memset(&in, 0, sizeof(in));
	if (!(rc = http_query_check(r, no_params)) && !(rc = decode_input(r, &in, &have)) &&
	    !(rc = cal_create(r->db, &r->actor, &in, have, &id, &r->err)))
		rc = cal_get_json(r->db, &r->actor, id, &j, &r->err);
	json_decref(in.windows);
	return rc ? rc : http_json(r, 201, j);
}

static int get_calendar(struct http_req *r)
{
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, no_params)) || (rc = cal_get_json(r->db, &r->actor, r->id, &j, &r->err)))
		return rc;
	return http_json(r, 200, j);
}

static int patch_calendar(struct http_req *r)
{
	struct cal_input in;
	unsigned have;
	int64_t version;
	json_t *j;
	int rc;

	memset(&in, 0, sizeof(in));
	if (!(rc = http_query_check(r, no_params)) && !(rc = http_if_match(r, &version)) &&
	    !(rc = decode_input(r, &in, &have)) &&
	    !(rc = cal_update(r->db, &r->actor, r->id, version, &in, have, &r->err)))
		rc = cal_get_json(r->db, &r->actor, r->id, &j, &r->err);
	json_decref(in.windows);
	return rc ? rc : http_json(r, 200, j);
}

/* ?year=, by default this year (UTC+08:00, the department's zone) */
static int query_year(struct http_req *r, int64_t *year)
{
	static const char *const allowed[] = { "year", NULL };
	struct tm tm;
	int rc;

	if ((rc = http_query_check(r, allowed)))
		return rc;
	yw_gmtime(yw_now() + 8 * 3600, &tm);
	*year = tm.tm_year + 1900;
	return http_query_int(r, "year", 1970, 2199, year);
}

static int get_days(struct http_req *r)
{
	int64_t year;
	json_t *j;
	int rc;

	if ((rc = query_year(r, &year)) || (rc = cal_days_json(r->db, &r->actor, r->id, (int)year, &j, &r->err)))
		return rc;
	return http_json(r, 200, j);
}

static int put_days(struct http_req *r)
{
	int64_t year, version;
	const char *key;
	json_t *v, *j;
	int rc;

	if ((rc = query_year(r, &year)) || (rc = http_if_match(r, &version)))
		return rc;
	json_object_foreach(r->body, key, v)
		if (strcmp(key, "days"))
			return yw_errf(&r->err, YW_EUNKNOWN, key, "unknown field %.60s", key);
	if (!json_object_get(r->body, "days"))
		return yw_errf(&r->err, YW_EINVAL, "days", "days is required");
	if ((rc = cal_days_replace(r->db, &r->actor, r->id, (int)year, version, json_object_get(r->body, "days"),
				   &r->err)) ||
	    (rc = cal_days_json(r->db, &r->actor, r->id, (int)year, &j, &r->err)))
		return rc;
	return http_json(r, 200, j);
}

static const struct {
	const char *type;
	enum cal_format fmt;
} import_types[] = {
	{ "application/json", CAL_FMT_JSON },
	{ "text/calendar", CAL_FMT_ICS },
};

static int import_days(struct http_req *r)
{
	const char *ct = http_req_header(r, "content-type");
	struct cal_import_result res;
	h2o_req_t *h = r->h;
	json_t *cal;
	size_t i;
	int rc;

	if ((rc = http_query_check(r, no_params)))
		return rc;
	for (i = 0; ct && i < ARRAY_SIZE(import_types); i++) {
		size_t n = strlen(import_types[i].type);
		if (!strncasecmp(ct, import_types[i].type, n) && (!ct[n] || ct[n] == ';' || ct[n] == ' '))
			break;
	}
	if (!ct || i == ARRAY_SIZE(import_types))
		return yw_errf(&r->err, YW_EMEDIA, "Content-Type",
			       "send Content-Type: application/json (holiday-cn) or text/calendar (.ics)");
	if ((rc = cal_import_apply(r->db, &r->actor, r->id, h->entity.base ? h->entity.base : "", h->entity.len,
				   import_types[i].fmt, &res, &r->err)) ||
	    (rc = cal_get_json(r->db, &r->actor, r->id, &cal, &r->err)))
		return rc;
	return http_json(r, 200, json_pack("{s:i, s:i, s:i, s:i, s:i, s:o}", "imported", (int)(res.off + res.workdays),
					   "off", (int)res.off, "workdays", (int)res.workdays,
					   "first_year", (int)res.first_year, "last_year", (int)res.last_year,
					   "calendar", cal));
}

const struct http_route http_routes_calendars[] = {
	{ "GET", "/api/v1/calendars", list_calendars, 0, "list business calendars", P_CALENDAR_READ },
	{ "POST", "/api/v1/calendars", create_calendar, HR_JSON, "create a business calendar", P_CALENDAR_CREATE },
	{ "GET", "/api/v1/calendars/{id}", get_calendar, 0, "get a business calendar", P_CALENDAR_READ },
	{ "PATCH", "/api/v1/calendars/{id}", patch_calendar, HR_JSON, "change a business calendar", P_CALENDAR_UPDATE },
	{ "GET", "/api/v1/calendars/{id}/days", get_days, 0, "a year's holidays and make-up workdays", P_CALENDAR_READ },
	{ "PUT", "/api/v1/calendars/{id}/days", put_days, HR_JSON, "replace a year's holidays and make-up workdays", P_CALENDAR_UPDATE },
	{ "POST", "/api/v1/calendars/{id}/import", import_days, HR_RAW,
	  "import holidays from holiday-cn JSON or iCalendar", P_CALENDAR_UPDATE },
	{ NULL, NULL, NULL, 0, NULL, P_UNSET },
};
