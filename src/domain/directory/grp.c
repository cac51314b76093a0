/* grp.c - support groups (see grp.h). */
#include "../../core/yw.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "grp.h"
#include "../account/perm.h"

#define IN(f) offsetof(struct grp_input, f)

/* Both tables follow the order of the GRP_F_* bits. */
const struct jx_field grp_create_fields[] = {
	{ "name", JX_STR, JX_REQUIRED, 1, 100, IN(name), NULL },
	{ "description", JX_TEXT, JX_NULLABLE, 1, 2000, IN(description), NULL },
	{ "supervisor_id", JX_ID, JX_NULLABLE, 0, 0, IN(supervisor_id), NULL },
	{ "member_ids", JX_IDS, 0, 0, 500, IN(member_ids), NULL },
	{ "desk", JX_BOOL, 0, 0, 0, IN(desk), NULL },
};
const size_t grp_create_nfields = ARRAY_SIZE(grp_create_fields);

const struct jx_field grp_patch_fields[] = {
	{ "name", JX_STR, 0, 1, 100, IN(name), NULL },
	{ "description", JX_TEXT, JX_NULLABLE, 1, 2000, IN(description), NULL },
	{ "supervisor_id", JX_ID, JX_NULLABLE, 0, 0, IN(supervisor_id), NULL },
	{ "member_ids", JX_IDS, 0, 0, 500, IN(member_ids), NULL },
	{ "desk", JX_BOOL, 0, 0, 0, IN(desk), NULL },
};
const size_t grp_patch_nfields = ARRAY_SIZE(grp_patch_fields);

#undef IN

static int may_read(const struct yw_actor *a, struct yw_err *err)
{
	return perm_check(a, P_GROUP_READ, NULL, err);
}

static int check_fields(const struct grp_input *in, struct yw_err *err)
{
	int rc = 0;

	if (in->set & GRP_F_NAME) {
		if (!in->name)
			return yw_errf(err, YW_EINVAL, "name", "name is required");
		rc = jx_check_str("name", in->name, strlen(in->name), 1, 100, false, err);
	}
	if (!rc && (in->set & GRP_F_DESCRIPTION) && in->description)
		rc = jx_check_str("description", in->description, strlen(in->description), 1, 2000, true, err);
	return rc;
}

/* Name unique; supervisor may lead; members are staff. On the state the group will have. */
static int check_state(struct db *db, int64_t self, const char *name, int64_t supervisor,
		       const struct jx_ids *members, struct yw_err *err)
{
	struct yw_err e2 = YW_ERR_INIT;
	struct db_stmt *st;
	int64_t other;
	int rc;

	if (db_queryint(db, &other, &e2, "SELECT id FROM groups WHERE name = ? AND id <> ?", "si", name, self) == 0)
		return yw_errf(err, YW_ECONFLICT, "name", "a group named %s exists", name);
	if (supervisor && db_queryint(db, &other, &e2, "SELECT id FROM users WHERE id = ?"
				      " AND role IN ('supervisor', 'manager', 'admin')", "i", supervisor))
		return yw_errf(err, YW_EINVAL, "supervisor_id",
			       "supervisor_id must be a supervisor, manager or admin; user %" PRId64 " is not",
			       supervisor);
	for (size_t i = 0; members && i < members->n; i++) {
		if ((rc = db_prepare(db, "SELECT role FROM users WHERE id = ?", &st, err)))
			return rc;
		db_bind_int(st, 1, members->v[i]);
		rc = db_step(st, err);
		bool customer = rc == DB_ROW && !strcmp(db_col_text(st, 0), "customer");
		db_done(st);
		if (rc < 0)
			return rc;
		if (rc == DB_DONE)
			return yw_errf(err, YW_EINVAL, "member_ids", "no user %" PRId64, members->v[i]);
		if (customer)
			return yw_errf(err, YW_EINVAL, "member_ids",
				       "user %" PRId64 " is a customer; only staff can be members", members->v[i]);
	}
	return 0;
}

static int set_members(struct db *db, int64_t id, const struct jx_ids *members, struct yw_err *err)
{
	int rc = db_execf(db, err, "DELETE FROM group_members WHERE group_id = ?", "i", id);
	for (size_t i = 0; !rc && i < members->n; i++)
		rc = db_execf(db, err, "INSERT INTO group_members(group_id, user_id) VALUES (?, ?)", "ii",
			      id, members->v[i]);
	return rc;
}

/*
 * Marks group id the desk or not; there is at most one desk, so marking it
 * unmarks the other, whose change is audited as its own group.update.
 */
static int set_desk(struct db *db, const struct yw_actor *a, int64_t id, bool desk, struct yw_err *err)
{
	int64_t old = 0;
	json_t *detail;
	int rc = 0;

	if (desk && (rc = db_queryint(db, &old, err, "SELECT id FROM groups WHERE is_desk = 1 AND id <> ?",
				      "i", id)) == YW_ENOTFOUND) {
		yw_err_clear(err);
		rc = 0;
	}
	if (!rc && old) {
		rc = db_execf(db, err, "UPDATE groups SET is_desk = 0, updated_at = ?, version = version + 1"
			      " WHERE id = ?", "ii", yw_now(), old);
		detail = json_pack("{s:{s:{s:b, s:b}}}", "changes", "desk", "old", 1, "new", 0);
		if (!rc)
			rc = acct_audit(db, a, "group.update", "group", old, detail, err);
		json_decref(detail);
	}
	if (!rc)
		rc = db_execf(db, err, "UPDATE groups SET is_desk = ? WHERE id = ?", "ii", (int64_t)desk, id);
	return rc;
}

static json_t *ids_json(const struct jx_ids *ids)
{
	json_t *a = json_array();
	for (size_t i = 0; i < ids->n; i++)
		json_array_append_new(a, json_integer(ids->v[i]));
	return a;
}

int grp_create(struct db *db, const struct yw_actor *a, const struct grp_input *in, int64_t *id,
	       struct yw_err *err)
{
	struct grp_input v = *in;
	int64_t now = yw_now();
	json_t *detail;
	int rc;

	if ((rc = perm_check(a, P_GROUP_CREATE, NULL, err)))
		return rc;
	v.set |= GRP_F_NAME;
	if ((rc = check_fields(&v, err)) || (rc = db_begin(db, err)))
		return rc;
	if ((rc = check_state(db, 0, v.name, (v.set & GRP_F_SUPERVISOR) ? v.supervisor_id : 0,
			      &v.member_ids, err)))
		goto fail;
	if ((rc = db_queryint(db, id, err, "INSERT INTO groups(name, description, supervisor_id, created_at,"
			      " updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id", "ssdii", v.name,
			      (v.set & GRP_F_DESCRIPTION) ? v.description : NULL,
			      (v.set & GRP_F_SUPERVISOR) ? v.supervisor_id : (int64_t)0, now, now)) ||
	    (rc = set_members(db, *id, &v.member_ids, err)) ||
	    ((v.set & GRP_F_DESK) && v.desk && (rc = set_desk(db, a, *id, true, err))))
		goto fail;
	detail = json_pack("{s:s, s:o, s:o, s:b}", "name", v.name, "supervisor_id",
			   jx_id_or_null((v.set & GRP_F_SUPERVISOR) ? v.supervisor_id : 0),
			   "member_ids", ids_json(&v.member_ids), "desk", (v.set & GRP_F_DESK) && v.desk);
	rc = acct_audit(db, a, "group.create", "group", *id, detail, err);
	json_decref(detail);
	if (rc || (rc = db_commit(db, err)))
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

static int load_members(struct db *db, int64_t id, struct jx_ids *out, struct yw_err *err)
{
	struct db_stmt *st;
	size_t alloc = 0;
	int rc;

	out->v = NULL;
	out->n = 0;
	if ((rc = db_prepare(db, "SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	while ((rc = db_step(st, err)) == DB_ROW) {
		ALLOC_GROW(out->v, out->n + 1, alloc);
		out->v[out->n++] = db_col_int(st, 0);
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

static bool same_ids(const struct jx_ids *a, const struct jx_ids *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		bool found = false;
		for (size_t j = 0; j < b->n && !found; j++)
			found = a->v[i] == b->v[j];
		if (!found)
			return false;
	}
	return true;
}

int grp_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
	       const struct grp_input *in, struct yw_err *err)
{
	struct jx_ids cur = { NULL, 0 };
	char *old_name = NULL, *old_desc = NULL;
	int64_t old_sup = 0, old_version = 0, old_desk = 0, sup;
	const char *name, *desc;
	struct db_stmt *st;
	json_t *changes, *detail;
	int rc;

	if ((rc = may_read(a, err)))
		return rc;
	if ((rc = perm_check(a, P_GROUP_UPDATE, NULL, err)))
		return rc;
	if ((rc = check_fields(in, err)) || (rc = db_begin(db, err)))
		return rc;
	if ((rc = db_prepare(db, "SELECT name, description, COALESCE(supervisor_id, 0), version, is_desk FROM groups"
			     " WHERE id = ?", &st, err)))
		goto fail;
	db_bind_int(st, 1, id);
	if ((rc = db_step(st, err)) == DB_ROW) {
		old_name = yw_strdup(db_col_text(st, 0));
		old_desc = db_col_text(st, 1) ? yw_strdup(db_col_text(st, 1)) : NULL;
		old_sup = db_col_int(st, 2);
		old_version = db_col_int(st, 3);
		old_desk = db_col_int(st, 4);
	}
	db_done(st);
	if (rc == DB_DONE)
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no group %" PRId64, id);
	if (rc < 0)
		goto fail;
	if (version && version != old_version) {
		rc = yw_errf(err, YW_ESTALE, "If-Match", "group %" PRId64 " is at version %" PRId64
			     ", not %" PRId64 "; reload it and try again", id, old_version, version);
		goto fail;
	}
	name = (in->set & GRP_F_NAME) ? in->name : old_name;
	desc = (in->set & GRP_F_DESCRIPTION) ? in->description : old_desc;
	sup = (in->set & GRP_F_SUPERVISOR) ? in->supervisor_id : old_sup;
	if ((rc = load_members(db, id, &cur, err)) ||
	    (rc = check_state(db, id, name, sup != old_sup ? sup : 0,
			      (in->set & GRP_F_MEMBERS) ? &in->member_ids : NULL, err)))
		goto fail;
	if ((rc = db_execf(db, err, "UPDATE groups SET name = ?, description = ?, supervisor_id = ?,"
			   " updated_at = ?, version = version + 1 WHERE id = ?", "ssdii", name, desc, sup,
			   yw_now(), id)))
		goto fail;
	if ((in->set & GRP_F_MEMBERS) && (rc = set_members(db, id, &in->member_ids, err)))
		goto fail;
	if ((in->set & GRP_F_DESK) && (rc = set_desk(db, a, id, in->desk, err)))
		goto fail;
	changes = json_object();
	user_diff_str(changes, "name", old_name, name);
	user_diff_str(changes, "description", old_desc, desc);
	user_diff_int(changes, "supervisor_id", old_sup, sup, false);
	if ((in->set & GRP_F_DESK) && old_desk != (int64_t)in->desk)
		json_object_set_new(changes, "desk", json_pack("{s:b, s:b}", "old", old_desk != 0, "new", in->desk));
	if ((in->set & GRP_F_MEMBERS) && !same_ids(&cur, &in->member_ids))
		json_object_set_new(changes, "member_ids", json_pack("{s:o, s:o}", "old", ids_json(&cur),
								     "new", ids_json(&in->member_ids)));
	detail = json_pack("{s:s, s:o}", "name", name, "changes", changes);
	rc = acct_audit(db, a, "group.update", "group", id, detail, err);
	json_decref(detail);
	if (rc || (rc = db_commit(db, err)))
		goto fail;
	goto out;
fail:
	db_rollback(db);
out:
	jx_ids_free(&cur);
	free(old_name);
	free(old_desc);
	return rc;
}

#define GRP_COLS "id, name, description, supervisor_id, created_at, updated_at, version, is_desk"

static int row_json(struct db *db, struct db_stmt *st, json_t **out, struct yw_err *err)
{
	struct jx_ids members;
	int rc;

	*out = json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:I}",
			 "id", (json_int_t)db_col_int(st, 0),
			 "name", db_col_text(st, 1),
			 "description", jx_str_or_null(db_col_text(st, 2)),
			 "supervisor_id", jx_id_or_null(db_col_int(st, 3)),
			 "created_at", jx_time_or_null(db_col_int(st, 4)),
			 "updated_at", jx_time_or_null(db_col_int(st, 5)),
			 "version", (json_int_t)db_col_int(st, 6));
	json_object_set_new(*out, "desk", json_boolean(db_col_int(st, 7) != 0));
	rc = load_members(db, db_col_int(st, 0), &members, err);
	json_object_set_new(*out, "member_ids", ids_json(&members));
	jx_ids_free(&members);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int grp_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = may_read(a, err)) ||
	    (rc = db_prepare(db, "SELECT " GRP_COLS " FROM groups WHERE id = ?", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	rc = db_step(st, err);
	if (rc == DB_ROW)
		rc = row_json(db, st, out, err);
	else if (rc == DB_DONE)
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no group %" PRId64, id);
	db_done(st);
	return rc;
}

int grp_list_json(struct db *db, const struct yw_actor *a, const char *q, struct user_page *page,
		  json_t **items, struct yw_err *err)
{
	struct db_stmt *st;
	char *like;
	int rc;

	*items = NULL;
	user_page_clamp(page);
	if ((rc = may_read(a, err)))
		return rc;
	like = q && *q ? user_like_pattern(q) : NULL;
	if ((rc = db_prepare(db, "SELECT " GRP_COLS " FROM groups WHERE id > ?"
			     " AND (CAST(? AS TEXT) IS NULL OR LOWER(name) LIKE ? ESCAPE ?) ORDER BY id LIMIT ?", &st, err))) {
		free(like);
		return rc;
	}
	db_bind_int(st, 1, page->after);
	db_bind_text(st, 2, like);
	db_bind_text(st, 3, like);
	db_bind_text(st, 4, USER_LIKE_ESCAPE);
	db_bind_int(st, 5, page->limit + 1);
	rc = user_fill_page(db, st, page, items, row_json, err);
	free(like);
	return rc;
}

int grp_find(struct db *db, const char *id_or_name, int64_t *id, struct yw_err *err)
{
	struct yw_err e2 = YW_ERR_INIT;
	char *end;
	long long n = strtoll(id_or_name, &end, 10);

	if (*id_or_name && !*end && n > 0 &&
	    db_queryint(db, id, &e2, "SELECT id FROM groups WHERE id = ?", "i", (int64_t)n) == 0)
		return 0;
	if (db_queryint(db, id, &e2, "SELECT id FROM groups WHERE name = ?", "s", id_or_name) == 0)
		return 0;
	return yw_errf(err, YW_ENOTFOUND, "group", "no group %s", id_or_name);
}
