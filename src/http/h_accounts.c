/*
 * h_accounts.c - login and logout, the caller's own record, users,
 * groups, organisations, categories, API tokens and the audit log.
 *
 * Handlers decode (jx_decode with the domain's field tables), call the
 * domain with the caller, and encode; every rule lives in the domain.
 */
#include "../core/yw.h"
#include "../core/strbuf.h"
#include "../store/db.h"
#include "../domain/account/user.h"
#include "../domain/directory/org.h"
#include "../domain/directory/grp.h"
#include "../domain/directory/cat.h"
#include "http.h"
#include <sodium.h>

#define COOKIE_ATTRS "; Path=/; HttpOnly; SameSite=Lax"

/* for the handlers that take no query parameters: any is a 400 */
static const char *const no_params[] = { NULL };

/* ---- lists: ?limit= and the opaque ?cursor= (base64url of the last key) */

static int page_from_query(struct http_req *r, struct user_page *page)
{
	int64_t limit = 50;
	int rc;

	memset(page, 0, sizeof(*page));
	if ((rc = http_query_int(r, "limit", 1, 200, &limit)))
		return rc;
	page->limit = (int)limit;
	return http_query_cursor(r, &page->after);
}

static int send_list(struct http_req *r, json_t *items, const struct user_page *page)
{
	return http_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", http_cursor_json(page->next)));
}

/* A boolean query parameter: absent leaves *out (-1), else "true"/"false". */
static int query_bool(struct http_req *r, const char *name, int *out)
{
	const char *v = http_query(r, name);

	if (!v)
		return 0;
	if (!strcmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return yw_errf(&r->err, YW_EINVAL, name, "%s must be true or false", name);
	return 0;
}

#define MAX_ID ((int64_t)1 << 53)

/* Decodes r->body per a domain table; *set gets the fields seen. */
static int decode(struct http_req *r, const struct jx_field *fields, size_t n, void *in, uint64_t *set)
{
	return jx_decode(r->body, fields, n, in, set, &r->err);
}

/* ---- auth */

struct login_input {
	const char *username, *password;
};

static const struct jx_field login_fields[] = {
	{ "username", JX_STR, JX_REQUIRED, 1, 200, offsetof(struct login_input, username), NULL },
	{ "password", JX_STR, JX_REQUIRED, 0, 1024, offsetof(struct login_input, password), NULL },
};

static int login(struct http_req *r)
{
	struct login_input in = { 0 };
	char sid[ACCT_SECRET_LEN], csrf[ACCT_SECRET_LEN], cookie[160], ra[24];
	int64_t retry = 0;
	json_t *me;
	int rc;

	if ((rc = http_query_check(r, no_params)) ||
	    (rc = decode(r, login_fields, ARRAY_SIZE(login_fields), &in, NULL)))
		return rc;
	rc = acct_login(r->db, in.username, in.password, r->actor.ip, sid, csrf, &r->actor, &retry, &r->err);
	if (rc == YW_ETHROTTLE) {
		snprintf(ra, sizeof(ra), "%" PRId64, retry);
		http_header(r, "retry-after", ra);
	}
	if (rc)
		return rc;
	if ((rc = user_me_json(r->db, &r->actor, &me, &r->err)))
		return rc;
	snprintf(cookie, sizeof(cookie), "yw_session=%s" COOKIE_ATTRS "; Max-Age=%d", sid, ACCT_SESSION_TTL);
	http_set_cookie(r, cookie);
	sodium_memzero(sid, sizeof(sid));
	return http_json(r, 200, json_pack("{s:o, s:s}", "user", me, "csrf_token", csrf));
}

static int logout(struct http_req *r)
{
	int rc;

	if ((rc = http_query_check(r, no_params)))
		return rc;
	if (r->via_cookie) {
		if ((rc = acct_logout(r->db, r->sid, &r->actor, &r->err)))
			return rc;
		http_set_cookie(r, "yw_session=" COOKIE_ATTRS "; Max-Age=0");
	}
	return http_send(r, 204, "application/json; charset=utf-8", "", 0);
}

static int me(struct http_req *r)
{
	static const char *const allowed[] = { NULL };
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, allowed)) || (rc = user_me_json(r->db, &r->actor, &j, &r->err)))
		return rc;
	if (r->via_cookie)
		json_object_set_new(j, "csrf_token", json_string(r->csrf));
	return http_json(r, 200, j);
}

/* ---- users */

static int list_users(struct http_req *r)
{
	static const char *const allowed[] = { "q", "role", "organization", "group", "disabled", "limit",
					       "cursor", NULL };
	struct user_filter f = { http_query(r, "q"), http_query(r, "role"), 0, 0, -1 };
	struct user_page page;
	json_t *items;
	int rc;

	if ((rc = http_query_check(r, allowed)) || (rc = page_from_query(r, &page)) ||
	    (rc = http_query_int(r, "organization", 1, MAX_ID, &f.org_id)) ||
	    (rc = http_query_int(r, "group", 1, MAX_ID, &f.group_id)) ||
	    (rc = query_bool(r, "disabled", &f.disabled)) ||
	    (rc = user_list_json(r->db, &r->actor, &f, &page, &items, &r->err)))
		return rc;
	return send_list(r, items, &page);
}

static int send_user(struct http_req *r, int status, int64_t id)
{
	json_t *j;
	int rc = user_get_json(r->db, &r->actor, id, &j, &r->err);
	return rc ? rc : http_json(r, status, j);
}

static int create_user(struct http_req *r)
{
	struct user_input in = { 0 };
	int64_t id;
	int rc;

	if (!(rc = http_query_check(r, no_params)) &&
	    !(rc = decode(r, user_create_fields, user_create_nfields, &in, &in.set)))
		rc = user_create(r->db, &r->actor, &in, &id, &r->err);
	jx_ids_free(&in.group_ids);
	return rc ? rc : send_user(r, 201, id);
}

static int get_user(struct http_req *r)
{
	int rc = http_query_check(r, no_params);
	return rc ? rc : send_user(r, 200, r->id);
}

static int patch_user(struct http_req *r)
{
	struct user_input in = { 0 };
	int64_t version;
	int rc;

	if (!(rc = http_query_check(r, no_params)) && !(rc = http_if_match(r, &version)) &&
	    !(rc = decode(r, user_patch_fields, user_patch_nfields, &in, &in.set)))
		rc = user_update(r->db, &r->actor, r->id, version, &in, &r->err);
	jx_ids_free(&in.group_ids);
	return rc ? rc : send_user(r, 200, r->id);
}

struct password_input {
	const char *password, *current_password;
};

static const struct jx_field password_fields[] = {
	{ "password", JX_STR, JX_REQUIRED, 0, 1024, offsetof(struct password_input, password), NULL },
	{ "current_password", JX_STR, 0, 0, 1024, offsetof(struct password_input, current_password), NULL },
};

static int set_password(struct http_req *r)
{
	struct password_input in = { 0 };
	int64_t retry = 0;
	char ra[24];
	int rc;

	if ((rc = http_query_check(r, no_params)) ||
	    (rc = decode(r, password_fields, ARRAY_SIZE(password_fields), &in, NULL)))
		return rc;
	rc = user_set_password(r->db, &r->actor, r->id, in.password, in.current_password,
			       r->via_cookie ? r->sid : NULL, &retry, &r->err);
	if (rc == YW_ETHROTTLE) {
		snprintf(ra, sizeof(ra), "%" PRId64, retry);
		http_header(r, "retry-after", ra);
	}
	if (rc)
		return rc;
	return http_send(r, 204, "application/json; charset=utf-8", "", 0);
}

/* ---- groups */

static int list_groups(struct http_req *r)
{
	static const char *const allowed[] = { "q", "limit", "cursor", NULL };
	struct user_page page;
	json_t *items;
	int rc;

	if ((rc = http_query_check(r, allowed)) || (rc = page_from_query(r, &page)) ||
	    (rc = grp_list_json(r->db, &r->actor, http_query(r, "q"), &page, &items, &r->err)))
		return rc;
	return send_list(r, items, &page);
}

static int send_group(struct http_req *r, int status, int64_t id)
{
	json_t *j;
	int rc = grp_get_json(r->db, &r->actor, id, &j, &r->err);
	return rc ? rc : http_json(r, status, j);
}

static int create_group(struct http_req *r)
{
	struct grp_input in = { 0 };
	int64_t id;
	int rc;

	if (!(rc = http_query_check(r, no_params)) &&
	    !(rc = decode(r, grp_create_fields, grp_create_nfields, &in, &in.set)))
		rc = grp_create(r->db, &r->actor, &in, &id, &r->err);
	jx_ids_free(&in.member_ids);
	return rc ? rc : send_group(r, 201, id);
}

static int get_group(struct http_req *r)
{
	int rc = http_query_check(r, no_params);
	return rc ? rc : send_group(r, 200, r->id);
}

static int patch_group(struct http_req *r)
{
	struct grp_input in = { 0 };
	int64_t version;
	int rc;

	if (!(rc = http_query_check(r, no_params)) && !(rc = http_if_match(r, &version)) &&
	    !(rc = decode(r, grp_patch_fields, grp_patch_nfields, &in, &in.set)))
		rc = grp_update(r->db, &r->actor, r->id, version, &in, &r->err);
	jx_ids_free(&in.member_ids);
	return rc ? rc : send_group(r, 200, r->id);
}

/* ---- organisations */

static int list_orgs(struct http_req *r)
{
	static const char *const allowed[] = { "q", "active", "limit", "cursor", NULL };
	struct user_page page;
	int active = -1;
	json_t *items;
	int rc;

	if ((rc = http_query_check(r, allowed)) || (rc = page_from_query(r, &page)) ||
	    (rc = query_bool(r, "active", &active)) ||
	    (rc = org_list_json(r->db, &r->actor, http_query(r, "q"), active, &page, &items, &r->err)))
		return rc;
	return send_list(r, items, &page);
}

static int send_org(struct http_req *r, int status, int64_t id)
{
	json_t *j;
	int rc = org_get_json(r->db, &r->actor, id, &j, &r->err);
	return rc ? rc : http_json(r, status, j);
}

static int create_org(struct http_req *r)
{
	struct org_input in = { 0 };
	int64_t id;
	int rc;

	if ((rc = http_query_check(r, no_params)) || (rc = decode(r, org_create_fields, org_create_nfields, &in, &in.set)) ||
	    (rc = org_create(r->db, &r->actor, &in, &id, &r->err)))
		return rc;
	return send_org(r, 201, id);
}

static int get_org(struct http_req *r)
{
	int rc = http_query_check(r, no_params);
	return rc ? rc : send_org(r, 200, r->id);
}

static int patch_org(struct http_req *r)
{
	struct org_input in = { 0 };
	int64_t version;
	int rc;

	if ((rc = http_query_check(r, no_params)) || (rc = http_if_match(r, &version)) ||
	    (rc = decode(r, org_patch_fields, org_patch_nfields, &in, &in.set)) ||
	    (rc = org_update(r->db, &r->actor, r->id, version, &in, &r->err)))
		return rc;
	return send_org(r, 200, r->id);
}

static int org_contacts(struct http_req *r)
{
	static const char *const allowed[] = { "limit", "cursor", NULL };
	struct user_page page;
	json_t *items;
	int rc;

	if ((rc = http_query_check(r, allowed)) || (rc = page_from_query(r, &page)) ||
	    (rc = org_contacts_json(r->db, &r->actor, r->id, &page, &items, &r->err)))
		return rc;
	return send_list(r, items, &page);
}

/* ---- categories */

static int list_cats(struct http_req *r)
{
	static const char *const allowed[] = { "active", "limit", "cursor", NULL };
	struct user_page page;
	int active = -1;
	json_t *items;
	int rc;

	if ((rc = http_query_check(r, allowed)) || (rc = page_from_query(r, &page)) ||
	    (rc = query_bool(r, "active", &active)) ||
	    (rc = cat_list_json(r->db, &r->actor, active, &page, &items, &r->err)))
		return rc;
	return send_list(r, items, &page);
}

static int send_cat(struct http_req *r, int status, int64_t id)
{
	json_t *j;
	int rc = cat_get_json(r->db, &r->actor, id, &j, &r->err);
	return rc ? rc : http_json(r, status, j);
}

static int create_cat(struct http_req *r)
{
	struct cat_input in = { 0 };
	int64_t id;
	int rc;

	if ((rc = http_query_check(r, no_params)) || (rc = decode(r, cat_create_fields, cat_create_nfields, &in, &in.set)) ||
	    (rc = cat_create(r->db, &r->actor, &in, &id, &r->err)))
		return rc;
	return send_cat(r, 201, id);
}

static int get_cat(struct http_req *r)
{
	int rc = http_query_check(r, no_params);
	return rc ? rc : send_cat(r, 200, r->id);
}

static int patch_cat(struct http_req *r)
{
	struct cat_input in = { 0 };
	int64_t version;
	int rc;

	if ((rc = http_query_check(r, no_params)) || (rc = http_if_match(r, &version)) ||
	    (rc = decode(r, cat_patch_fields, cat_patch_nfields, &in, &in.set)) ||
	    (rc = cat_update(r->db, &r->actor, r->id, version, &in, &r->err)))
		return rc;
	return send_cat(r, 200, r->id);
}

/* ---- tokens */

static int list_tokens(struct http_req *r)
{
	static const char *const allowed[] = { "user_id", "limit", "cursor", NULL };
	struct user_page page;
	int64_t uid = 0;
	json_t *items;
	int rc;

	if ((rc = http_query_check(r, allowed)) || (rc = page_from_query(r, &page)) ||
	    (rc = http_query_int(r, "user_id", 1, MAX_ID, &uid)) ||
	    (rc = user_token_list_json(r->db, &r->actor, uid, &page, &items, &r->err)))
		return rc;
	return send_list(r, items, &page);
}

struct token_input {
	const char *name;
	int64_t user_id;
};

static const struct jx_field token_fields[] = {
	{ "name", JX_STR, JX_REQUIRED, 1, 100, offsetof(struct token_input, name), NULL },
	{ "user_id", JX_ID, 0, 0, 0, offsetof(struct token_input, user_id), NULL },
};

static int create_token(struct http_req *r)
{
	struct token_input in = { 0 };
	char token[ACCT_TOKEN_LEN];
	int64_t id;
	json_t *j;
	int rc;

	if ((rc = http_query_check(r, no_params)) || (rc = decode(r, token_fields, ARRAY_SIZE(token_fields), &in, NULL)) ||
	    (rc = acct_token_create(r->db, &r->actor, in.user_id ? in.user_id : r->actor.user_id, in.name,
				    token, &id, &r->err)) ||
	    (rc = user_token_get_json(r->db, &r->actor, id, &j, &r->err)))
		return rc;
	json_object_set_new(j, "token", json_string(token));
	sodium_memzero(token, sizeof(token));
	return http_json(r, 201, j);
}

static int revoke_token(struct http_req *r)
{
	int rc;

	if ((rc = http_query_check(r, no_params)) || (rc = acct_token_revoke(r->db, &r->actor, r->id, &r->err)))
		return rc;
	return http_send(r, 204, "application/json; charset=utf-8", "", 0);
}

/* ---- audit log */

static int list_audit(struct http_req *r)
{
	static const char *const allowed[] = { "action", "actor", "target_type", "target_id", "limit",
					       "cursor", NULL };
	struct user_audit_filter f = { http_query(r, "action"), 0, http_query(r, "target_type"), 0 };
	const char *actor = http_query(r, "actor");
	struct user_page page;
	json_t *items;
	int rc;

	if ((rc = http_query_check(r, allowed)) || (rc = page_from_query(r, &page)) ||
	    (rc = http_query_int(r, "target_id", 1, MAX_ID, &f.target_id)))
		return rc;
	if (actor && !strcmp(actor, "system")) {
		f.actor_id = -1;
	} else if (actor && strspn(actor, "0123456789") == strlen(actor) && *actor) {
		if ((rc = http_query_int(r, "actor", 1, MAX_ID, &f.actor_id)))
			return rc;
	} else if (actor && acct_find_user(r->db, actor, &f.actor_id, &r->err)) {
		return yw_errf(&r->err, YW_EINVAL, "actor", "actor must be a user id, a login or system");
	}
	if ((rc = user_audit_list_json(r->db, &r->actor, &f, &page, &items, &r->err)))
		return rc;
	return send_list(r, items, &page);
}

const struct http_route http_routes_accounts[] = {
	{ "POST", "/api/v1/auth/login", login, HR_PUBLIC | HR_JSON | HR_NOCSRF | HR_SMALL, "log in; sets the session cookie", P_SESSION_CREATE },
	{ "POST", "/api/v1/auth/logout", logout, 0, "log out; deletes the session", P_SESSION_DELETE },
	{ "GET", "/api/v1/me", me, 0, "the caller's own record, groups and CSRF token", P_ME_READ },
	{ "GET", "/api/v1/users", list_users, 0, "list users", P_USER_READ },
	{ "POST", "/api/v1/users", create_user, HR_JSON, "create a user", P_USER_CREATE },
	{ "GET", "/api/v1/users/{id}", get_user, 0, "get a user", P_USER_READ },
	{ "PATCH", "/api/v1/users/{id}", patch_user, HR_JSON, "change a user", P_USER_UPDATE },
	{ "POST", "/api/v1/users/{id}/password", set_password, HR_JSON, "set a user's password", P_USER_PASSWORD },
	{ "GET", "/api/v1/groups", list_groups, 0, "list support groups", P_GROUP_READ },
	{ "POST", "/api/v1/groups", create_group, HR_JSON, "create a support group", P_GROUP_CREATE },
	{ "GET", "/api/v1/groups/{id}", get_group, 0, "get a support group", P_GROUP_READ },
	{ "PATCH", "/api/v1/groups/{id}", patch_group, HR_JSON, "change a support group", P_GROUP_UPDATE },
	{ "GET", "/api/v1/organizations", list_orgs, 0, "list organizations", P_ORG_READ },
	{ "POST", "/api/v1/organizations", create_org, HR_JSON, "create an organization", P_ORG_CREATE },
	{ "GET", "/api/v1/organizations/{id}", get_org, 0, "get an organization", P_ORG_READ },
	{ "PATCH", "/api/v1/organizations/{id}", patch_org, HR_JSON, "change an organization", P_ORG_UPDATE },
	{ "GET", "/api/v1/organizations/{id}/contacts", org_contacts, 0, "an organization's customer users", P_ORG_READ },
	{ "GET", "/api/v1/categories", list_cats, 0, "list categories", P_CATEGORY_READ },
	{ "POST", "/api/v1/categories", create_cat, HR_JSON, "create a category", P_CATEGORY_CREATE },
	{ "GET", "/api/v1/categories/{id}", get_cat, 0, "get a category", P_CATEGORY_READ },
	{ "PATCH", "/api/v1/categories/{id}", patch_cat, HR_JSON, "change a category", P_CATEGORY_UPDATE },
	{ "GET", "/api/v1/tokens", list_tokens, 0, "list API tokens", P_TOKEN_READ },
	{ "POST", "/api/v1/tokens", create_token, HR_JSON, "create an API token (the secret is shown once)", P_TOKEN_CREATE },
	{ "DELETE", "/api/v1/tokens/{id}", revoke_token, 0, "revoke an API token", P_TOKEN_DELETE },
	{ "GET", "/api/v1/audit", list_audit, 0, "the audit log, newest first", P_AUDIT_READ },
	{ NULL, NULL, NULL, 0, NULL, P_UNSET },
};
