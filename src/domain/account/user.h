/*
 * user.h - user accounts: create, read, list, change, passwords; and the
 * lists that belong to accounts: a user's API tokens and the audit log.
 *
 * Who may do what (every call checks, the caller only says who it is):
 *   - admin: everything; role changes, password changes, disable/enable
 *     and token changes are written to the audit log in the same
 *     transaction as the change.
 *   - manager, supervisor, engineer: read every user.
 *   - customer: reads only the users of its own organisation; any other
 *     user is YW_ENOTFOUND, as if it did not exist.
 *   - anyone: changes its own password (with the current one) and lists
 *     and revokes its own tokens.
 *   - audit log: manager and admin.
 *
 * Input comes as a struct user_input, filled either by jx_decode() with
 * user_create_fields / user_patch_fields (the HTTP layer) or by hand (the
 * CLI). `set` holds the USER_F_* bits of the fields that were given: the
 * tables are ordered so that jx_decode()'s `seen` mask is exactly `set`.
 * Strings are borrowed for the duration of the call.
 */
#ifndef YW_USER_H
#define YW_USER_H

#include "../../core/jx.h"
#include "acct.h"

struct db;

enum {
	USER_F_DISPLAY_NAME = 1 << 0,
	USER_F_EMAIL = 1 << 1,
	USER_F_PHONE = 1 << 2,
	USER_F_ROLE = 1 << 3,
	USER_F_ORG = 1 << 4,
	USER_F_GROUPS = 1 << 5,
	USER_F_DISABLED = 1 << 6,
	USER_F_LOGIN = 1 << 7,     /* create only */
	USER_F_PASSWORD = 1 << 8,  /* create only */
};

struct user_input {
	const char *display_name;
	const char *email;          /* NULL: none */
	const char *phone;          /* NULL: none */
	const char *role;           /* "admin" ... "customer" */
	int64_t organization_id;    /* 0: none */
	struct jx_ids group_ids;    /* owned: free with jx_ids_free */
	bool disabled;
	const char *login;
	const char *password;
	uint64_t set;
};

/* The JSON bodies of POST /users and PATCH /users/{id}. */
extern const struct jx_field user_create_fields[];
extern const size_t user_create_nfields;
extern const struct jx_field user_patch_fields[];
extern const size_t user_patch_nfields;

/*
 * Validation of single values, shared with organisations. Each returns 0
 * or YW_EINVAL with err naming field.
 *   login: 1..64 characters of [A-Za-z0-9._@-]
 *   email: at most 254 characters, something@something.something, no spaces
 *   phone: 1..32 characters of digits, '+', '-' and spaces, with a digit
 */
int user_check_login(const char *login, struct yw_err *err);
int user_check_email(const char *field, const char *email, struct yw_err *err);
int user_check_phone(const char *field, const char *phone, struct yw_err *err);

/*
 * A LIKE pattern that finds q anywhere, lower-cased, with %, _ and \
 * escaped by a backslash. Use it with "LIKE ? ESCAPE ?", USER_LIKE_ESCAPE
 * bound to the second: a backslash written in the SQL text is read
 * differently by SQLite and PostgreSQL (whose LIKE also takes it as the
 * escape by default), a bound one the same by both. Caller frees.
 */
#define USER_LIKE_ESCAPE "\\"

char *user_like_pattern(const char *q);

/* Creates a user (admin only). *id gets the new id. */
int user_create(struct db *db, const struct yw_actor *a, const struct user_input *in, int64_t *id,
		struct yw_err *err);
/*
 * Changes the fields in in->set (admin only). version is the one the
 * caller read: YW_ESTALE when the record has moved on. Disabling deletes
 * the user's sessions and revokes its API tokens (acct_revoke_tokens);
 * enabling it again brings neither back. The last active admin can be neither disabled nor
 * demoted (YW_ECONFLICT), so the department cannot lock itself out.
 */
int user_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
		const struct user_input *in, struct yw_err *err);
/* Disables or enables a user by id, whatever its version (the CLI). */
int user_set_disabled(struct db *db, const struct yw_actor *a, int64_t id, bool disabled,
		      struct yw_err *err);

/*
 * Sets a password. For the caller's own account current must be the
 * present password (YW_EINVAL, field current_password, when wrong) and
 * the other sessions are deleted, keeping keep_sid (the caller's own
 * cookie; NULL for none); the user's API tokens are kept, since scripts
 * run on them and the user can revoke any of them alone. An admin sets
 * anyone else's without current: a reset, which deletes all of that
 * user's sessions and revokes all its API tokens in the same transaction
 * (the account may be compromised). The CLI passes acct_system, so a
 * reset from the CLI is an admin's. A wrong current password is counted
 * and audited (user.password.failed) like a failed login, under the key
 * "pw:<id>": after ACCT_MAX_FAILURES within ACCT_FAILURE_WINDOW the next
 * attempts are YW_ETHROTTLE with *retry_after (seconds) set, and write
 * nothing; the failure that reached the limit also wrote
 * user.password.throttled.
 */
int user_set_password(struct db *db, const struct yw_actor *a, int64_t id, const char *password,
		      const char *current, const char *keep_sid, int64_t *retry_after, struct yw_err *err);

/*
 * A user record as JSON: id, login, display_name, email, phone, role,
 * organization_id, group_ids, disabled, created_at, updated_at, version.
 * YW_ENOTFOUND when absent or not visible to a.
 */
int user_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out,
		  struct yw_err *err);
/* The caller's own record with "groups": [{id, name}]. */
int user_me_json(struct db *db, const struct yw_actor *a, json_t **out, struct yw_err *err);

/* One page of a list: ids after `after`, at most `limit` (1..200). */
struct user_page {
	int64_t after;   /* 0: from the start (the audit log: newest first, ids before it) */
	int limit;
	int64_t next;    /* out: the cursor key of the next page, 0 when this was the last */
};

struct user_filter {
	const char *q;          /* matches login, display_name, phone or email */
	const char *role;       /* NULL: any */
	int64_t org_id;         /* 0: any */
	int64_t group_id;       /* 0: any */
	int disabled;           /* -1: any, 0, 1 */
};

/* A limit outside 1..200 becomes the default, 50. */
void user_page_clamp(struct user_page *page);
/*
 * Steps st, turning each row into JSON with fn (its column 0 is the id),
 * into a new array *items, up to page->limit of them; a further row sets
 * page->next. Is done with st; on failure *items is NULL. For the lists of
 * the account modules, which select limit + 1 rows.
 */
struct db_stmt;
int user_fill_page(struct db *db, struct db_stmt *st, struct user_page *page, json_t **items,
		   int (*fn)(struct db *, struct db_stmt *, json_t **, struct yw_err *),
		   struct yw_err *err);

/*
 * For audit details: adds {"old": ..., "new": ...} under name to changes
 * when the values differ (ids of 0 and NULL strings are null).
 */
void user_diff_str(json_t *changes, const char *name, const char *old, const char *new);
void user_diff_int(json_t *changes, const char *name, int64_t old, int64_t new, bool is_bool);

/* Users visible to a that match f, ordered by id. *items is a new array. */
int user_list_json(struct db *db, const struct yw_actor *a, const struct user_filter *f,
		   struct user_page *page, json_t **items, struct yw_err *err);

/*
 * API tokens: a record is id, user_id, name, created_at, last_used_at,
 * revoked_at; the secret is never stored. user_id 0 lists the caller's
 * own; another user's tokens are listed only for an admin (YW_EPERM).
 */
int user_token_list_json(struct db *db, const struct yw_actor *a, int64_t user_id,
			 struct user_page *page, json_t **items, struct yw_err *err);
int user_token_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out,
			struct yw_err *err);

/*
 * The audit log, newest first (manager and admin; others YW_EPERM).
 * Records: id, at, actor_id, actor_login, action, target_type, target_id,
 * detail (the JSON written with it, or null), ip.
 */
struct user_audit_filter {
	const char *action;       /* exact action, e.g. "user.role" */
	int64_t actor_id;         /* 0: any; -1: the system (no user) */
	const char *target_type;
	int64_t target_id;        /* 0: any */
};
int user_audit_list_json(struct db *db, const struct yw_actor *a, const struct user_audit_filter *f,
			 struct user_page *page, json_t **items, struct yw_err *err);

#endif
