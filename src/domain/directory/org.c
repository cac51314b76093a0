/* org.c - customer organisations (see org.h). */
#include "../../core/yw.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "org.h"
#include "../account/perm.h"

#define IN(f) offsetof(struct org_input, f)

/* Both tables follow the order of the ORG_F_* bits. */
const struct jx_field org_create_fields[] = {
	{ "name", JX_STR, JX_REQUIRED, 1, 200, IN(name), NULL },
	{ "code", JX_STR, JX_NULLABLE, 1, 32, IN(code), NULL },
	{ "phone", JX_STR, JX_NULLABLE, 1, 32, IN(phone), NULL },
	{ "email", JX_STR, JX_NULLABLE, 1, 254, IN(email), NULL },
	{ "address", JX_STR, JX_NULLABLE, 1, 500, IN(address), NULL },
	{ "note", JX_TEXT, JX_NULLABLE, 1, 4000, IN(note), NULL },
	{ "active", JX_BOOL, 0, 0, 0, IN(active), NULL },
	{ "default_group_id", JX_ID, JX_NULLABLE, 0, 0, IN(default_group_id), NULL },
	{ "default_impact", JX_INT, JX_NULLABLE, 1, 3, IN(default_impact), NULL },
};
const size_t org_create_nfields = ARRAY_SIZE(org_create_fields);

const struct jx_field org_patch_fields[] = {
	{ "name", JX_STR, 0, 1, 200, IN(name), NULL },
	{ "code", JX_STR, JX_NULLABLE, 1, 32, IN(code), NULL },
	{ "phone", JX_STR, JX_NULLABLE, 1, 32, IN(phone), NULL },
	{ "email", JX_STR, JX_NULLABLE, 1, 254, IN(email), NULL },
	{ "address", JX_STR, JX_NULLABLE, 1, 500, IN(address), NULL },
	{ "note", JX_TEXT, JX_NULLABLE, 1, 4000, IN(note), NULL },
	{ "active", JX_BOOL, 0, 0, 0, IN(active), NULL },
	{ "default_group_id", JX_ID, JX_NULLABLE, 0, 0, IN(default_group_id), NULL },
	{ "default_impact", JX_INT, JX_NULLABLE, 1, 3, IN(default_impact), NULL },
};
const size_t org_patch_nfields = ARRAY_SIZE(org_patch_fields);

#undef IN

int org_check_code(const char *code, struct yw_err *err)
{
	size_t n = strlen(code);

	if (n < 1 || n > 32)
		return yw_errf(err, YW_EINVAL, "code", "code must have 1 to 32 characters");
	for (size_t i = 0; i < n; i++) {
		char c = code[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return yw_errf(err, YW_EINVAL, "code", "code may contain only letters, digits, _ and -");
	}
	return 0;
}

static int check_text(const char *field, const char *s, int64_t max, bool multiline, struct yw_err *err)
{
	if (!s)
		return 0;
	return jx_check_str(field, s, strlen(s), 1, max, multiline, err);
}

static int check_fields(const struct org_input *in, struct yw_err *err)
{
	int rc = 0;

	if (in->set & ORG_F_NAME) {
		if (!in->name)
			return yw_errf(err, YW_EINVAL, "name", "name is required");
		rc = check_text("name", in->name, 200, false, err);
	}
	if (!rc && (in->set & ORG_F_CODE) && in->code)
		rc = org_check_code(in->code, err);
	if (!rc && (in->set & ORG_F_PHONE) && in->phone)
		rc = user_check_phone("phone", in->phone, err);
	if (!rc && (in->set & ORG_F_EMAIL) && in->email)
		rc = user_check_email("email", in->email, err);
	if (!rc && (in->set & ORG_F_ADDRESS))
		rc = check_text("address", in->address, 500, false, err);
	if (!rc && (in->set & ORG_F_NOTE))
		rc = check_text("note", in->note, 4000, true, err);
	return rc;
}

/* The default group must exist. */
static int check_group(struct db *db, int64_t group, struct yw_err *err)
{
	struct yw_err e2 = YW_ERR_INIT;
	int64_t other;

	if (group && db_queryint(db, &other, &e2, "SELECT id FROM groups WHERE id = ?", "i", group))
		return yw_errf(err, YW_EINVAL, "default_group_id", "no group %" PRId64, group);
	return 0;
}

/* Name and code are unique: say which one is taken, before the constraint does. */
static int check_unique(struct db *db, int64_t self, const char *name, const char *code, struct yw_err *err)
{
	struct yw_err e2 = YW_ERR_INIT;
	int64_t other;

	if (db_queryint(db, &other, &e2, "SELECT id FROM organizations WHERE name = ? AND id <> ?", "si",
			name, self) == 0)
		return yw_errf(err, YW_ECONFLICT, "name", "an organization named %s exists", name);
	if (code && db_queryint(db, &other, &e2, "SELECT id FROM organizations WHERE code = ? AND id <> ?",
				"si", code, self) == 0)
		return yw_errf(err, YW_ECONFLICT, "code", "the code %s is taken", code);
	return 0;
}

int org_create(struct db *db, const struct yw_actor *a, const struct org_input *in, int64_t *id,
	       struct yw_err *err)
{
	struct org_input v = *in;
	int64_t now = yw_now();
	json_t *detail;
	int rc;

	if ((rc = perm_check(a, P_ORG_CREATE, NULL, err)))
		return rc;
	v.set |= ORG_F_NAME;
	if (!(v.set & ORG_F_ACTIVE))
		v.active = true;
	if ((rc = check_fields(&v, err)) || (rc = db_begin(db, err)))
		return rc;
	if (!(v.set & ORG_F_GROUP))
		v.default_group_id = 0;
	if (!(v.set & ORG_F_IMPACT))
		v.default_impact = 0;
	if ((rc = check_unique(db, 0, v.name, (v.set & ORG_F_CODE) ? v.code : NULL, err)) ||
	    (rc = check_group(db, v.default_group_id, err)))
		goto fail;
	if ((rc = db_queryint(db, id, err, "INSERT INTO organizations(name, code, phone, email, address, note,"
			      " active, default_group_id, default_impact, created_at, updated_at)"
			      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			      "ssssssiddii", v.name, (v.set & ORG_F_CODE) ? v.code : NULL,
			      (v.set & ORG_F_PHONE) ? v.phone : NULL, (v.set & ORG_F_EMAIL) ? v.email : NULL,
			      (v.set & ORG_F_ADDRESS) ? v.address : NULL, (v.set & ORG_F_NOTE) ? v.note : NULL,
			      (int64_t)v.active, v.default_group_id, v.default_impact, now, now)))
		goto fail;
	detail = json_pack("{s:s}", "name", v.name);
	rc = acct_audit(db, a, "organization.create", "organization", *id, detail, err);
	json_decref(detail);
	if (rc || (rc = db_commit(db, err)))
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

struct org_row {
	char *s[6];   /* name, code, phone, email, address, note */
	bool active;
	int64_t version, group, impact;
};

static void org_row_release(struct org_row *o)
{
	for (size_t i = 0; i < ARRAY_SIZE(o->s); i++)
		FREE_AND_NULL(o->s[i]);
}

static int64_t confined_org(const struct yw_actor *a)
{
	if (a->role != ROLE_CUSTOMER)
		return 0;
	return a->org_id ? a->org_id : -1;
}

static int org_load(struct db *db, const struct yw_actor *a, int64_t id, struct org_row *o, struct yw_err *err)
{
	struct db_stmt *st;
	int64_t org = confined_org(a);
	int rc;

	if ((rc = db_prepare(db, "SELECT name, code, phone, email, address, note, active, version,"
			     " COALESCE(default_group_id, 0), COALESCE(default_impact, 0)"
			     " FROM organizations WHERE id = ? AND (? = 0 OR id = ?)", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, org);
	db_bind_int(st, 3, org);
	rc = db_step(st, err);
	if (rc == DB_ROW) {
		for (int i = 0; i < 6; i++)
			o->s[i] = db_col_text(st, i) ? yw_strdup(db_col_text(st, i)) : NULL;
		o->active = db_col_int(st, 6) != 0;
		o->version = db_col_int(st, 7);
		o->group = db_col_int(st, 8);
		o->impact = db_col_int(st, 9);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no organization %" PRId64, id);
	}
	db_done(st);
	return rc;
}

int org_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
	       const struct org_input *in, struct yw_err *err)
{
	static const char *const names[] = { "name", "code", "phone", "email", "address", "note" };
	static const uint64_t bits[] = { ORG_F_NAME, ORG_F_CODE, ORG_F_PHONE, ORG_F_EMAIL, ORG_F_ADDRESS, ORG_F_NOTE };
	const char *given[] = { in->name, in->code, in->phone, in->email, in->address, in->note };
	const char *v[6];
	struct org_row o = { 0 };
	json_t *changes, *detail;
	bool active;
	int64_t group, impact;
	int rc;

	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = org_load(db, a, id, &o, err)))
		goto fail;
	if ((rc = perm_check(a, P_ORG_UPDATE, NULL, err)))
		goto fail;
	if ((rc = check_fields(in, err)))
		goto fail;
	if (version && version != o.version) {
		rc = yw_errf(err, YW_ESTALE, "If-Match", "organization %" PRId64 " is at version %" PRId64
			     ", not %" PRId64 "; reload it and try again", id, o.version, version);
		goto fail;
	}
	for (int i = 0; i < 6; i++)
		v[i] = (in->set & bits[i]) ? given[i] : o.s[i];
	active = (in->set & ORG_F_ACTIVE) ? in->active : o.active;
	group = (in->set & ORG_F_GROUP) ? in->default_group_id : o.group;
	impact = (in->set & ORG_F_IMPACT) ? in->default_impact : o.impact;
	if ((rc = check_unique(db, id, v[0], v[1], err)) || (rc = check_group(db, group, err)))
		goto fail;
	if ((rc = db_execf(db, err, "UPDATE organizations SET name = ?, code = ?, phone = ?, email = ?,"
			   " address = ?, note = ?, active = ?, default_group_id = ?, default_impact = ?,"
			   " updated_at = ?, version = version + 1 WHERE id = ?",
			   "ssssssiddii", v[0], v[1], v[2], v[3], v[4], v[5], (int64_t)active, group, impact,
			   yw_now(), id)))
		goto fail;
	changes = json_object();
	for (int i = 0; i < 6; i++)
		user_diff_str(changes, names[i], o.s[i], v[i]);
	user_diff_int(changes, "active", o.active, active, true);
	user_diff_int(changes, "default_group_id", o.group, group, false);
	user_diff_int(changes, "default_impact", o.impact, impact, false);
	detail = json_pack("{s:s, s:o}", "name", v[0], "changes", changes);
	rc = acct_audit(db, a, "organization.update", "organization", id, detail, err);
	json_decref(detail);
	if (rc || (rc = db_commit(db, err)))
		goto fail;
	org_row_release(&o);
	return 0;
fail:
	db_rollback(db);
	org_row_release(&o);
	return rc;
}

#define ORG_COLS "id, name, code, phone, email, address, note, active, created_at, updated_at, version," \
		 " default_group_id, default_impact"

static int row_json(struct db *db, struct db_stmt *st, json_t **out, struct yw_err *err)
{
	*out = json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o, s:I}",
			 "id", (json_int_t)db_col_int(st, 0),
			 "name", db_col_text(st, 1),
			 "code", jx_str_or_null(db_col_text(st, 2)),
			 "phone", jx_str_or_null(db_col_text(st, 3)),
			 "email", jx_str_or_null(db_col_text(st, 4)),
			 "address", jx_str_or_null(db_col_text(st, 5)),
			 "note", jx_str_or_null(db_col_text(st, 6)),
			 "active", (int)db_col_int(st, 7),
			 "created_at", jx_time_or_null(db_col_int(st, 8)),
			 "updated_at", jx_time_or_null(db_col_int(st, 9)),
			 "version", (json_int_t)db_col_int(st, 10));
	json_object_set_new(*out, "default_group_id", jx_id_or_null(db_col_int(st, 11)));
	json_object_set_new(*out, "default_impact", jx_id_or_null(db_col_int(st, 12)));
	return 0;
}

int org_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err)
{
	struct db_stmt *st;
	int64_t org = confined_org(a);
	int rc;

	*out = NULL;
	if ((rc = db_prepare(db, "SELECT " ORG_COLS " FROM organizations WHERE id = ? AND (? = 0 OR id = ?)",
			     &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, org);
	db_bind_int(st, 3, org);
	rc = db_step(st, err);
	if (rc == DB_ROW)
		rc = row_json(db, st, out, err);
	else if (rc == DB_DONE)
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no organization %" PRId64, id);
	db_done(st);
	return rc;
}

int org_list_json(struct db *db, const struct yw_actor *a, const char *q, int active,
		  struct user_page *page, json_t **items, struct yw_err *err)
{
	struct db_stmt *st;
	int64_t org = confined_org(a);
	char *like = q && *q ? user_like_pattern(q) : NULL;
	int rc;

	*items = NULL;
	user_page_clamp(page);
	if ((rc = db_prepare(db, "SELECT " ORG_COLS " FROM organizations WHERE id > ?"
			     " AND (? = 0 OR id = ?) AND (? < 0 OR active = ?)"
			     " AND (CAST(? AS TEXT) IS NULL OR LOWER(name) LIKE ? ESCAPE ?"
			     " OR LOWER(COALESCE(code, '')) LIKE ? ESCAPE ?)"
			     " ORDER BY id LIMIT ?", &st, err))) {
		free(like);
		return rc;
	}
	db_bind_int(st, 1, page->after);
	db_bind_int(st, 2, org);
	db_bind_int(st, 3, org);
	db_bind_int(st, 4, active);
	db_bind_int(st, 5, active);
	db_bind_text(st, 6, like);
	db_bind_text(st, 7, like);
	db_bind_text(st, 8, USER_LIKE_ESCAPE);
	db_bind_text(st, 9, like);
	db_bind_text(st, 10, USER_LIKE_ESCAPE);
	db_bind_int(st, 11, page->limit + 1);
	rc = user_fill_page(db, st, page, items, row_json, err);
	free(like);
	return rc;
}

int org_contacts_json(struct db *db, const struct yw_actor *a, int64_t id, struct user_page *page,
		      json_t **items, struct yw_err *err)
{
	struct user_filter f = { NULL, "customer", id, 0, -1 };
	struct org_row o = { 0 };
	int rc;

	*items = NULL;
	if ((rc = org_load(db, a, id, &o, err)))
		return rc;
	org_row_release(&o);
	return user_list_json(db, a, &f, page, items, err);
}

int org_find(struct db *db, const char *id_or_name, int64_t *id, struct yw_err *err)
{
	struct yw_err e2 = YW_ERR_INIT;
	char *end;
	long long n = strtoll(id_or_name, &end, 10);

	if (*id_or_name && !*end && n > 0 &&
	    db_queryint(db, id, &e2, "SELECT id FROM organizations WHERE id = ?", "i", (int64_t)n) == 0)
		return 0;
	if (db_queryint(db, id, &e2, "SELECT id FROM organizations WHERE name = ? OR code = ?", "ss",
			id_or_name, id_or_name) == 0)
		return 0;
	return yw_errf(err, YW_ENOTFOUND, "organization", "no organization %s", id_or_name);
}
