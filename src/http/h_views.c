/*
 * h_views.c - /api/v1/me/views: the caller's saved ticket-list views.
 * Decoding and encoding only; what a valid view is and whose it is live
 * in domain/view/view.c.
 */
#include "../core/yw.h"
#include "../core/jx.h"
#include "../store/db.h"
#include "../domain/view/view.h"
#include "http.h"

static const char *const no_params[] = { NULL };

static int send_view(struct http_req *r, int status, int64_t id)
{
	json_t *j;
	int rc = view_get_json(r->db, &r->actor, id, &j, &r->err);
	return rc ? rc : http_json(r, status, j);
}

static int decode(struct http_req *r, const struct jx_field *fields, size_t n, struct view_input *in)
{
	memset(in, 0, sizeof(*in));
	return jx_decode(r->body, fields, n, in, &in->set, &r->err);
}

static int list_views(struct http_req *r)
{
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, no_params)) || (rc = view_list_json(r->db, &r->actor, &j, &r->err)))
		return rc;
	return http_json(r, 200, j);
}

static int create_view(struct http_req *r)
{
	struct view_input in;
	int64_t id;
	int rc;

	if ((rc = http_query_check(r, no_params)) ||
	    (rc = decode(r, view_create_fields, view_create_nfields, &in)) ||
	    (rc = view_create(r->db, &r->actor, &in, &id, &r->err)))
		return rc;
	return send_view(r, 201, id);
}

static int patch_view(struct http_req *r)
{
	struct view_input in;
	int64_t version;
	int rc;

	if ((rc = http_query_check(r, no_params)) || (rc = http_if_match(r, &version)) ||
	    (rc = decode(r, view_patch_fields, view_patch_nfields, &in)) ||
	    (rc = view_update(r->db, &r->actor, r->id, version, &in, &r->err)))
		return rc;
	return send_view(r, 200, r->id);
}

static int delete_view(struct http_req *r)
{
	int rc;

	if ((rc = http_query_check(r, no_params)) || (rc = view_delete(r->db, &r->actor, r->id, &r->err)))
		return rc;
	return http_send(r, 204, "text/plain", "", 0);
}

const struct http_route http_routes_views[] = {
	{ "GET", "/api/v1/me/views", list_views, 0, "the caller's saved ticket-list views", P_VIEW_READ },
	{ "POST", "/api/v1/me/views", create_view, HR_JSON, "save a ticket-list view", P_VIEW_CREATE },
	{ "PATCH", "/api/v1/me/views/{id}", patch_view, HR_JSON, "rename, re-filter or move a saved view", P_VIEW_UPDATE },
	{ "DELETE", "/api/v1/me/views/{id}", delete_view, 0, "delete a saved view", P_VIEW_DELETE },
	{ NULL, NULL, NULL, 0, NULL, P_UNSET },
};
