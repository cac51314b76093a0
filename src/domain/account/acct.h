/*
 * acct.h - who is calling: roles, passwords, sessions, bearer tokens,
 * login throttling and the global audit log.
 *
 * Every domain call takes the caller as a struct yw_actor and decides for
 * itself what that caller may see and do; the HTTP and CLI layers only
 * establish who the caller is.
 */
#ifndef YW_ACCT_H
#define YW_ACCT_H

#include "../../core/err.h"
#include <jansson.h>

struct db;

enum yw_role {
	ROLE_NONE = 0,
	ROLE_CUSTOMER,    /* 客户: sees only its organisation's records */
	ROLE_ENGINEER,    /* 运维人员: works tickets */
	ROLE_SUPERVISOR,  /* 运维主管: also reassigns and re-grades in its groups */
	ROLE_MANAGER,     /* 运维经理: sees and does everything in the desk */
	ROLE_ADMIN,       /* manages accounts and configuration */
};

struct yw_actor {
	int64_t user_id;      /* 0: nobody (not logged in) */
	enum yw_role role;
	int64_t org_id;       /* a customer's organisation, 0 for staff */
	char login[64];
	char ip[64];          /* where the request came from, for the audit log */
};

/* The system itself (migrations, the scheduler, demo data). */
extern const struct yw_actor acct_system;

const char *acct_role_name(enum yw_role role);
/* Returns 0 and sets *role, or YW_EINVAL. */
int acct_role_parse(const char *name, enum yw_role *role);
/* Engineers, supervisors, managers and admins: the department's own people. */
bool acct_is_staff(const struct yw_actor *a);

/* argon2id; out gets a NUL-terminated encoded hash (crypto_pwhash_STRBYTES). */
#define ACCT_HASH_MAX 128
int acct_password_hash(const char *password, char out[ACCT_HASH_MAX], struct yw_err *err);
/*
 * Checks the password policy: valid UTF-8 of 8..128 characters (code
 * points, not bytes), so at most ACCT_PASSWORD_MAX_BYTES bytes.
 */
#define ACCT_PASSWORD_MIN 8
#define ACCT_PASSWORD_MAX 128
#define ACCT_PASSWORD_MAX_BYTES (ACCT_PASSWORD_MAX * 4)
int acct_password_check(const char *password, struct yw_err *err);

/*
 * Login with throttling. Failures are counted per (login, client address)
 * and per address: after ACCT_MAX_FAILURES failed attempts within
 * ACCT_FAILURE_WINDOW seconds for one login from one address, that login
 * is refused from that address only (YW_ETHROTTLE, *retry_after set) until
 * the window ends, so no one can lock the owner, or the admin, out from
 * everywhere; other users there and the owner elsewhere log in as usual.
 * After ACCT_MAX_ADDR_FAILURES failures from one address, whatever the
 * logins, every login from it is refused: password spraying (one guess
 * for each of many logins) meets this limit instead. An IPv6 address
 * counts by its /64 (ipnet_throttle_key).
 *
 * ACCT_MAX_ADDR_FAILURES is 50: a whole office behind one NAT or proxy
 * address mistyping now and then stays far below it (ten people with
 * five typos each in a quarter of an hour), while a sprayer gets 50
 * guesses in 15 minutes from an address, against the department's
 * few hundred logins, each guess an argon2id verification.
 *
 * Every failure and success is audited (login.failed, login); the failure
 * that starts a throttle also writes login.throttled, with "scope" login
 * or address. Refused attempts write nothing at all, and after the first
 * read nothing either (acct.c keeps the refused keys in memory, counting
 * them), so a flood of them costs the store nothing; the audit row of the
 * key's first attempt after the throttle lifted tells how many it refused
 * (detail refused_while_throttled, refused_from_address). On success creates a session:
 * sid (the cookie value) and csrf are random, base64url, and only the
 * session's hash is stored.
 */
#define ACCT_MAX_FAILURES 5
#define ACCT_MAX_ADDR_FAILURES 50
#define ACCT_FAILURE_WINDOW 900
#define ACCT_SESSION_TTL (12 * 3600)
#define ACCT_SECRET_LEN 44   /* base64url of 32 random bytes, with NUL */
int acct_login(struct db *db, const char *login, const char *password, const char *ip,
	       char sid[ACCT_SECRET_LEN], char csrf[ACCT_SECRET_LEN], struct yw_actor *out,
	       int64_t *retry_after, struct yw_err *err);
int acct_logout(struct db *db, const char *sid, const struct yw_actor *a, struct yw_err *err);

/*
 * The login throttle for other guesses of a password (a key such as
 * "pw:<user id>" for current_password): acct_throttled() is true, with
 * *retry_after in seconds, once key has ACCT_MAX_FAILURES failures within
 * ACCT_FAILURE_WINDOW; it writes nothing. acct_note_failure() counts one,
 * in the caller's transaction, and sets *tripped when that one reached the
 * limit (audit the throttle then, once a window); acct_clear_failures()
 * forgets them.
 */
bool acct_throttled(struct db *db, const char *key, int64_t *retry_after);
int acct_note_failure(struct db *db, const char *key, bool *tripped, struct yw_err *err);
int acct_clear_failures(struct db *db, const char *key, struct yw_err *err);

/* Resolve a session cookie or a bearer token; YW_EAUTH when unknown, expired or disabled. */
int acct_auth_session(struct db *db, const char *sid, struct yw_actor *out,
		      char csrf[ACCT_SECRET_LEN], struct yw_err *err);
/*
 * A bearer token also records when it was last used (api_tokens.last_used_at),
 * at most once per ACCT_TOKEN_TOUCH seconds. acct_auth_bearer() only
 * reads, so it may run in the request's read transaction; when the time
 * is due it sets *touch to the token's id (else 0), and the caller then
 * calls acct_token_touch() outside any read transaction (a deferred read
 * transaction cannot always take the write lock), or inside a batch
 * (db_batch_begin), where it writes in a part of its own. A failed write
 * is logged and does not refuse the token.
 */
#define ACCT_TOKEN_TOUCH 60
int acct_auth_bearer(struct db *db, const char *token, struct yw_actor *out, int64_t *touch, struct yw_err *err);
void acct_token_touch(struct db *db, int64_t token_id);

/* Creates a token for a user; token gets the secret (shown once). Audited. */
#define ACCT_TOKEN_LEN 52   /* "yw_" + base64url(32) + NUL, rounded */
int acct_token_create(struct db *db, const struct yw_actor *by, int64_t user_id, const char *name,
		      char token[ACCT_TOKEN_LEN], int64_t *id, struct yw_err *err);
int acct_token_revoke(struct db *db, const struct yw_actor *by, int64_t id, struct yw_err *err);

/*
 * Appends to the global audit log (logins, role and token changes,
 * account changes). detail is borrowed. Runs inside the caller's
 * transaction when there is one.
 */
int acct_audit(struct db *db, const struct yw_actor *a, const char *action, const char *target_type,
	       int64_t target_id, json_t *detail, struct yw_err *err);

/* Loads a user as an actor (for the CLI acting as a named user). */
int acct_load_actor(struct db *db, int64_t user_id, struct yw_actor *out, struct yw_err *err);
/*
 * A user's display name as tickets show it: "" for an unknown id, NULL
 * for 0 or when the store fails. Kept per connection while the 'auth'
 * generation stands (every write to users changes it); the string is
 * valid until the next call on the same connection.
 */
const char *acct_user_name(struct db *db, int64_t user_id);
int acct_find_user(struct db *db, const char *login, int64_t *user_id, struct yw_err *err);

/*
 * On a database with no users, creates `admin` with the given password
 * (or a generated one, written to generated, which must hold 33 bytes).
 * Returns 1 when it created the user, 0 when users already existed.
 */
int acct_bootstrap_admin(struct db *db, const char *password, char *generated, struct yw_err *err);

/*
 * Deletes a user's sessions, all but keep_sid (a cookie value; NULL: all).
 * For password changes and disabling; runs in the caller's transaction.
 */
int acct_drop_sessions(struct db *db, int64_t user_id, const char *keep_sid, struct yw_err *err);

/*
 * Revokes every active API token of a user, in the caller's transaction,
 * each audited as token.revoke with detail {user_id, reason}. An admin's
 * password reset ("password_reset") and disabling ("disabled") call it;
 * a revoked token stays revoked when the user is enabled again.
 */
int acct_revoke_tokens(struct db *db, const struct yw_actor *by, int64_t user_id, const char *reason,
		       struct yw_err *err);

/* Is user_id a member of group_id / the supervisor of group_id? */
bool acct_in_group(struct db *db, int64_t user_id, int64_t group_id);
bool acct_supervises(struct db *db, int64_t user_id, int64_t group_id);

#endif
