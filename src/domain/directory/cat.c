/* cat.c - the category tree (see cat.h). */
#include "../../core/yw.h"
#include "../../core/strbuf.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "cat.h"
#include "../account/perm.h"

#define IN(f) offsetof(struct cat_input, f)

/* Both tables follow the order of the CAT_F_* bits. */
const struct jx_field cat_create_fields[] = {
	{ "name", JX_STR, JX_REQUIRED, 1, 100, IN(name), NULL },
	{ "parent_id", JX_ID, JX_NULLABLE, 0, 0, IN(parent_id), NULL },
	{ "default_group_id", JX_ID, JX_NULLABLE, 0, 0, IN(default_group_id), NULL },
	{ "requires_approval", JX_BOOL, 0, 0, 0, IN(requires_approval), NULL },
	{ "active", JX_BOOL, 0, 0, 0, IN(active), NULL },
	{ "default_impact", JX_INT, JX_NULLABLE, 1, 3, IN(default_impact), NULL },
};
const size_t cat_create_nfields = ARRAY_SIZE(cat_create_fields);

const struct jx_field cat_patch_fields[] = {
	{ "name", JX_STR, 0, 1, 100, IN(name), NULL },
	{ "parent_id", JX_ID, JX_NULLABLE, 0, 0, IN(parent_id), NULL },
	{ "default_group_id", JX_ID, JX_NULLABLE, 0, 0, IN(default_group_id), NULL },
	{ "requires_approval", JX_BOOL, 0, 0, 0, IN(requires_approval), NULL },
	{ "active", JX_BOOL, 0, 0, 0, IN(active), NULL },
	{ "default_impact", JX_INT, JX_NULLABLE, 1, 3, IN(default_impact), NULL },
};
const size_t cat_patch_nfields = ARRAY_SIZE(cat_patch_fields);

#undef IN

/*
 * Walks from id to its root. *depth gets the number of categories on the
 * way (id included); path, when given, gets their names joined by " / ".
 * Returns 1 when `avoid` is met on the way (a cycle in the making).
 */
static int walk_up(struct db *db, int64_t id, int64_t avoid, int *depth, struct strbuf *path,
		   struct yw_err *err)
{
	char *names[CAT_MAX_DEPTH * 2];
	int n = 0, rc = 0, hit = 0;
	struct db_stmt *st;

	while (id && n < (int)ARRAY_SIZE(names)) {
		if (id == avoid) {
			hit = 1;
			break;
		}
		if ((rc = db_prepare(db, "SELECT COALESCE(parent_id, 0), name FROM categories WHERE id = ?", &st, err)))
			break;
		db_bind_int(st, 1, id);
		rc = db_step(st, err);
		if (rc == DB_ROW) {
			id = db_col_int(st, 0);
			names[n++] = yw_strdup(db_col_text(st, 1));
		}
		db_done(st);
		if (rc != DB_ROW)
			break;   /* an error, or a dangling parent (foreign keys forbid it) */
		rc = 0;
	}
	if (depth)
		*depth = n;
	for (int i = n - 1; i >= 0; i--) {
		if (path) {
			if (path->len)
				strbuf_addstr(path, " / ");
			strbuf_addstr(path, names[i]);
		}
		free(names[i]);
	}
	return rc < 0 ? rc : hit;
}

static int check_state(struct db *db, int64_t self, const char *name, int64_t parent, int64_t group,
		       struct yw_err *err)
{
	struct yw_err e2 = YW_ERR_INIT;
	int64_t other;
	int depth = 0, rc;

	if (jx_check_str("name", name, strlen(name), 1, 100, false, err))
		return err->code;
	if (parent) {
		if (db_queryint(db, &other, &e2, "SELECT id FROM categories WHERE id = ?", "i", parent))
			return yw_errf(err, YW_EINVAL, "parent_id", "no category %" PRId64, parent);
		if ((rc = walk_up(db, parent, self, &depth, NULL, err)) < 0)
			return rc;
		if (rc == 1)
			return yw_errf(err, YW_EINVAL, "parent_id",
				       "a category cannot be placed under itself or one of its subcategories");
		if (depth >= CAT_MAX_DEPTH)
			return yw_errf(err, YW_EINVAL, "parent_id", "categories nest at most %d levels deep",
				       CAT_MAX_DEPTH);
	}
	if (group && db_queryint(db, &other, &e2, "SELECT id FROM groups WHERE id = ?", "i", group))
		return yw_errf(err, YW_EINVAL, "default_group_id", "no group %" PRId64, group);
	if (db_queryint(db, &other, &e2, "SELECT id FROM categories WHERE COALESCE(parent_id, 0) = ?"
			" AND name = ? AND id <> ?", "isi", parent, name, self) == 0)
		return yw_errf(err, YW_ECONFLICT, "name", "a category named %s exists at this level", name);
	return 0;
}

int cat_create(struct db *db, const struct yw_actor *a, const struct cat_input *in, int64_t *id,
	       struct yw_err *err)
{
	struct cat_input v = *in;
	int64_t now = yw_now();
	json_t *detail;
	int rc;

	if ((rc = perm_check(a, P_CATEGORY_CREATE, NULL, err)))
		return rc;
	if (!v.name)
		return yw_errf(err, YW_EINVAL, "name", "name is required");
	if (!(v.set & CAT_F_PARENT))
		v.parent_id = 0;
	if (!(v.set & CAT_F_GROUP))
		v.default_group_id = 0;
	if (!(v.set & CAT_F_APPROVAL))
		v.requires_approval = false;
	if (!(v.set & CAT_F_ACTIVE))
		v.active = true;
	if ((rc = db_begin(db, err)))
		return rc;
	if (!(v.set & CAT_F_IMPACT))
		v.default_impact = 0;
	if ((rc = check_state(db, 0, v.name, v.parent_id, v.default_group_id, err)) ||
	    (rc = db_queryint(db, id, err, "INSERT INTO categories(parent_id, name, default_group_id,"
			      " requires_approval, active, default_impact, created_at, updated_at)"
			      " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", "dsdiidii", v.parent_id, v.name,
			      v.default_group_id, (int64_t)v.requires_approval, (int64_t)v.active, v.default_impact,
			      now, now)))
		goto fail;
	detail = json_pack("{s:s, s:o}", "name", v.name, "parent_id", jx_id_or_null(v.parent_id));
	rc = acct_audit(db, a, "category.create", "category", *id, detail, err);
	json_decref(detail);
	if (rc || (rc = db_commit(db, err)))
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

int cat_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
	       const struct cat_input *in, struct yw_err *err)
{
	struct cat_input old = { 0 }, v;
	int64_t old_version = 0;
	char *old_name = NULL;
	struct db_stmt *st;
	json_t *changes, *detail;
	int rc;

	if ((rc = perm_check(a, P_CATEGORY_UPDATE, NULL, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = db_prepare(db, "SELECT name, COALESCE(parent_id, 0), COALESCE(default_group_id, 0),"
			     " requires_approval, active, version, COALESCE(default_impact, 0) FROM categories"
			     " WHERE id = ?", &st, err)))
		goto fail;
	db_bind_int(st, 1, id);
	if ((rc = db_step(st, err)) == DB_ROW) {
		old_name = yw_strdup(db_col_text(st, 0));
		old.parent_id = db_col_int(st, 1);
		old.default_group_id = db_col_int(st, 2);
		old.requires_approval = db_col_int(st, 3) != 0;
		old.active = db_col_int(st, 4) != 0;
		old_version = db_col_int(st, 5);
		old.default_impact = db_col_int(st, 6);
	}
	db_done(st);
	if (rc == DB_DONE)
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no category %" PRId64, id);
	if (rc < 0)
		goto fail;
	if (version && version != old_version) {
		rc = yw_errf(err, YW_ESTALE, "If-Match", "category %" PRId64 " is at version %" PRId64
			     ", not %" PRId64 "; reload it and try again", id, old_version, version);
		goto fail;
	}
	v = old;
	v.name = (in->set & CAT_F_NAME) && in->name ? in->name : old_name;
	if (in->set & CAT_F_PARENT)
		v.parent_id = in->parent_id;
	if (in->set & CAT_F_GROUP)
		v.default_group_id = in->default_group_id;
	if (in->set & CAT_F_APPROVAL)
		v.requires_approval = in->requires_approval;
	if (in->set & CAT_F_ACTIVE)
		v.active = in->active;
	if (in->set & CAT_F_IMPACT)
		v.default_impact = in->default_impact;
	if ((rc = check_state(db, id, v.name, v.parent_id, v.default_group_id, err)) ||
	    (rc = db_execf(db, err, "UPDATE categories SET name = ?, parent_id = ?, default_group_id = ?,"
			   " requires_approval = ?, active = ?, default_impact = ?, updated_at = ?,"
			   " version = version + 1 WHERE id = ?",
			   "sddiidii", v.name, v.parent_id, v.default_group_id, (int64_t)v.requires_approval,
			   (int64_t)v.active, v.default_impact, yw_now(), id)))
		goto fail;
	changes = json_object();
	user_diff_str(changes, "name", old_name, v.name);
	user_diff_int(changes, "parent_id", old.parent_id, v.parent_id, false);
	user_diff_int(changes, "default_group_id", old.default_group_id, v.default_group_id, false);
	user_diff_int(changes, "requires_approval", old.requires_approval, v.requires_approval, true);
	user_diff_int(changes, "active", old.active, v.active, true);
	user_diff_int(changes, "default_impact", old.default_impact, v.default_impact, false);
	detail = json_pack("{s:s, s:o}", "name", v.name, "changes", changes);
	rc = acct_audit(db, a, "category.update", "category", id, detail, err);
	json_decref(detail);
	if (rc || (rc = db_commit(db, err)))
		goto fail;
	free(old_name);
	return 0;
fail:
	db_rollback(db);
	free(old_name);
	return rc;
}

#define CAT_COLS "id, parent_id, name, default_group_id, requires_approval, active, created_at," \
		 " updated_at, version, default_impact"

static int row_json(struct db *db, struct db_stmt *st, json_t **out, struct yw_err *err)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	/* the path starts at the parent: this row's own name is column 2 */
	rc = walk_up(db, db_col_int(st, 1), 0, NULL, &path, err);
	if (rc < 0) {
		strbuf_release(&path);
		*out = NULL;
		return rc;
	}
	if (path.len)
		strbuf_addstr(&path, " / ");
	strbuf_addstr(&path, db_col_text(st, 2));
	*out = json_pack("{s:I, s:o, s:s, s:s, s:o, s:b, s:b, s:o, s:o, s:I}",
			 "id", (json_int_t)db_col_int(st, 0),
			 "parent_id", jx_id_or_null(db_col_int(st, 1)),
			 "name", db_col_text(st, 2),
			 "path", path.buf,
			 "default_group_id", jx_id_or_null(db_col_int(st, 3)),
			 "requires_approval", (int)db_col_int(st, 4),
			 "active", (int)db_col_int(st, 5),
			 "created_at", jx_time_or_null(db_col_int(st, 6)),
			 "updated_at", jx_time_or_null(db_col_int(st, 7)),
			 "version", (json_int_t)db_col_int(st, 8));
	json_object_set_new(*out, "default_impact", jx_id_or_null(db_col_int(st, 9)));
	strbuf_release(&path);
	return 0;
}

int cat_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = db_prepare(db, "SELECT " CAT_COLS " FROM categories WHERE id = ? AND (? = 1 OR active = 1)", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, acct_is_staff(a));
	rc = db_step(st, err);
	if (rc == DB_ROW)
		rc = row_json(db, st, out, err);
	else if (rc == DB_DONE)
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no category %" PRId64, id);
	db_done(st);
	return rc;
}

int cat_list_json(struct db *db, const struct yw_actor *a, int active, struct user_page *page,
		  json_t **items, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	*items = NULL;
	user_page_clamp(page);
	if (!acct_is_staff(a))
		active = 1;
	if ((rc = db_prepare(db, "SELECT " CAT_COLS " FROM categories WHERE id > ? AND (? < 0 OR active = ?)"
			     " ORDER BY id LIMIT ?", &st, err)))
		return rc;
	db_bind_int(st, 1, page->after);
	db_bind_int(st, 2, active);
	db_bind_int(st, 3, active);
	db_bind_int(st, 4, page->limit + 1);
	rc = user_fill_page(db, st, page, items, row_json, err);
	return rc;
}
