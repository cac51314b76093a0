/* user.c - user accounts, their tokens and the audit log (see user.h). */
#include "../../core/yw.h"
#include "../../core/strbuf.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "user.h"
#include "perm.h"
#include <sodium.h>

static const char *const role_vals[] = { "admin", "manager", "supervisor", "engineer", "customer", NULL };

#define IN(f) offsetof(struct user_input, f)

/* Both tables follow the order of the USER_F_* bits: seen == set. */
const struct jx_field user_create_fields[] = {
	{ "display_name", JX_STR, JX_REQUIRED, 1, 100, IN(display_name), NULL },
	{ "email", JX_STR, JX_NULLABLE, 1, 254, IN(email), NULL },
	{ "phone", JX_STR, JX_NULLABLE, 1, 32, IN(phone), NULL },
	{ "role", JX_ENUM, JX_REQUIRED, 0, 0, IN(role), role_vals },
	{ "organization_id", JX_ID, JX_NULLABLE, 0, 0, IN(organization_id), NULL },
	{ "group_ids", JX_IDS, 0, 0, 100, IN(group_ids), NULL },
	{ "disabled", JX_BOOL, 0, 0, 0, IN(disabled), NULL },
	{ "login", JX_STR, JX_REQUIRED, 1, 64, IN(login), NULL },
	{ "password", JX_STR, JX_REQUIRED, 0, 0, IN(password), NULL },
};
const size_t user_create_nfields = ARRAY_SIZE(user_create_fields);

const struct jx_field user_patch_fields[] = {
	{ "display_name", JX_STR, 0, 1, 100, IN(display_name), NULL },
	{ "email", JX_STR, JX_NULLABLE, 1, 254, IN(email), NULL },
	{ "phone", JX_STR, JX_NULLABLE, 1, 32, IN(phone), NULL },
	{ "role", JX_ENUM, 0, 0, 0, IN(role), role_vals },
	{ "organization_id", JX_ID, JX_NULLABLE, 0, 0, IN(organization_id), NULL },
	{ "group_ids", JX_IDS, 0, 0, 100, IN(group_ids), NULL },
	{ "disabled", JX_BOOL, 0, 0, 0, IN(disabled), NULL },
};
const size_t user_patch_nfields = ARRAY_SIZE(user_patch_fields);

#undef IN

int user_check_login(const char *login, struct yw_err *err)
{
	size_t n = strlen(login);

	if (n == 0)
		return yw_errf(err, YW_EINVAL, "login", "login must not be empty");
	if (n > 64)
		return yw_errf(err, YW_EINVAL, "login", "login is longer than 64 characters");
	for (size_t i = 0; i < n; i++) {
		char c = login[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '_' || c == '@' || c == '-';
		if (!ok)
			return yw_errf(err, YW_EINVAL, "login",
				       "login may contain only letters, digits and . _ @ -");
	}
	return 0;
}

int user_check_email(const char *field, const char *email, struct yw_err *err)
{
	size_t n = strlen(email);
	const char *at = strchr(email, '@');
	const char *dot;

	if (n > 254)
		return yw_errf(err, YW_EINVAL, field, "%s is longer than 254 characters", field);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)email[i];
		if (c <= ' ' || c == 0x7f)
			return yw_errf(err, YW_EINVAL, field, "%s must not contain spaces or control characters",
				       field);
	}
	/* one @, something before it, and a dot with something on both sides after it */
	if (!at || at == email || strchr(at + 1, '@') || !(dot = strrchr(at + 1, '.')) ||
	    dot == at + 1 || !dot[1])
		return yw_errf(err, YW_EINVAL, field, "%s must look like name@example.com", field);
	return jx_check_str(field, email, n, 3, 254, false, err);
}

int user_check_phone(const char *field, const char *phone, struct yw_err *err)
{
	size_t n = strlen(phone);
	bool digit = false;

	if (n == 0 || n > 32)
		return yw_errf(err, YW_EINVAL, field, "%s must have 1 to 32 characters", field);
	for (size_t i = 0; i < n; i++) {
		char c = phone[i];
		if (c >= '0' && c <= '9')
			digit = true;
		else if (c != '+' && c != '-' && c != ' ')
			return yw_errf(err, YW_EINVAL, field,
				       "%s may contain only digits, '+', '-' and spaces", field);
	}
	if (!digit)
		return yw_errf(err, YW_EINVAL, field, "%s must contain a digit", field);
	return 0;
}

char *user_like_pattern(const char *q)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addch(&sb, '%');
	for (const char *p = q; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			strbuf_addch(&sb, '\\');
		strbuf_addch(&sb, tolower((unsigned char)*p));
	}
	strbuf_addch(&sb, '%');
	return strbuf_detach(&sb, NULL);
}

/* The organisation a customer is confined to; -1 when it has none (sees nothing), 0 for staff. */
static int64_t confined_org(const struct yw_actor *a)
{
	if (a->role != ROLE_CUSTOMER)
		return 0;
	return a->org_id ? a->org_id : -1;
}

/* The stored state of a user that the rules look at. */
struct user_row {
	int64_t id, org_id, version;
	enum yw_role role;
	bool disabled;
	char *login, *display_name, *email, *phone;
};

static void user_row_release(struct user_row *u)
{
	free(u->login);
	free(u->display_name);
	free(u->email);
	free(u->phone);
	memset(u, 0, sizeof(*u));
}

static char *dup_or_null(const char *s)
{
	return s ? yw_strdup(s) : NULL;
}

/* Loads a user; YW_ENOTFOUND (field "id") when absent or invisible to a. */
static int user_load(struct db *db, const struct yw_actor *a, int64_t id, struct user_row *u,
		     struct yw_err *err)
{
	struct db_stmt *st;
	int64_t org = confined_org(a);
	int rc;

	if ((rc = db_prepare(db, "SELECT id, role, COALESCE(org_id, 0), disabled, version, login,"
			     " display_name, email, phone FROM users WHERE id = ?", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	rc = db_step(st, err);
	if (rc == DB_ROW) {
		u->id = db_col_int(st, 0);
		u->role = ROLE_NONE;
		acct_role_parse(db_col_text(st, 1), &u->role);
		u->org_id = db_col_int(st, 2);
		u->disabled = db_col_int(st, 3) != 0;
		u->version = db_col_int(st, 4);
		u->login = yw_strdup(db_col_text(st, 5));
		u->display_name = yw_strdup(db_col_text(st, 6));
		u->email = dup_or_null(db_col_text(st, 7));
		u->phone = dup_or_null(db_col_text(st, 8));
		rc = DB_ROW;
		if (org && u->org_id != org) {
			user_row_release(u);
			rc = DB_DONE;
		}
	}
	db_done(st);
	if (rc == DB_DONE)
		return yw_errf(err, YW_ENOTFOUND, "id", "no user %" PRId64, id);
	return rc == DB_ROW ? 0 : rc;
}

/* Checks the form of every given field; the rules that need the database come later. */
static int check_fields(const struct user_input *in, struct yw_err *err)
{
	enum yw_role role;
	int rc;

	if ((in->set & USER_F_LOGIN) && (rc = user_check_login(in->login ? in->login : "", err)))
		return rc;
	if (in->set & USER_F_DISPLAY_NAME) {
		const char *s = in->display_name ? in->display_name : "";
		if ((rc = jx_check_str("display_name", s, strlen(s), 1, 100, false, err)))
			return rc;
	}
	if ((in->set & USER_F_EMAIL) && in->email && (rc = user_check_email("email", in->email, err)))
		return rc;
	if ((in->set & USER_F_PHONE) && in->phone && (rc = user_check_phone("phone", in->phone, err)))
		return rc;
	if ((in->set & USER_F_ROLE) && (!in->role || acct_role_parse(in->role, &role)))
		return yw_errf(err, YW_EINVAL, "role",
			       "role must be one of: admin, manager, supervisor, engineer, customer");
	if ((in->set & USER_F_PASSWORD) && (rc = acct_password_check(in->password ? in->password : "", err)))
		return rc;
	return 0;
}

/*
 * The rules between fields and other records, on the state the user will
 * have: a customer belongs to an existing organisation and to no group,
 * staff to no organisation; groups exist; someone who supervises a group
 * keeps a role that may; the last active admin stays an active admin.
 */
static int check_state(struct db *db, const struct user_row *old, enum yw_role role, int64_t org,
		       const struct jx_ids *groups, bool disabled, struct yw_err *err)
{
	int64_t n;
	bool found;
	int rc;

	if (role == ROLE_CUSTOMER) {
		if (!org)
			return yw_errf(err, YW_EINVAL, "organization_id", "organization_id is required for a customer");
		if ((rc = db_exists(db, &found, err, "SELECT 1 FROM organizations WHERE id = ?", "i", org)))
			return rc;
		if (!found)
			return yw_errf(err, YW_EINVAL, "organization_id", "no organization %" PRId64, org);
		if (groups->n)
			return yw_errf(err, YW_EINVAL, "group_ids", "a customer cannot be a member of a support group");
	} else if (org) {
		return yw_errf(err, YW_EINVAL, "organization_id",
			       "organization_id must be null for staff; only customers belong to an organization");
	}
	for (size_t i = 0; i < groups->n; i++) {
		if ((rc = db_exists(db, &found, err, "SELECT 1 FROM groups WHERE id = ?", "i", groups->v[i])))
			return rc;
		if (!found)
			return yw_errf(err, YW_EINVAL, "group_ids", "no group %" PRId64, groups->v[i]);
	}
	if (!old)
		return 0;
	if (role < ROLE_SUPERVISOR && old->role >= ROLE_SUPERVISOR) {
		if ((rc = db_exists(db, &found, err, "SELECT 1 FROM groups WHERE supervisor_id = ?", "i", old->id)))
			return rc;
		if (found)
			return yw_errf(err, YW_ECONFLICT, "role",
				       "%s supervises a group; choose another supervisor for it first", old->login);
	}
	if (old->role == ROLE_ADMIN && !old->disabled && (role != ROLE_ADMIN || disabled)) {
		if ((rc = db_queryint(db, &n, err, "SELECT COUNT(*) FROM users WHERE role = 'admin'"
				      " AND disabled = 0 AND id <> ?", "i", old->id)))
			return rc;
		if (n == 0)
			return yw_errf(err, YW_ECONFLICT, role != ROLE_ADMIN ? "role" : "disabled",
				       "%s is the last active admin", old->login);
	}
	return 0;
}

static int set_groups(struct db *db, int64_t user_id, const struct jx_ids *groups, struct yw_err *err)
{
	int rc = db_execf(db, err, "DELETE FROM group_members WHERE user_id = ?", "i", user_id);
	for (size_t i = 0; !rc && i < groups->n; i++)
		rc = db_execf(db, err, "INSERT INTO group_members(group_id, user_id) VALUES (?, ?)", "ii",
			      groups->v[i], user_id);
	return rc;
}

static int login_taken(struct db *db, const char *login, struct yw_err *err)
{
	struct yw_err e2 = YW_ERR_INIT;
	int64_t id;

	/* "Zhang" and "zhang" are one login (the index users_login_lower) */
	if (db_queryint(db, &id, &e2, "SELECT id FROM users WHERE lower(login) = lower(?)", "s", login) == 0)
		return yw_errf(err, YW_ECONFLICT, "login", "login %s is taken", login);
	return 0;
}

int user_create(struct db *db, const struct yw_actor *a, const struct user_input *in, int64_t *id,
		struct yw_err *err)
{
	char hash[ACCT_HASH_MAX];
	enum yw_role role = ROLE_NONE;
	struct user_input v = *in;
	int64_t now = yw_now();
	json_t *detail;
	int rc;

	if ((rc = perm_check(a, P_USER_CREATE, NULL, err)))
		return rc;
	v.set |= USER_F_LOGIN | USER_F_DISPLAY_NAME | USER_F_ROLE | USER_F_PASSWORD;
	if ((rc = check_fields(&v, err)))
		return rc;
	acct_role_parse(v.role, &role);
	/* argon2 takes tens of milliseconds: not while holding the write lock */
	if ((rc = acct_password_hash(v.password, hash, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = login_taken(db, v.login, err)) ||
	    (rc = check_state(db, NULL, role, (v.set & USER_F_ORG) ? v.organization_id : 0, &v.group_ids,
			      false, err)))
		goto fail;
	rc = db_queryint(db, id, err,
			 "INSERT INTO users(login, display_name, email, phone, role, org_id, password_hash,"
			 " disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			 "sssssdsiii", v.login, v.display_name, (v.set & USER_F_EMAIL) ? v.email : NULL,
			 (v.set & USER_F_PHONE) ? v.phone : NULL, v.role,
			 (v.set & USER_F_ORG) ? v.organization_id : (int64_t)0, hash,
			 (int64_t)((v.set & USER_F_DISABLED) && v.disabled), now, now);
	if (rc == YW_ECONFLICT)
		rc = yw_errf(err, YW_ECONFLICT, "login", "login %s is taken", v.login);
	if (rc || (rc = set_groups(db, *id, &v.group_ids, err)))
		goto fail;
	detail = json_pack("{s:s, s:s}", "login", v.login, "role", v.role);
	rc = acct_audit(db, a, "user.create", "user", *id, detail, err);
	json_decref(detail);
	if (rc || (rc = db_commit(db, err)))
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return rc;
}

/* Adds {"old":..., "new":...} under name to changes when the strings differ. */
void user_diff_str(json_t *changes, const char *name, const char *old, const char *new)
{
	if ((!old && !new) || (old && new && !strcmp(old, new)))
		return;
	json_object_set_new(changes, name, json_pack("{s:o, s:o}", "old", jx_str_or_null(old),
						       "new", jx_str_or_null(new)));
}

void user_diff_int(json_t *changes, const char *name, int64_t old, int64_t new, bool is_bool)
{
	if (old == new)
		return;
	json_object_set_new(changes, name, json_pack("{s:o, s:o}",
		"old", is_bool ? json_boolean(old) : jx_id_or_null(old),
		"new", is_bool ? json_boolean(new) : jx_id_or_null(new)));
}

static int load_groups(struct db *db, int64_t user_id, struct jx_ids *out, struct yw_err *err)
{
	struct db_stmt *st;
	size_t alloc = 0;
	int rc;

	out->n = 0;
	out->v = NULL;
	if ((rc = db_prepare(db, "SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id",
			     &st, err)))
		return rc;
	db_bind_int(st, 1, user_id);
	while ((rc = db_step(st, err)) == DB_ROW) {
		ALLOC_GROW(out->v, out->n + 1, alloc);
		out->v[out->n++] = db_col_int(st, 0);
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

static int update_locked(struct db *db, const struct yw_actor *a, const struct user_row *old,
			 const struct user_input *in, struct yw_err *err)
{
	struct jx_ids cur = { NULL, 0 };
	const struct jx_ids *groups = &in->group_ids;
	enum yw_role role = old->role;
	const char *name = old->display_name, *email = old->email, *phone = old->phone;
	int64_t org = old->org_id;
	bool disabled = old->disabled;
	json_t *changes = NULL, *detail;
	int rc;

	if (in->set & USER_F_ROLE)
		acct_role_parse(in->role, &role);
	if (in->set & USER_F_DISPLAY_NAME)
		name = in->display_name;
	if (in->set & USER_F_EMAIL)
		email = in->email;
	if (in->set & USER_F_PHONE)
		phone = in->phone;
	if (in->set & USER_F_ORG)
		org = in->organization_id;
	if (in->set & USER_F_DISABLED)
		disabled = in->disabled;
	if ((rc = load_groups(db, old->id, &cur, err)))
		return rc;
	if (!(in->set & USER_F_GROUPS))
		groups = &cur;
	if ((rc = check_state(db, old, role, org, groups, disabled, err)))
		goto out;
	if ((rc = db_execf(db, err, "UPDATE users SET display_name = ?, email = ?, phone = ?, role = ?,"
			   " org_id = ?, disabled = ?, updated_at = ?, version = version + 1 WHERE id = ?",
			   "ssssdiii", name, email, phone, acct_role_name(role), org, (int64_t)disabled,
			   yw_now(), old->id)))
		goto out;
	if ((in->set & USER_F_GROUPS) && (rc = set_groups(db, old->id, groups, err)))
		goto out;
	if (disabled && !old->disabled && ((rc = acct_drop_sessions(db, old->id, NULL, err)) ||
					   (rc = acct_revoke_tokens(db, a, old->id, "disabled", err))))
		goto out;

	changes = json_object();
	user_diff_str(changes, "display_name", old->display_name, name);
	user_diff_str(changes, "email", old->email, email);
	user_diff_str(changes, "phone", old->phone, phone);
	user_diff_str(changes, "role", acct_role_name(old->role), acct_role_name(role));
	user_diff_int(changes, "organization_id", old->org_id, org, false);
	user_diff_int(changes, "disabled", old->disabled, disabled, true);
	if (in->set & USER_F_GROUPS) {
		bool same = cur.n == groups->n;
		for (size_t i = 0; same && i < cur.n; i++) {
			same = false;
			for (size_t j = 0; j < groups->n; j++)
				same = same || groups->v[j] == cur.v[i];
		}
		if (!same) {
			json_t *o = json_array(), *n = json_array();
			for (size_t i = 0; i < cur.n; i++)
				json_array_append_new(o, json_integer(cur.v[i]));
			for (size_t i = 0; i < groups->n; i++)
				json_array_append_new(n, json_integer(groups->v[i]));
			json_object_set_new(changes, "group_ids", json_pack("{s:o, s:o}", "old", o, "new", n));
		}
	}
	detail = json_pack("{s:s, s:O}", "login", old->login, "changes", changes);
	rc = acct_audit(db, a, "user.update", "user", old->id, detail, err);
	json_decref(detail);
	if (!rc && role != old->role) {
		detail = json_pack("{s:s, s:s, s:s}", "login", old->login, "old", acct_role_name(old->role),
				   "new", acct_role_name(role));
		rc = acct_audit(db, a, "user.role", "user", old->id, detail, err);
		json_decref(detail);
	}
	if (!rc && disabled != old->disabled) {
		detail = json_pack("{s:s}", "login", old->login);
		rc = acct_audit(db, a, disabled ? "user.disable" : "user.enable", "user", old->id, detail, err);
		json_decref(detail);
	}
out:
	json_decref(changes);
	jx_ids_free(&cur);
	return rc;
}

int user_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
		const struct user_input *in, struct yw_err *err)
{
	struct user_row old = { 0 };
	int rc;

	if ((rc = db_begin(db, err)))
		return rc;
	/* who may comes before what is wrong with the input: a refusal tells nothing */
	if ((rc = user_load(db, a, id, &old, err)) || (rc = perm_check(a, P_USER_UPDATE, NULL, err)) ||
	    (rc = check_fields(in, err)))
		goto fail;
	if (version && version != old.version) {
		rc = yw_errf(err, YW_ESTALE, "If-Match", "user %" PRId64 " is at version %" PRId64
			     ", not %" PRId64 "; reload it and try again", id, old.version, version);
		goto fail;
	}
	if ((rc = update_locked(db, a, &old, in, err)) || (rc = db_commit(db, err)))
		goto fail;
	user_row_release(&old);
	return 0;
fail:
	db_rollback(db);
	user_row_release(&old);
	return rc;
}

int user_set_disabled(struct db *db, const struct yw_actor *a, int64_t id, bool disabled,
		      struct yw_err *err)
{
	struct user_input in = { 0 };

	in.disabled = disabled;
	in.set = USER_F_DISABLED;
	return user_update(db, a, id, 0, &in, err);
}

/*
 * Counts and audits a wrong current password, in its own transaction;
 * the one that reaches the limit also audits the throttle, once a window.
 */
static int audit_password_failure(struct db *db, const struct yw_actor *a, const struct user_row *u,
				  const char *key, struct yw_err *err)
{
	json_t *detail = json_pack("{s:s}", "login", u->login);
	bool tripped = false;
	int rc;

	if (!(rc = db_begin(db, err)) && !(rc = acct_note_failure(db, key, &tripped, err)) &&
	    !(rc = acct_audit(db, a, "user.password.failed", "user", u->id, detail, err)) &&
	    !(rc = tripped ? acct_audit(db, a, "user.password.throttled", "user", u->id, detail, err) : 0))
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	json_decref(detail);
	return rc;
}

int user_set_password(struct db *db, const struct yw_actor *a, int64_t id, const char *password,
		      const char *current, const char *keep_sid, int64_t *retry_after, struct yw_err *err)
{
	struct user_row u = { 0 };
	bool self = a->user_id && a->user_id == id;
	char hash[ACCT_HASH_MAX], old[ACCT_HASH_MAX] = "", key[32];
	struct db_stmt *st;
	json_t *detail;
	int rc;

	if ((rc = user_load(db, a, id, &u, err)))
		return rc;
	if (!self && (rc = perm_check(a, P_USER_PASSWORD, &(struct perm_facts){ .owner_id = id }, err)))
		goto out;
	if ((rc = acct_password_check(password, err)))
		goto out;
	/* wrong current passwords count like failed logins, so a stolen session cannot guess it */
	snprintf(key, sizeof(key), "pw:%" PRId64, id);
	if (self) {
		if (!current || !*current) {
			rc = yw_errf(err, YW_EINVAL, "current_password",
				     "current_password is required to change your own password");
			goto out;
		}
		/* refused without a write: the throttle's start was audited */
		if (acct_throttled(db, key, retry_after)) {
			rc = yw_errf(err, YW_ETHROTTLE, "current_password",
				     "too many wrong current passwords; try again in %" PRId64 " seconds",
				     *retry_after);
			goto out;
		}
		if ((rc = db_prepare(db, "SELECT password_hash FROM users WHERE id = ?", &st, err)))
			goto out;
		db_bind_int(st, 1, id);
		if (db_step(st, err) == DB_ROW && db_col_text(st, 0))
			snprintf(old, sizeof(old), "%s", db_col_text(st, 0));
		db_done(st);
		if (!old[0] || crypto_pwhash_str_verify(old, current, strlen(current)) != 0) {
			if (!(rc = audit_password_failure(db, a, &u, key, err)))
				rc = yw_errf(err, YW_EINVAL, "current_password", "current_password is wrong");
			goto out;
		}
	}
	if ((rc = acct_password_hash(password, hash, err)) || (rc = db_begin(db, err)))
		goto out;
	detail = json_pack("{s:s, s:b}", "login", u.login, "self", self);
	if ((rc = db_execf(db, err, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
			   "sii", hash, yw_now(), id)) ||
	    (rc = acct_drop_sessions(db, id, self ? keep_sid : NULL, err)) ||
	    (!self && (rc = acct_revoke_tokens(db, a, id, "password_reset", err))) ||
	    (rc = acct_clear_failures(db, key, err)) ||
	    (rc = acct_audit(db, a, "user.password", "user", id, detail, err)) ||
	    (rc = db_commit(db, err)))
		db_rollback(db);
	json_decref(detail);
out:
	sodium_memzero(old, sizeof(old));
	user_row_release(&u);
	return rc;
}

#define USER_COLS "u.id, u.login, u.display_name, u.email, u.phone, u.role, u.org_id, u.disabled," \
		  " u.created_at, u.updated_at, u.version"

static int row_json(struct db *db, struct db_stmt *st, json_t **out, struct yw_err *err)
{
	struct jx_ids groups;
	json_t *ids = json_array();
	int rc;

	*out = json_pack("{s:I, s:s, s:s, s:o, s:o, s:s, s:o, s:b, s:o, s:o, s:I}",
			 "id", (json_int_t)db_col_int(st, 0),
			 "login", db_col_text(st, 1),
			 "display_name", db_col_text(st, 2),
			 "email", jx_str_or_null(db_col_text(st, 3)),
			 "phone", jx_str_or_null(db_col_text(st, 4)),
			 "role", db_col_text(st, 5),
			 "organization_id", jx_id_or_null(db_col_int(st, 6)),
			 "disabled", (int)db_col_int(st, 7),
			 "created_at", jx_time_or_null(db_col_int(st, 8)),
			 "updated_at", jx_time_or_null(db_col_int(st, 9)),
			 "version", (json_int_t)db_col_int(st, 10));
	rc = load_groups(db, db_col_int(st, 0), &groups, err);
	for (size_t i = 0; !rc && i < groups.n; i++)
		json_array_append_new(ids, json_integer(groups.v[i]));
	jx_ids_free(&groups);
	json_object_set_new(*out, "group_ids", ids);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int user_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out,
		  struct yw_err *err)
{
	struct db_stmt *st;
	int64_t org = confined_org(a);
	int rc;

	*out = NULL;
	if ((rc = db_prepare(db, "SELECT " USER_COLS " FROM users u WHERE u.id = ?"
			     " AND (? = 0 OR u.org_id = ?)", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, org);
	db_bind_int(st, 3, org);
	rc = db_step(st, err);
	if (rc == DB_ROW)
		rc = row_json(db, st, out, err);
	else if (rc == DB_DONE)
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no user %" PRId64, id);
	db_done(st);
	return rc;
}

int user_me_json(struct db *db, const struct yw_actor *a, json_t **out, struct yw_err *err)
{
	struct db_stmt *st;
	json_t *groups;
	int rc;

	if ((rc = user_get_json(db, a, a->user_id, out, err)))
		return rc;
	if ((rc = db_prepare(db, "SELECT g.id, g.name FROM groups g JOIN group_members m ON m.group_id = g.id"
			     " WHERE m.user_id = ? ORDER BY g.id", &st, err)))
		goto fail;
	db_bind_int(st, 1, a->user_id);
	groups = json_array();
	while ((rc = db_step(st, err)) == DB_ROW)
		json_array_append_new(groups, json_pack("{s:I, s:s}", "id", (json_int_t)db_col_int(st, 0),
							"name", db_col_text(st, 1)));
	db_done(st);
	json_object_set_new(*out, "groups", groups);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	json_decref(*out);
	*out = NULL;
	return rc;
}

/*
 * Steps st, turning rows into a new array with fn, up to page->limit; sets
 * page->next, and is done with st. On failure *items is NULL.
 */
int user_fill_page(struct db *db, struct db_stmt *st, struct user_page *page, json_t **items,
		   int (*fn)(struct db *, struct db_stmt *, json_t **, struct yw_err *),
		   struct yw_err *err)
{
	int rc, n = 0;
	int64_t last = 0;

	page->next = 0;
	*items = json_array();
	while ((rc = db_step(st, err)) == DB_ROW) {
		json_t *j;
		if (n == page->limit) {
			page->next = last;
			break;
		}
		if ((rc = fn(db, st, &j, err)))
			break;
		json_array_append_new(*items, j);
		last = db_col_int(st, 0);
		n++;
	}
	db_done(st);
	if (rc < 0) {
		json_decref(*items);
		*items = NULL;
		return rc;
	}
	return 0;
}

void user_page_clamp(struct user_page *page)
{
	if (page->limit < 1 || page->limit > 200)
		page->limit = 50;
}

int user_list_json(struct db *db, const struct yw_actor *a, const struct user_filter *f,
		   struct user_page *page, json_t **items, struct yw_err *err)
{
	struct db_stmt *st;
	enum yw_role role;
	int64_t org = confined_org(a);
	char *like = f->q && *f->q ? user_like_pattern(f->q) : NULL;
	int rc;

	*items = NULL;
	user_page_clamp(page);
	if (f->role && acct_role_parse(f->role, &role)) {
		free(like);
		return yw_errf(err, YW_EINVAL, "role",
			       "role must be one of: admin, manager, supervisor, engineer, customer");
	}
	rc = db_prepare(db, "SELECT " USER_COLS " FROM users u WHERE u.id > ?"
			" AND (? = 0 OR u.org_id = ?)"
			" AND (CAST(? AS TEXT) IS NULL OR u.role = ?)"
			" AND (? = 0 OR u.org_id = ?)"
			" AND (? = 0 OR u.id IN (SELECT user_id FROM group_members WHERE group_id = ?))"
			" AND (? < 0 OR u.disabled = ?)"
			" AND (CAST(? AS TEXT) IS NULL OR LOWER(u.login) LIKE ? ESCAPE ?"
			" OR LOWER(u.display_name) LIKE ? ESCAPE ?"
			" OR LOWER(COALESCE(u.email, '')) LIKE ? ESCAPE ?"
			" OR COALESCE(u.phone, '') LIKE ? ESCAPE ?)"
			" ORDER BY u.id LIMIT ?", &st, err);
	if (rc) {
		free(like);
		return rc;
	}
	db_bind_int(st, 1, page->after);
	db_bind_int(st, 2, org);
	db_bind_int(st, 3, org);
	db_bind_text(st, 4, f->role);
	db_bind_text(st, 5, f->role);
	db_bind_int(st, 6, f->org_id);
	db_bind_int(st, 7, f->org_id);
	db_bind_int(st, 8, f->group_id);
	db_bind_int(st, 9, f->group_id);
	db_bind_int(st, 10, f->disabled);
	db_bind_int(st, 11, f->disabled);
	db_bind_text(st, 12, like);
	for (int i = 13; i <= 20; i += 2) {
		db_bind_text(st, i, like);
		db_bind_text(st, i + 1, USER_LIKE_ESCAPE);
	}
	db_bind_int(st, 21, page->limit + 1);
	rc = user_fill_page(db, st, page, items, row_json, err);
	free(like);
	return rc;
}

static int token_json(struct db *db, struct db_stmt *st, json_t **out, struct yw_err *err)
{
	*out = json_pack("{s:I, s:I, s:s, s:o, s:o, s:o}",
			 "id", (json_int_t)db_col_int(st, 0),
			 "user_id", (json_int_t)db_col_int(st, 1),
			 "name", db_col_text(st, 2),
			 "created_at", jx_time_or_null(db_col_int(st, 3)),
			 "last_used_at", jx_time_or_null(db_col_int(st, 4)),
			 "revoked_at", jx_time_or_null(db_col_int(st, 5)));
	return 0;
}

#define TOKEN_COLS "id, user_id, name, created_at, COALESCE(last_used_at, 0), COALESCE(revoked_at, 0)"

int user_token_list_json(struct db *db, const struct yw_actor *a, int64_t user_id,
			 struct user_page *page, json_t **items, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	*items = NULL;
	user_page_clamp(page);
	if (!user_id)
		user_id = a->user_id;
	if (!perm_allows(a, P_TOKEN_READ, &(struct perm_facts){ .owner_id = user_id }))
		return yw_errf(err, YW_EPERM, "user_id", "only an admin may list other users' tokens");
	if ((rc = db_prepare(db, "SELECT " TOKEN_COLS " FROM api_tokens WHERE user_id = ? AND id > ?"
			     " ORDER BY id LIMIT ?", &st, err)))
		return rc;
	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, page->after);
	db_bind_int(st, 3, page->limit + 1);
	rc = user_fill_page(db, st, page, items, token_json, err);
	return rc;
}

int user_token_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out,
			struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = db_prepare(db, "SELECT " TOKEN_COLS " FROM api_tokens WHERE id = ?"
			     " AND (? = 1 OR user_id = ?)", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, a->role == ROLE_ADMIN);
	db_bind_int(st, 3, a->user_id);
	rc = db_step(st, err);
	if (rc == DB_ROW)
		rc = token_json(db, st, out, err);
	else if (rc == DB_DONE)
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no token %" PRId64, id);
	db_done(st);
	return rc;
}

static int audit_json(struct db *db, struct db_stmt *st, json_t **out, struct yw_err *err)
{
	const char *text = db_col_text(st, 7);
	json_t *detail = text ? json_loads(text, 0, NULL) : NULL;

	*out = json_pack("{s:I, s:o, s:o, s:o, s:s, s:o, s:o, s:o, s:o}",
			 "id", (json_int_t)db_col_int(st, 0),
			 "at", jx_time_or_null(db_col_int(st, 1)),
			 "actor_id", jx_id_or_null(db_col_int(st, 2)),
			 "actor_login", jx_str_or_null(db_col_text(st, 3)),
			 "action", db_col_text(st, 4),
			 "target_type", jx_str_or_null(db_col_text(st, 5)),
			 "target_id", jx_id_or_null(db_col_int(st, 6)),
			 "detail", detail ? detail : json_null(),
			 "ip", jx_str_or_null(db_col_text(st, 8)));
	return 0;
}

int user_audit_list_json(struct db *db, const struct yw_actor *a, const struct user_audit_filter *f,
			 struct user_page *page, json_t **items, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	*items = NULL;
	user_page_clamp(page);
	if ((rc = perm_check(a, P_AUDIT_READ, NULL, err)))
		return rc;
	if ((rc = db_prepare(db, "SELECT l.id, l.at, COALESCE(l.actor_id, 0), u.login, l.action, l.target_type,"
			     " COALESCE(l.target_id, 0), l.detail, l.ip"
			     " FROM audit_log l LEFT JOIN users u ON u.id = l.actor_id"
			     " WHERE (? = 0 OR l.id < ?)"
			     " AND (CAST(? AS TEXT) IS NULL OR l.action = ?)"
			     " AND (? = 0 OR (? = -1 AND l.actor_id IS NULL) OR l.actor_id = ?)"
			     " AND (CAST(? AS TEXT) IS NULL OR l.target_type = ?)"
			     " AND (? = 0 OR l.target_id = ?)"
			     " ORDER BY l.id DESC LIMIT ?", &st, err)))
		return rc;
	db_bind_int(st, 1, page->after);
	db_bind_int(st, 2, page->after);
	db_bind_text(st, 3, f->action);
	db_bind_text(st, 4, f->action);
	db_bind_int(st, 5, f->actor_id);
	db_bind_int(st, 6, f->actor_id);
	db_bind_int(st, 7, f->actor_id);
	db_bind_text(st, 8, f->target_type);
	db_bind_text(st, 9, f->target_type);
	db_bind_int(st, 10, f->target_id);
	db_bind_int(st, 11, f->target_id);
	db_bind_int(st, 12, page->limit + 1);
	rc = user_fill_page(db, st, page, items, audit_json, err);
	return rc;
}
