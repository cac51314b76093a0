/* view.c - saved ticket-list views (see view.h). */
#include "../../core/yw.h"
#include "../../core/qs.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "../ticket/tk.h"
#include "view.h"

#define IN(f) offsetof(struct view_input, f)

/* Both tables follow the order of the VIEW_F_* bits. */
const struct jx_field view_create_fields[] = {
	{ "name", JX_STR, JX_REQUIRED, 1, VIEW_NAME_MAX, IN(name), NULL },
	{ "query", JX_STR, JX_REQUIRED, 0, 0, IN(query), NULL },   /* capped in bytes by check_query */
	{ "position", JX_INT, 0, 0, VIEW_POSITION_MAX, IN(position), NULL },
};
const size_t view_create_nfields = ARRAY_SIZE(view_create_fields);

const struct jx_field view_patch_fields[] = {
	{ "name", JX_STR, 0, 1, VIEW_NAME_MAX, IN(name), NULL },
	{ "query", JX_STR, 0, 0, 0, IN(query), NULL },
	{ "position", JX_INT, 0, 0, VIEW_POSITION_MAX, IN(position), NULL },
};
const size_t view_patch_nfields = ARRAY_SIZE(view_patch_fields);

#undef IN

#define VIEW_COLS "id, name, query, position, created_at, updated_at, version"

static int may_keep(const struct yw_actor *a, struct yw_err *err)
{
	if (!a->user_id)
		return yw_errf(err, YW_EPERM, "", "saved views belong to a user; log in as one");
	return 0;
}

/* An error in the stored query: field "query", the parameter in the detail. */
static int query_error(struct yw_err *err, const char *param, const char *fmt, ...) YW_PRINTF(3, 4);

/* The detail of such an error: which parameter of the query is at fault. */
static int query_param(struct yw_err *err, const char *param)
{
	if (err->detail)
		json_decref(err->detail);
	err->detail = json_pack("{s:s}", "parameter", param);
	return YW_EINVAL;
}

static int query_error(struct yw_err *err, const char *param, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yw_verrf(err, YW_EINVAL, "query", fmt, ap);
	va_end(ap);
	return query_param(err, param);
}

struct parse_ctx {
	struct tk_query q;
	const char *seen[32];
	size_t nseen;
	struct yw_err *err;
};

static int take_param(const char *name, const char *value, void *ctx)
{
	struct parse_ctx *p = ctx;
	struct yw_err e2 = YW_ERR_INIT;
	int rc;

	if (!strcmp(name, "cursor"))
		return query_error(p->err, name, "query parameter cursor is a place in one listing, not a filter;"
				   " a saved view cannot hold it");
	for (size_t i = 0; i < p->nseen; i++)
		if (!strcmp(p->seen[i], name))
			return query_error(p->err, name, "query parameter %.60s is given twice", name);
	rc = tk_query_set(&p->q, name, value, &e2);
	yw_err_clear(&e2);
	if (rc)
		return query_error(p->err, name, "%.60s is not a parameter of the ticket list", name);
	/* the table has fewer names than seen[] has room: tk_query_set refused any other */
	p->seen[p->nseen++] = name;
	return 0;
}

/*
 * Validates a view's query as the caller's own ticket list would, with
 * the list's own builder (tk_list_check), and sets *out to the text to
 * store (without a leading '?'), which borrows from query.
 */
static int check_query(struct db *db, const struct yw_actor *a, const char *query, const char **out,
		       struct yw_err *err)
{
	struct parse_ctx p;
	struct yw_err e2 = YW_ERR_INIT;
	char *copy;
	int rc;

	if (strlen(query) > VIEW_QUERY_MAX)
		return yw_errf(err, YW_EINVAL, "query", "query is longer than %d bytes", VIEW_QUERY_MAX);
	if (*query == '?')
		query++;
	memset(&p, 0, sizeof(p));
	p.err = err;
	copy = yw_strdup(query);
	rc = qs_each(copy, take_param, &p, &e2);
	if (rc && e2.code) {
		/* a part that does not decode: e2 names it */
		rc = query_error(err, e2.field, "query parameter %.60s is not valid UTF-8 or has a bad escape",
				 e2.field);
	} else if (!rc && (rc = tk_list_check(db, a, &p.q, &e2))) {
		if (rc == YW_EDB) {
			yw_err_copy(err, &e2);
			err->field[0] = '\0';
		} else {
			/* the list's own message, which names the parameter */
			char param[sizeof(e2.field)];
			snprintf(param, sizeof(param), "%s", e2.field[0] ? e2.field : "query");
			yw_err_wrapf(err, YW_EINVAL, "query", &e2, "query parameter %.60s: ", param);
			rc = query_param(err, param);
		}
	}
	yw_err_clear(&e2);
	free(copy);
	if (!rc)
		*out = query;
	return rc;
}

static int check_name(struct db *db, const struct yw_actor *a, int64_t self, const char *name,
		      struct yw_err *err)
{
	struct yw_err e2 = YW_ERR_INIT;
	int64_t other;

	if (db_queryint(db, &other, &e2, "SELECT id FROM saved_views WHERE user_id = ? AND name = ? AND id <> ?",
			"isi", a->user_id, name, self) == 0)
		return yw_errf(err, YW_ECONFLICT, "name", "you have a view named %s", name);
	yw_err_clear(&e2);
	return 0;
}

static json_t *row_json(struct db_stmt *st)
{
	return json_pack("{s:I, s:o, s:o, s:I, s:o, s:o, s:I}", "id", (json_int_t)db_col_int(st, 0),
			 "name", jx_dbstr(db_col_text(st, 1)), "query", jx_dbstr(db_col_text(st, 2)),
			 "position", (json_int_t)db_col_int(st, 3), "created_at",
			 jx_time_or_null(db_col_int(st, 4)), "updated_at", jx_time_or_null(db_col_int(st, 5)),
			 "version", (json_int_t)db_col_int(st, 6));
}

int view_list_json(struct db *db, const struct yw_actor *a, json_t **out, struct yw_err *err)
{
	struct db_stmt *st;
	json_t *items;
	int rc;

	if ((rc = may_keep(a, err)) ||
	    (rc = db_prepare(db, "SELECT " VIEW_COLS " FROM saved_views WHERE user_id = ? ORDER BY position, id",
			     &st, err)))
		return rc;
	db_bind_int(st, 1, a->user_id);
	items = json_array();
	while ((rc = db_step(st, err)) == DB_ROW)
		json_array_append_new(items, row_json(st));
	db_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:o, s:n}", "items", items, "next_cursor");
	return 0;
}

int view_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	if ((rc = may_keep(a, err)) ||
	    (rc = db_prepare(db, "SELECT " VIEW_COLS " FROM saved_views WHERE id = ? AND user_id = ?", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, a->user_id);
	if ((rc = db_step(st, err)) == DB_ROW)
		*out = row_json(st);
	db_done(st);
	if (rc == DB_DONE)
		return yw_errf(err, YW_ENOTFOUND, "id", "no saved view %" PRId64, id);
	return rc < 0 ? rc : 0;
}

int view_create(struct db *db, const struct yw_actor *a, const struct view_input *in, int64_t *id,
		struct yw_err *err)
{
	const char *query = NULL;
	int64_t n = 0, position = 0, now = yw_now();
	int rc;

	if ((rc = may_keep(a, err)))
		return rc;
	if (!in->name || !in->query)
		return yw_errf(err, YW_EINVAL, in->name ? "query" : "name", "%s is required", in->name ? "query" : "name");
	if ((rc = jx_check_str("name", in->name, strlen(in->name), 1, VIEW_NAME_MAX, false, err)) ||
	    (rc = db_begin(db, err)))
		return rc;
	if ((rc = check_query(db, a, in->query, &query, err)) ||
	    (rc = db_queryint(db, &n, err, "SELECT COUNT(*) FROM saved_views WHERE user_id = ?", "i", a->user_id)))
		goto fail;
	if (n >= VIEW_MAX) {
		rc = yw_errf(err, YW_ECONFLICT, "", "you have %d saved views, the most one may keep; delete one first",
			     VIEW_MAX);
		goto fail;
	}
	if ((rc = check_name(db, a, 0, in->name, err)))
		goto fail;
	if (in->set & VIEW_F_POSITION) {
		position = in->position;
	} else {
		if ((rc = db_queryint(db, &position, err, "SELECT COALESCE(MAX(position), 0) + 1 FROM saved_views"
				      " WHERE user_id = ?", "i", a->user_id)))
			goto fail;
		if (position > VIEW_POSITION_MAX)
			position = VIEW_POSITION_MAX;
	}
	if ((rc = db_queryint(db, id, err, "INSERT INTO saved_views(user_id, name, query, position, created_at,"
			      " updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", "issiii", a->user_id, in->name,
			      query, position, now, now)) ||
	    (rc = db_commit(db, err)))
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

int view_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
		const struct view_input *in, struct yw_err *err)
{
	const char *query = NULL;
	int64_t cur = 0;
	struct yw_err e2 = YW_ERR_INIT;
	int rc;

	if ((rc = may_keep(a, err)))
		return rc;
	if ((in->set & VIEW_F_NAME) && !in->name)
		return yw_errf(err, YW_EINVAL, "name", "name is required");
	if ((in->set & VIEW_F_QUERY) && !in->query)
		return yw_errf(err, YW_EINVAL, "query", "query is required");
	if ((in->set & VIEW_F_NAME) &&
	    (rc = jx_check_str("name", in->name, strlen(in->name), 1, VIEW_NAME_MAX, false, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_queryint(db, &cur, &e2, "SELECT version FROM saved_views WHERE id = ? AND user_id = ?", "ii", id,
			 a->user_id);
	if (rc == YW_ENOTFOUND)
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no saved view %" PRId64, id);
	else if (rc)
		yw_err_copy(err, &e2);
	yw_err_clear(&e2);
	if (rc)
		goto fail;
	if (version != cur) {
		rc = yw_errf(err, YW_ESTALE, "If-Match", "saved view %" PRId64 " is at version %" PRId64
			     ", not %" PRId64 "; reload it and try again", id, cur, version);
		goto fail;
	}
	if ((in->set & VIEW_F_QUERY) && (rc = check_query(db, a, in->query, &query, err)))
		goto fail;
	if ((in->set & VIEW_F_NAME) && (rc = check_name(db, a, id, in->name, err)))
		goto fail;
	/* NULL keeps the column: COALESCE takes the old value */
	if ((rc = db_execf(db, err, "UPDATE saved_views SET name = COALESCE(?, name), query = COALESCE(?, query),"
			   " position = CASE WHEN ? = 1 THEN ? ELSE position END, updated_at = ?, version = version + 1"
			   " WHERE id = ? AND user_id = ?", "ssiiiii", (in->set & VIEW_F_NAME) ? in->name : NULL,
			   query, (int64_t)!!(in->set & VIEW_F_POSITION), in->position, yw_now(), id, a->user_id)) ||
	    (rc = db_commit(db, err)))
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

int view_delete(struct db *db, const struct yw_actor *a, int64_t id, struct yw_err *err)
{
	int rc;

	if ((rc = may_keep(a, err)) || (rc = db_begin(db, err)))
		return rc;
	if ((rc = db_execf(db, err, "DELETE FROM saved_views WHERE id = ? AND user_id = ?", "ii", id, a->user_id)))
		goto fail;
	if (db_changes(db) == 0) {
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no saved view %" PRId64, id);
		goto fail;
	}
	if ((rc = db_commit(db, err)))
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}
