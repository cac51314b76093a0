/*
 * h_sla.c - the SLA endpoints (policies, the report), the arrival on
 * site of a ticket; /api/v1/notifications: each user's outbox. Decoding
 * and encoding only: the rules live in domain/sla/ and domain/notify/.
 */
#include "../core/yw.h"
#include "../core/jw.h"
#include "../core/jx.h"
#include "../core/ytime.h"
#include "../store/db.h"
#include "../domain/notify/notify.h"
#include "../domain/sla/sla.h"
#include "http.h"

static const char *const no_query[] = { NULL };



/* ---- policies ---- */

static int list_policies(struct http_req *r)
{
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, no_query)) || (rc = sla_policy_list_json(r->db, &r->actor, &j, &r->err)))
		return rc;
	return http_json(r, 200, j);
}

static int create_policy(struct http_req *r)
{
	int64_t id;
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, no_query)) || (rc = sla_policy_create(r->db, &r->actor, r->body, &id, &r->err)) ||
	    (rc = sla_policy_get_json(r->db, &r->actor, id, &j, &r->err)))
		return rc;
	return http_json(r, 201, j);
}

static int get_policy(struct http_req *r)
{
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, no_query)) || (rc = sla_policy_get_json(r->db, &r->actor, r->id, &j, &r->err)))
		return rc;
	return http_json(r, 200, j);
}

static int patch_policy(struct http_req *r)
{
	int64_t version;
	json_t *j;
	int rc;

	/* who may write is checked before the version, so a refused caller learns nothing */
	if ((rc = http_query_check(r, no_query)))
		return rc;
	if (r->actor.role != ROLE_ADMIN)
		return sla_policy_update(r->db, &r->actor, r->id, 0, r->body, &r->err);
	if ((rc = http_if_match(r, &version)) ||
	    (rc = sla_policy_update(r->db, &r->actor, r->id, version, r->body, &r->err)) ||
	    (rc = sla_policy_get_json(r->db, &r->actor, r->id, &j, &r->err)))
		return rc;
	return http_json(r, 200, j);
}

static int delete_policy(struct http_req *r)
{
	int rc;

	if ((rc = http_query_check(r, no_query)) || (rc = sla_policy_delete(r->db, &r->actor, r->id, &r->err)))
		return rc;
	return http_send(r, 204, "application/json; charset=utf-8", "", 0);
}

static int order_policies(struct http_req *r)
{
	static const struct jx_field fields[] = {
		{ "ids", JX_IDS, JX_REQUIRED, 0, SLA_MAX_POLICIES, 0, NULL },
	};
	struct jx_ids ids = { NULL, 0 };
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, no_query)) ||
	    (rc = jx_decode(r->body, fields, ARRAY_SIZE(fields), &ids, NULL, &r->err)) ||
	    (rc = sla_policy_reorder(r->db, &r->actor, ids.v, ids.n, &r->err)) ||
	    (rc = sla_policy_list_json(r->db, &r->actor, &j, &r->err))) {
		jx_ids_free(&ids);
		return rc;
	}
	jx_ids_free(&ids);
	return http_json(r, 200, j);
}

/* ---- report ---- */

static int time_param(struct http_req *r, const char *name, int64_t *out)
{
	const char *v = http_query(r, name);

	if (v && yw_parse_iso(v, out))
		return yw_errf(&r->err, YW_EINVAL, name, "%s must be an ISO 8601 time, e.g. 2026-11-01T00:00:00+08:00",
			       name);
	return 0;
}

static int get_report(struct http_req *r)
{
	static const char *const allowed[] = { "from", "to", "by", NULL };
	const char *by = http_query(r, "by");
	int64_t to = yw_now(), from;
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, allowed)) || (rc = time_param(r, "to", &to)))
		return rc;
	from = to - 30 * 86400;
	if ((rc = time_param(r, "from", &from)) ||
	    (rc = sla_report_json(r->db, &r->actor, from, to, by ? by : "level", &j, &r->err)))
		return rc;
	return http_json(r, 200, j);
}

/* ---- on site ---- */

static int post_onsite(struct http_req *r)
{
	struct jw w;
	int rc;

	if ((rc = http_query_check(r, no_query)) || (rc = sla_onsite_arrived(r->db, &r->actor, r->id, &r->err)))
		return rc;
	jw_init(&w, http_json_buf(r));
	jw_obj(&w);
	if ((rc = sla_ticket_write(r->db, &r->actor, r->id, true, &w, &r->err)))
		return rc;
	jw_end_obj(&w);
	return http_json_send(r, 200);
}

/* ---- notifications ---- */

static int list_notifications(struct http_req *r)
{
	static const char *const allowed[] = { "unread", "limit", "cursor", NULL };
	const char *unread = http_query(r, "unread");
	int64_t limit = NTF_LIST_DEFAULT, before, next, count;
	json_t *items;
	int rc;

	if ((rc = http_query_check(r, allowed)) || (rc = http_query_int(r, "limit", 1, NTF_LIST_MAX, &limit)) ||
	    (rc = http_query_cursor(r, &before)))
		return rc;
	if (unread && strcmp(unread, "true") && strcmp(unread, "false"))
		return yw_errf(&r->err, YW_EINVAL, "unread", "unread must be true or false");
	if ((rc = ntf_list_json(r->db, &r->actor, unread && !strcmp(unread, "true"), before, limit, &items, &next,
				&count, &r->err)))
		return rc;
	return http_json(r, 200, json_pack("{s:o, s:o, s:I}", "items", items, "next_cursor", http_cursor_json(next),
					   "unread", (json_int_t)count));
}

static int unread_count(struct http_req *r)
{
	int64_t n;
	int rc;

	if ((rc = http_query_check(r, no_query)) || (rc = ntf_unread_count(r->db, &r->actor, &n, &r->err)))
		return rc;
	return http_json(r, 200, json_pack("{s:I}", "unread", (json_int_t)n));
}

static int read_one(struct http_req *r)
{
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, no_query)) || (rc = ntf_read(r->db, &r->actor, r->id, &j, &r->err)))
		return rc;
	return http_json(r, 200, j);
}

static int read_all(struct http_req *r)
{
	int64_t n;
	int rc;

	if ((rc = http_query_check(r, no_query)) || (rc = ntf_read_all(r->db, &r->actor, &n, &r->err)))
		return rc;
	return http_json(r, 200, json_pack("{s:I, s:i}", "marked", (json_int_t)n, "unread", 0));
}

const struct http_route http_routes_sla[] = {
	{ "GET", "/api/v1/sla/policies", list_policies, 0, "list SLA policies in match order", P_SLA_POLICY_READ },
	{ "POST", "/api/v1/sla/policies", create_policy, HR_JSON, "create an SLA policy", P_SLA_POLICY_CREATE },
	{ "PUT", "/api/v1/sla/policies/order", order_policies, HR_JSON, "set the match order of the SLA policies", P_SLA_POLICY_UPDATE },
	{ "GET", "/api/v1/sla/policies/{id}", get_policy, 0, "get an SLA policy", P_SLA_POLICY_READ },
	{ "PATCH", "/api/v1/sla/policies/{id}", patch_policy, HR_JSON, "change an SLA policy", P_SLA_POLICY_UPDATE },
	{ "DELETE", "/api/v1/sla/policies/{id}", delete_policy, 0, "delete an SLA policy", P_SLA_POLICY_DELETE },
	{ "GET", "/api/v1/sla/report", get_report, 0, "SLA compliance and times by level, group, organization or policy", P_SLA_REPORT_READ },
	{ "POST", "/api/v1/tickets/{id}/onsite", post_onsite, 0, "record the arrival on site (stops the onsite clock)", P_TICKET_ONSITE },
	{ "GET", "/api/v1/notifications", list_notifications, 0, "the caller's notifications, newest first", P_NOTIFICATION_READ },
	{ "GET", "/api/v1/notifications/unread-count", unread_count, 0, "how many of the caller's notifications are unread", P_NOTIFICATION_READ },
	{ "POST", "/api/v1/notifications/read-all", read_all, 0, "mark all of the caller's notifications read", P_NOTIFICATION_UPDATE },
	{ "POST", "/api/v1/notifications/{id}/read", read_one, 0, "mark a notification read", P_NOTIFICATION_UPDATE },
	{ NULL, NULL, NULL, 0, NULL, P_UNSET },
};
