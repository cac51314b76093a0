/*
 * h_uploads.c - /api/v1/uploads: attachments too large for one request,
 * sent in parts (domain/ticket/upload.h).
 *
 *	POST   /api/v1/uploads        {filename, size, content_type?, sha256?}
 *	                              -> 201 {id, part_size, offset: 0, ...}
 *	PUT    /api/v1/uploads/{id}  Upload-Offset: N, a raw part
 *	                              -> 200 {offset, complete, ...}
 *	GET    /api/v1/uploads/{id}  where it stands (to resume)
 *	DELETE /api/v1/uploads/{id}  cancel
 *
 * A finished upload becomes an attachment with
 * POST /api/v1/tickets/{id}/attachments?upload={id} (h_tickets.c).
 */
#include "../core/yw.h"
#include "../core/jx.h"
#include "../domain/ticket/upload.h"
#include "http.h"

static const char *const no_params[] = { NULL };

const char *http_upload_dir(struct http_req *r)
{
	return arena_printf(&r->arena, "%s/attachments/.uploads", http_data_dir);
}

/* The path's id as upload.c names it. */
static const char *upload_id(struct http_req *r)
{
	return arena_printf(&r->arena, "%" PRId64, r->id);
}

static int send_upload(struct http_req *r, int status, const struct upload_info *u)
{
	return http_json(r, status, json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:b, s:o}", "id", (json_int_t)strtoll(u->id, NULL, 10),
					      "filename", u->filename, "content_type", u->content_type,
					      "size", (json_int_t)u->size, "offset", (json_int_t)u->offset,
					      "part_size", (json_int_t)UPLOAD_PART_MAX,
					      "complete", u->offset == u->size,
					      "expires_at", jx_time_or_null(u->created_at + UPLOAD_TTL)));
}

static int create_upload(struct http_req *r)
{
	static const struct jx_field fields[] = {
		{ "filename", JX_STR, JX_REQUIRED, 1, 200, offsetof(struct upload_new, filename), NULL },
		{ "size", JX_INT, JX_REQUIRED, 1, INT64_MAX, offsetof(struct upload_new, size), NULL },
		{ "content_type", JX_STR, 0, 0, 127, offsetof(struct upload_new, content_type), NULL },
		{ "sha256", JX_STR, 0, 64, 64, offsetof(struct upload_new, sha256), NULL },
	};
	struct upload_new in;
	struct upload_info u;
	int rc;

	memset(&in, 0, sizeof(in));
	if ((rc = http_query_check(r, no_params)) ||
	    (rc = jx_decode(r->body, fields, ARRAY_SIZE(fields), &in, NULL, &r->err)) ||
	    (rc = upload_create(http_upload_dir(r), &r->actor, &in, &u, &r->err)))
		return rc;
	return send_upload(r, 201, &u);
}

static int get_upload(struct http_req *r)
{
	struct upload_info u;
	int rc;

	if ((rc = http_query_check(r, no_params)) ||
	    (rc = upload_get(http_upload_dir(r), &r->actor, upload_id(r), &u, &r->err)))
		return rc;
	return send_upload(r, 200, &u);
}

static int put_part(struct http_req *r)
{
	const char *off = http_req_header(r, "upload-offset");
	struct upload_info u;
	char *end;
	long long n;
	int rc;

	if ((rc = http_query_check(r, no_params)))
		return rc;
	if (!off)
		return yw_errf(&r->err, YW_EPRECOND, "Upload-Offset", "send Upload-Offset with the offset of this part");
	errno = 0;
	n = strtoll(off, &end, 10);
	if (!*off || *end || errno || n < 0 || !isdigit((unsigned char)*off))
		return yw_errf(&r->err, YW_EINVAL, "Upload-Offset", "Upload-Offset must be a byte offset");
	if ((rc = upload_append(http_upload_dir(r), &r->actor, upload_id(r), n, r->h->entity.base,
				r->h->entity.len, &u, &r->err)))
		return rc;
	return send_upload(r, 200, &u);
}

static int delete_upload(struct http_req *r)
{
	int rc;

	if ((rc = http_query_check(r, no_params)) ||
	    (rc = upload_remove(http_upload_dir(r), &r->actor, upload_id(r), &r->err)))
		return rc;
	return http_send(r, 204, "application/json; charset=utf-8", "", 0);
}

const struct http_route http_routes_uploads[] = {
	{ "POST", "/api/v1/uploads", create_upload, HR_JSON, "start an upload in parts", P_UPLOAD_CREATE },
	{ "GET", "/api/v1/uploads/{id}", get_upload, 0, "where an upload stands", P_UPLOAD_WRITE },
	{ "PUT", "/api/v1/uploads/{id}", put_part, HR_RAW, "append a part to an upload", P_UPLOAD_WRITE },
	{ "DELETE", "/api/v1/uploads/{id}", delete_upload, 0, "cancel an upload", P_UPLOAD_WRITE },
	{ NULL, NULL, NULL, 0, NULL, P_UNSET },
};
