/*
 * h_tickets.c - the ticket endpoints: decode, call tk_*, encode. The
 * rules (who may do what, what a value means) live in domain/ticket/tk*.c.
 */
#include "../core/yw.h"
#include "../core/jw.h"
#include "../core/jx.h"
#include "../core/strbuf.h"
#include "../store/db.h"
#include "../domain/ticket/prio.h"
#include "../domain/ticket/tk.h"
#include "../domain/ticket/upload.h"
#include "http.h"

static const char *const no_params[] = { NULL };

static int send_ticket(struct http_req *r, int status, int64_t id)
{
	struct jw w;
	int rc;

	jw_init(&w, http_json_buf(r));
	if ((rc = tk_get_write(r->db, &r->actor, id, &w, &r->err)))
		return rc;
	return http_json_send(r, status);
}

static const struct jx_field create_fields[] = {
	{ "type", JX_ENUM, JX_REQUIRED, 0, 0, offsetof(struct tk_new, type), tk_type_names },
	{ "title", JX_STR, JX_REQUIRED, 1, TK_TITLE_MAX, offsetof(struct tk_new, title), NULL },
	{ "description", JX_TEXT, JX_NULLABLE, 0, TK_TEXT_MAX, offsetof(struct tk_new, description), NULL },
	{ "channel", JX_ENUM, JX_NULLABLE, 0, 0, offsetof(struct tk_new, channel), tk_channels },
	{ "category_id", JX_ID, JX_NULLABLE, 0, 0, offsetof(struct tk_new, category_id), NULL },
	{ "requester_id", JX_ID, JX_NULLABLE, 0, 0, offsetof(struct tk_new, requester_id), NULL },
	{ "organization_id", JX_ID, JX_NULLABLE, 0, 0, offsetof(struct tk_new, organization_id), NULL },
	{ "impact", JX_INT, 0, 1, 3, offsetof(struct tk_new, impact), NULL },
	{ "urgency", JX_INT, 0, 1, 3, offsetof(struct tk_new, urgency), NULL },
	{ "fault_level", JX_INT, JX_NULLABLE, 1, 3, offsetof(struct tk_new, fault_level), NULL },
	{ "group_id", JX_ID, JX_NULLABLE, 0, 0, offsetof(struct tk_new, group_id), NULL },
	{ "assignee_id", JX_ID, JX_NULLABLE, 0, 0, offsetof(struct tk_new, assignee_id), NULL },
};

int http_ticket_decode_create(json_t *body, struct tk_new *in, struct yw_err *err)
{
	memset(in, 0, sizeof(*in));
	return jx_decode(body, create_fields, ARRAY_SIZE(create_fields), in, NULL, err);
}

/* HR_BATCH: writes in a group commit, then answers once it committed */
static int create_ticket(struct http_req *r)
{
	struct tk_new in;
	struct jw w;
	int rc;

	if (r->replying)
		return r->answer.len ? http_answer_send(r) : send_ticket(r, 201, r->result_id);
	if ((rc = http_query_check(r, no_params)) ||
	    (rc = http_ticket_decode_create(r->body, &in, &r->err)))
		return rc;
	/*
	 * The writer writes the answer too, from the row it has just written
	 * (tk_create_write), and the worker sends it as it is. Read back by
	 * the worker after the commit, through a connection whose page cache
	 * every commit empties, it was over half of the workers' time on a
	 * creation (commit 825ad63). Without an answer the worker reads the
	 * ticket back.
	 */
	strbuf_reset(&r->answer);
	jw_init(&w, &r->answer);
	r->answer_status = 201;
	rc = tk_create_write(r->db, &r->actor, &in, &r->result_id, &w, &r->err);
	if (rc)
		strbuf_reset(&r->answer);
	return rc;
}

/* The parameters are the domain's table (tk_query_params), shared with saved views. */
static int list_tickets(struct http_req *r)
{
	struct tk_query q;
	struct jw w;
	int rc;

	memset(&q, 0, sizeof(q));
	if ((rc = http_query_check(r, tk_query_params)))
		return rc;
	for (size_t i = 0; i < r->nquery; i++)
		if ((rc = tk_query_set(&q, r->query[i].name, r->query[i].value, &r->err)))
			return rc;
	jw_init(&w, http_json_buf(r));
	if ((rc = tk_list_write(r->db, &r->actor, &q, &w, &r->err)))
		return rc;
	return http_json_send(r, 200);
}

static int get_ticket(struct http_req *r)
{
	int rc = http_query_check(r, no_params);
	return rc ? rc : send_ticket(r, 200, r->id);
}

/* In the order of the TKP_* bits, so that the seen mask is the set mask. */
static const struct jx_field patch_fields[] = {
	{ "title", JX_STR, 0, 1, TK_TITLE_MAX, offsetof(struct tk_patch, title), NULL },
	{ "description", JX_TEXT, JX_NULLABLE, 0, TK_TEXT_MAX, offsetof(struct tk_patch, description), NULL },
	{ "category_id", JX_ID, 0, 0, 0, offsetof(struct tk_patch, category_id), NULL },
	{ "channel", JX_ENUM, 0, 0, 0, offsetof(struct tk_patch, channel), tk_channels },
	{ "impact", JX_INT, 0, 1, 3, offsetof(struct tk_patch, impact), NULL },
	{ "urgency", JX_INT, 0, 1, 3, offsetof(struct tk_patch, urgency), NULL },
	{ "group_id", JX_ID, 0, 0, 0, offsetof(struct tk_patch, group_id), NULL },
	{ "assignee_id", JX_ID, JX_NULLABLE, 0, 0, offsetof(struct tk_patch, assignee_id), NULL },
	{ "fault_level", JX_INT, 0, 1, 3, offsetof(struct tk_patch, fault_level), NULL },
	{ "regrade_reason", JX_TEXT, 0, 1, TK_NOTE_MAX, offsetof(struct tk_patch, regrade_reason), NULL },
};

int http_ticket_decode_patch(json_t *body, struct tk_patch *p, struct yw_err *err)
{
	uint64_t seen = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	if ((rc = jx_decode(body, patch_fields, ARRAY_SIZE(patch_fields), p, &seen, err)))
		return rc;
	p->set = (unsigned)seen;
	return 0;
}

static int patch_ticket(struct http_req *r)
{
	struct tk_patch p;
	int64_t version;
	int rc;

	if ((rc = http_query_check(r, no_params)) || (rc = http_if_match(r, &version)) ||
	    (rc = http_ticket_decode_patch(r->body, &p, &r->err)))
		return rc;
	if ((rc = tk_update(r->db, &r->actor, r->id, version, &p, &r->err)))
		return rc;
	return send_ticket(r, 200, r->id);
}

static int get_assignees(struct http_req *r)
{
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, no_params)) ||
	    (rc = tk_assignees_json(r->db, &r->actor, r->id, &j, &r->err)))
		return rc;
	return http_json(r, 200, j);
}

static int get_transitions(struct http_req *r)
{
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, no_params)) ||
	    (rc = tk_transitions_json(r->db, &r->actor, r->id, &j, &r->err)))
		return rc;
	return http_json(r, 200, j);
}

static const struct jx_field move_fields[] = {
	{ "to", JX_STR, JX_REQUIRED, 1, 40, offsetof(struct tk_move, to), NULL },
	{ "note", JX_TEXT, JX_NULLABLE, 0, TK_NOTE_MAX, offsetof(struct tk_move, note), NULL },
	{ "resolution_code", JX_ENUM, JX_NULLABLE, 0, 0, offsetof(struct tk_move, resolution_code),
	  tk_resolution_codes },
	{ "resolution_notes", JX_TEXT, JX_NULLABLE, 0, TK_TEXT_MAX, offsetof(struct tk_move, resolution_notes), NULL },
	{ "assignee_id", JX_ID, JX_NULLABLE, 0, 0, offsetof(struct tk_move, assignee_id), NULL },
};

static int post_transition(struct http_req *r)
{
	struct tk_move m;
	int rc;

	memset(&m, 0, sizeof(m));
	if ((rc = http_query_check(r, no_params)))
		return rc;
	/* If-Match is optional here: a client that sends it gets the version check */
	if (http_req_header(r, "if-match") && (rc = http_if_match(r, &m.version)))
		return rc;
	if ((rc = jx_decode(r->body, move_fields, ARRAY_SIZE(move_fields), &m, NULL, &r->err)) ||
	    (rc = tk_transition(r->db, &r->actor, r->id, &m, &r->err)))
		return rc;
	return send_ticket(r, 200, r->id);
}

typedef int (*page_fn)(struct db *db, const struct yw_actor *a, int64_t id, int64_t after, int limit,
		       json_t **out, int64_t *next, struct yw_err *err);

/* A ticket's comments, history or attachments, a page at a time (?limit=&cursor=). */
static int get_page(struct http_req *r, page_fn fn)
{
	static const char *const allowed[] = { "limit", "cursor", NULL };
	int64_t limit = 50, after, next;
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, allowed)) || (rc = http_query_int(r, "limit", 1, 200, &limit)) ||
	    (rc = http_query_cursor(r, &after)) || (rc = fn(r->db, &r->actor, r->id, after, (int)limit, &j, &next, &r->err)))
		return rc;
	json_object_set_new(j, "next_cursor", http_cursor_json(next));
	return http_json(r, 200, j);
}

static int get_comments(struct http_req *r)
{
	return get_page(r, tk_entries_json);
}

struct comment_in {
	const char *body;
	bool internal;
};

static const struct jx_field comment_fields[] = {
	{ "body", JX_TEXT, JX_REQUIRED, 1, TK_TEXT_MAX, offsetof(struct comment_in, body), NULL },
	{ "internal", JX_BOOL, 0, 0, 0, offsetof(struct comment_in, internal), NULL },
};

static int post_comment(struct http_req *r)
{
	struct comment_in in = { NULL, false };
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, no_params)) ||
	    (rc = jx_decode(r->body, comment_fields, ARRAY_SIZE(comment_fields), &in, NULL, &r->err)) ||
	    (rc = tk_comment(r->db, &r->actor, r->id, in.body, in.internal, &j, &r->err)))
		return rc;
	return http_json(r, 201, j);
}

struct worklog_in {
	int64_t minutes;
	const char *note;
};

static const struct jx_field worklog_fields[] = {
	{ "minutes", JX_INT, JX_REQUIRED, 1, 1440, offsetof(struct worklog_in, minutes), NULL },
	{ "note", JX_TEXT, JX_NULLABLE, 0, TK_NOTE_MAX, offsetof(struct worklog_in, note), NULL },
};

static int post_worklog(struct http_req *r)
{
	struct worklog_in in = { 0, NULL };
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, no_params)) ||
	    (rc = jx_decode(r->body, worklog_fields, ARRAY_SIZE(worklog_fields), &in, NULL, &r->err)) ||
	    (rc = tk_worklog(r->db, &r->actor, r->id, in.minutes, in.note, &j, &r->err)))
		return rc;
	return http_json(r, 201, j);
}

static int get_history(struct http_req *r)
{
	return get_page(r, tk_history_json);
}

static const char *attach_dir(struct http_req *r)
{
	return arena_printf(&r->arena, "%s/attachments", http_data_dir);
}

static int get_attachments(struct http_req *r)
{
	return get_page(r, tk_attach_list_json);
}

/*
 * ?upload=ID: a finished upload in parts (h_uploads.c) becomes the
 * attachment, stored as a one-request upload is; the upload is gone once
 * it has, and stays as it was when the attachment is refused.
 */
static int attach_upload(struct http_req *r, struct tk_upload *u, const char *id, json_t **j)
{
	const char *dir = http_upload_dir(r);
	struct upload_info info;
	char *data;
	int rc;

	if (r->h->entity.len || http_query(r, "filename"))
		return yw_errf(&r->err, YW_EINVAL, "upload", "with upload, send neither a body nor a filename");
	if ((rc = upload_claim(dir, &r->actor, id, &info, &data, &r->err)))
		return rc;
	u->filename = info.filename;
	u->content_type = info.content_type;
	u->data = data;
	u->len = (size_t)info.size;
	rc = tk_attach_add(r->db, &r->actor, attach_dir(r), r->id, u, j, &r->err);
	upload_release(dir, id, rc == 0);
	free(data);
	return rc;
}

static int post_attachment(struct http_req *r)
{
	static const char *const allowed[] = { "filename", "internal", "upload", NULL };
	const char *internal, *upload;
	struct tk_upload u;
	json_t *j;
	int rc;

	memset(&u, 0, sizeof(u));
	if ((rc = http_query_check(r, allowed)))
		return rc;
	internal = http_query(r, "internal");
	if (internal && strcmp(internal, "true") && strcmp(internal, "false"))
		return yw_errf(&r->err, YW_EINVAL, "internal", "internal must be true or false");
	u.internal = internal && !strcmp(internal, "true");
	if ((upload = http_query(r, "upload")))
		rc = attach_upload(r, &u, upload, &j);
	else {
		u.filename = http_query(r, "filename");
		u.content_type = http_req_header(r, "content-type");
		u.data = r->h->entity.base;
		u.len = r->h->entity.len;
		rc = tk_attach_add(r->db, &r->actor, attach_dir(r), r->id, &u, &j, &r->err);
	}
	if (rc)
		return rc;
	return http_json(r, 201, j);
}

/* RFC 5987: filename*=UTF-8''<percent-encoded> */
static void disposition(const char *filename, struct strbuf *out)
{
	static const char hex[] = "0123456789ABCDEF";

	strbuf_addstr(out, "attachment; filename*=UTF-8''");
	for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
		if (isalnum(*p) || strchr("!#$&+-.^_`|~", *p)) {
			strbuf_addch(out, *p);
		} else {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[*p >> 4]);
			strbuf_addch(out, hex[*p & 15]);
		}
	}
}

static int get_attachment(struct http_req *r)
{
	struct strbuf cd = STRBUF_INIT;
	struct tk_blob b;
	int rc;

	if ((rc = http_query_check(r, no_params)) ||
	    (rc = tk_attach_get(r->db, &r->actor, attach_dir(r), r->id, &b, &r->err)))
		return rc;
	disposition(b.filename, &cd);
	http_header(r, "content-disposition", cd.buf);
	strbuf_release(&cd);
	rc = http_send(r, 200, b.content_type, b.data, b.len);
	tk_blob_release(&b);
	return rc;
}

struct link_in {
	int64_t ticket_id;
};

static const struct jx_field link_fields[] = {
	{ "ticket_id", JX_ID, JX_REQUIRED, 0, 0, offsetof(struct link_in, ticket_id), NULL },
};

static int post_link(struct http_req *r)
{
	struct link_in in = { 0 };
	int rc;

	if ((rc = http_query_check(r, no_params)) ||
	    (rc = jx_decode(r->body, link_fields, ARRAY_SIZE(link_fields), &in, NULL, &r->err)) ||
	    (rc = tk_link(r->db, &r->actor, r->id, in.ticket_id, &r->err)))
		return rc;
	return send_ticket(r, 201, r->id);
}

static int delete_link(struct http_req *r)
{
	int rc;

	if ((rc = http_query_check(r, no_params)) || (rc = tk_unlink(r->db, &r->actor, r->id, r->id2, &r->err)))
		return rc;
	return http_send(r, 204, "text/plain", "", 0);
}

/*
 * The read-only labels of the GET answer: the rows (impact) and the names
 * of the values (priorities). PUT takes them back unchanged so a client
 * can GET, edit "matrix" and PUT the same object; a different value is a
 * 400, as it cannot be changed.
 */
static json_t *impact_labels(void)
{
	return json_pack("[s,s,s]", "1", "2", "3");
}

static json_t *priority_labels(void)
{
	return json_pack("[s,s,s,s]", prio_name(1), prio_name(2), prio_name(3), prio_name(4));
}

static const struct {
	const char *key;
	json_t *(*labels)(void);
} matrix_labels[] = {
	{ "impact", impact_labels },
	{ "priorities", priority_labels },
};

static json_t *matrix_json(const int m[3][3])
{
	json_t *o, *rows = json_array();

	for (int i = 0; i < 3; i++)
		json_array_append_new(rows, json_pack("[i,i,i]", m[i][0], m[i][1], m[i][2]));
	o = json_pack("{s:o}", "matrix", rows);
	for (size_t i = 0; i < ARRAY_SIZE(matrix_labels); i++)
		json_object_set_new(o, matrix_labels[i].key, matrix_labels[i].labels());
	return o;
}

static int get_matrix(struct http_req *r)
{
	int m[3][3], rc;

	if ((rc = http_query_check(r, no_params)) || (rc = prio_matrix_get(r->db, m, &r->err)))
		return rc;
	return http_json(r, 200, matrix_json((const int (*)[3])m));
}

/* A label field of the body: absent or equal to what GET answers. */
static int check_label(struct http_req *r, const char *key, json_t *v)
{
	for (size_t i = 0; i < ARRAY_SIZE(matrix_labels); i++) {
		if (strcmp(key, matrix_labels[i].key))
			continue;
		json_t *want = matrix_labels[i].labels();
		bool same = json_equal(v, want);
		char *text = same ? NULL : json_dumps(want, JSON_COMPACT);
		int rc = same ? 0 : yw_errf(&r->err, YW_EINVAL, key, "%s cannot be changed; send %s or leave it out",
					    key, text ? text : "the value GET answers");
		free(text);
		json_decref(want);
		return rc;
	}
	return yw_errf(&r->err, YW_EUNKNOWN, key, "unknown field %.60s", key);
}

static int put_matrix(struct http_req *r)
{
	json_t *rows = json_object_get(r->body, "matrix");
	int m[3][3], rc;
	const char *key;
	json_t *v;

	if ((rc = http_query_check(r, no_params)))
		return rc;
	json_object_foreach(r->body, key, v)
		if (strcmp(key, "matrix") && (rc = check_label(r, key, v)))
			return rc;
	if (!rows)
		return yw_errf(&r->err, YW_EINVAL, "matrix", "matrix is required");
	if (!json_is_array(rows) || json_array_size(rows) != 3)
		return yw_errf(&r->err, YW_EINVAL, "matrix", "matrix must be 3 rows (impact 1..3) of 3 priorities");
	for (size_t i = 0; i < 3; i++) {
		json_t *row = json_array_get(rows, i);
		if (!json_is_array(row) || json_array_size(row) != 3)
			return yw_errf(&r->err, YW_EINVAL, "matrix", "matrix must be 3 rows (impact 1..3) of 3 priorities");
		for (size_t j = 0; j < 3; j++) {
			json_t *e = json_array_get(row, j);
			if (!json_is_integer(e) || json_integer_value(e) < 1 || json_integer_value(e) > 4)
				return yw_errf(&r->err, YW_EINVAL, "matrix", "matrix[%zu][%zu] must be an integer 1..4", i, j);
			m[i][j] = (int)json_integer_value(e);
		}
	}
	if ((rc = prio_matrix_set(r->db, &r->actor, (const int (*)[3])m, &r->err)))
		return rc;
	return get_matrix(r);
}

const struct http_route http_routes_tickets[] = {
	{ "POST", "/api/v1/tickets", create_ticket, HR_JSON | HR_BATCH, "open a ticket", P_TICKET_CREATE },
	{ "GET", "/api/v1/tickets", list_tickets, 0, "list and search tickets", P_TICKET_READ },
	{ "GET", "/api/v1/tickets/{id}", get_ticket, 0, "one ticket", P_TICKET_READ },
	{ "PATCH", "/api/v1/tickets/{id}", patch_ticket, HR_JSON, "change a ticket's fields", P_TICKET_UPDATE },
	{ "GET", "/api/v1/tickets/{id}/assignees", get_assignees, 0, "whom the caller may assign it to", P_TICKET_UPDATE },
	{ "GET", "/api/v1/tickets/{id}/transitions", get_transitions, 0, "what the caller may do next", P_TICKET_READ },
	{ "POST", "/api/v1/tickets/{id}/transitions", post_transition, HR_JSON, "move a ticket", P_TICKET_TRANSITION },
	{ "GET", "/api/v1/tickets/{id}/comments", get_comments, 0, "comments, notes and work logs", P_TICKET_READ },
	{ "POST", "/api/v1/tickets/{id}/comments", post_comment, HR_JSON, "comment or add a note", P_TICKET_COMMENT },
	{ "POST", "/api/v1/tickets/{id}/worklogs", post_worklog, HR_JSON, "log time spent", P_TICKET_WORKLOG },
	{ "GET", "/api/v1/tickets/{id}/attachments", get_attachments, 0, "a ticket's attachments", P_TICKET_READ },
	{ "POST", "/api/v1/tickets/{id}/attachments", post_attachment, HR_RAW, "upload an attachment", P_TICKET_ATTACH },
	{ "GET", "/api/v1/attachments/{id}", get_attachment, 0, "download an attachment", P_ATTACHMENT_READ },
	{ "GET", "/api/v1/tickets/{id}/history", get_history, 0, "a ticket's history", P_TICKET_READ },
	{ "POST", "/api/v1/tickets/{id}/links", post_link, HR_JSON, "relate two tickets", P_TICKET_LINK },
	{ "DELETE", "/api/v1/tickets/{id}/links/{other_id}", delete_link, 0, "unrelate two tickets", P_TICKET_LINK },
	{ "GET", "/api/v1/priority-matrix", get_matrix, 0, "the priority matrix", P_PRIORITY_MATRIX_READ },
	{ "PUT", "/api/v1/priority-matrix", put_matrix, HR_JSON, "change the priority matrix (admin)", P_PRIORITY_MATRIX_UPDATE },
	{ NULL, NULL, NULL, 0, NULL, P_UNSET },
};
