#include "../../core/yw.h"
#include "../../core/log.h"
#include "../../core/ytime.h"
#include "../../core/utf8.h"
#include "../../core/ipnet.h"
#include "../../store/db.h"
#include "acct.h"
#include "../directory/dir.h"
#include "perm.h"
#include <pthread.h>
#include <sodium.h>

const struct yw_actor acct_system = { 0, ROLE_ADMIN, 0, "system", "" };

static const char *const role_names[] = {
	[ROLE_NONE] = "none",
	[ROLE_CUSTOMER] = "customer",
	[ROLE_ENGINEER] = "engineer",
	[ROLE_SUPERVISOR] = "supervisor",
	[ROLE_MANAGER] = "manager",
	[ROLE_ADMIN] = "admin",
};

const char *acct_role_name(enum yw_role role)
{
	return role <= ROLE_ADMIN ? role_names[role] : "none";
}

int acct_role_parse(const char *name, enum yw_role *role)
{
	for (int r = ROLE_CUSTOMER; r <= ROLE_ADMIN; r++) {
		if (!strcmp(role_names[r], name)) {
			*role = r;
			return 0;
		}
	}
	return YW_EINVAL;
}

bool acct_is_staff(const struct yw_actor *a)
{
	return a->role >= ROLE_ENGINEER;
}

/*
 * argon2id at t=2, m=19 MiB: OWASP's minimum. The interactive preset
 * (64 MiB) would let two concurrent logins take more memory than the whole
 * server is allowed.
 */
#define PW_OPSLIMIT 2
#define PW_MEMLIMIT (19u << 20)

/*
 * Characters are code points, so "密码" counts two, not six. The byte cap
 * (four bytes a character at most) bounds the work before counting.
 */
int acct_password_check(const char *password, struct yw_err *err)
{
	size_t bytes = strlen(password), n;

	if (bytes > ACCT_PASSWORD_MAX_BYTES)
		return yw_errf(err, YW_EINVAL, "password", "password is longer than %d characters",
			       ACCT_PASSWORD_MAX);
	if (!utf8_valid(password, bytes))
		return yw_errf(err, YW_EINVAL, "password", "password must be valid UTF-8");
	n = utf8_len(password, bytes);
	if (n < ACCT_PASSWORD_MIN)
		return yw_errf(err, YW_EINVAL, "password", "password must have at least %d characters",
			       ACCT_PASSWORD_MIN);
	if (n > ACCT_PASSWORD_MAX)
		return yw_errf(err, YW_EINVAL, "password", "password is longer than %d characters",
			       ACCT_PASSWORD_MAX);
	return 0;
}

int acct_password_hash(const char *password, char out[ACCT_HASH_MAX], struct yw_err *err)
{
	if (crypto_pwhash_str(out, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT))
		return yw_errf(err, YW_EINTERNAL, "", "cannot hash password (out of memory)");
	return 0;
}

static void random_secret(char out[ACCT_SECRET_LEN])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, ACCT_SECRET_LEN, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Secrets are stored as their BLAKE2b-256 hash: a leaked database opens no session. */
static void secret_hash(const char *secret, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)secret, strlen(secret), NULL, 0);
}

int acct_audit(struct db *db, const struct yw_actor *a, const char *action, const char *target_type,
	       int64_t target_id, json_t *detail, struct yw_err *err)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	int rc = db_execf(db, err,
			  "INSERT INTO audit_log(at, actor_id, action, target_type, target_id, detail, ip)"
			  " VALUES (?, ?, ?, ?, ?, ?, ?)", "idssdss",
			  yw_now(), a ? a->user_id : 0, action, target_type, target_id, text,
			  a && a->ip[0] ? a->ip : NULL);
	free(text);
	return rc;
}

static int load_actor(struct db *db, const char *sql, const void *key, size_t keylen, int64_t id,
		      struct yw_actor *out, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	if ((rc = db_prepare(db, sql, &st, err)))
		return rc;
	if (key)
		db_bind_blob(st, 1, key, keylen);
	else
		db_bind_int(st, 1, id);
	db_bind_int(st, 2, yw_now());
	rc = db_step(st, err);
	if (rc == DB_ROW) {
		enum yw_role role = ROLE_NONE;
		out->user_id = db_col_int(st, 0);
		acct_role_parse(db_col_text(st, 1), &role);
		out->role = role;
		out->org_id = db_col_int(st, 2);
		snprintf(out->login, sizeof(out->login), "%s", db_col_text(st, 3));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = yw_errf(err, YW_EAUTH, "", "not logged in or the session has expired");
	}
	db_done(st);
	return rc;
}

int acct_load_actor(struct db *db, int64_t user_id, struct yw_actor *out, struct yw_err *err)
{
	int rc = load_actor(db, "SELECT id, role, COALESCE(org_id, 0), login FROM users"
			    " WHERE id = ? AND disabled = 0 AND ? > 0", NULL, 0, user_id, out, err);
	if (rc == YW_EAUTH)
		return yw_errf(err, YW_ENOTFOUND, "user", "no such active user");
	return rc;
}

int acct_find_user(struct db *db, const char *login, int64_t *user_id, struct yw_err *err)
{
	int rc = db_queryint(db, user_id, err, "SELECT id FROM users WHERE lower(login) = lower(?)", "s", login);
	if (rc == YW_ENOTFOUND)
		return yw_errf(err, YW_ENOTFOUND, "user", "no user %s", login);
	return rc;
}

int acct_auth_session(struct db *db, const char *sid, struct yw_actor *out,
		      char csrf[ACCT_SECRET_LEN], struct yw_err *err)
{
	unsigned char h[32];
	struct db_stmt *st;
	int rc;

	secret_hash(sid, h);
	rc = load_actor(db, "SELECT u.id, u.role, COALESCE(u.org_id, 0), u.login FROM sessions s"
			" JOIN users u ON u.id = s.user_id"
			" WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = 0",
			h, sizeof(h), 0, out, err);
	if (rc)
		return rc;
	if ((rc = db_prepare(db, "SELECT csrf FROM sessions WHERE id_hash = ?", &st, err)))
		return rc;
	db_bind_blob(st, 1, h, sizeof(h));
	if (db_step(st, err) == DB_ROW)
		snprintf(csrf, ACCT_SECRET_LEN, "%s", db_col_text(st, 0));
	db_done(st);
	return 0;
}

/*
 * Tokens a connection has resolved, while nothing about tokens or users
 * changed (cache_gen "auth": a revocation, a disabled user, a new role,
 * even a last_used_at written, starts the cache afresh). Unknown tokens
 * are never kept.
 */
#define TOKEN_CACHE 64

struct token_cache {
	int64_t gen;
	size_t n, next;
	struct {
		unsigned char hash[32];
		struct yw_actor actor;
		int64_t token_id, last_used_at;
	} e[TOKEN_CACHE];
};

static struct token_cache *token_cache(struct db *db)
{
	struct token_cache *c = db_cache_get(db, DB_CACHE_AUTH);
	int64_t gen = db_cache_gen(db, "auth");

	if (!c) {
		c = yw_calloc(1, sizeof(*c));
		db_cache_set(db, DB_CACHE_AUTH, c, free);
	}
	if (!gen || c->gen != gen) {
		c->n = c->next = 0;
		c->gen = gen;
	}
	return gen ? c : NULL;
}

/*
 * Display names, asked for by every ticket read (its requester and
 * assignee) and every row of a list. Filled as they are asked for, in an
 * open-addressed table emptied when three quarters full or when the
 * 'auth' generation moves; an unknown id is kept as "".
 */
#define NAME_CACHE 1024   /* a power of two */

struct name_cache {
	int64_t gen;
	size_t n;
	struct {
		int64_t id;
		char *name;
	} e[NAME_CACHE];
};

static void name_cache_clear(struct name_cache *c)
{
	for (size_t i = 0; i < NAME_CACHE; i++) {
		free(c->e[i].name);
		c->e[i].name = NULL;
		c->e[i].id = 0;
	}
	c->n = 0;
}

static void name_cache_free(void *p)
{
	name_cache_clear(p);
	free(p);
}

const char *acct_user_name(struct db *db, int64_t user_id)
{
	struct name_cache *c;
	struct yw_err err = YW_ERR_INIT;
	struct db_stmt *st;
	int64_t gen;
	size_t i;
	int rc;

	/* an unassigned ticket asks too: no cache, no generation for it */
	if (user_id <= 0)
		return NULL;
	c = db_cache_get(db, DB_CACHE_NAMES);
	gen = db_cache_gen(db, "auth");
	if (!c) {
		c = yw_calloc(1, sizeof(*c));
		db_cache_set(db, DB_CACHE_NAMES, c, name_cache_free);
	}
	if (!gen || c->gen != gen || c->n >= NAME_CACHE / 4 * 3) {
		name_cache_clear(c);
		c->gen = gen;   /* 0: no generation to check, so nothing is kept past the next call */
	}
	for (i = (size_t)((uint64_t)user_id * 0x9E3779B97F4A7C15u >> 54) & (NAME_CACHE - 1); c->e[i].id;
	     i = (i + 1) & (NAME_CACHE - 1))
		if (c->e[i].id == user_id)
			return c->e[i].name;
	if (db_prepare(db, "SELECT display_name FROM users WHERE id = ?", &st, &err)) {
		yw_err_clear(&err);
		return NULL;
	}
	db_bind_int(st, 1, user_id);
	rc = db_step(st, &err);
	if (rc >= 0) {
		c->e[i].id = user_id;
		c->e[i].name = yw_strdup(rc == DB_ROW ? db_col_text(st, 0) : "");
		c->n++;
	}
	db_done(st);
	yw_err_clear(&err);
	return rc >= 0 ? c->e[i].name : NULL;
}

int acct_auth_bearer(struct db *db, const char *token, struct yw_actor *out, int64_t *touch, struct yw_err *err)
{
	struct token_cache *c;
	unsigned char h[32];
	struct db_stmt *st;
	int64_t now = yw_now(), tid = 0, used = 0;
	enum yw_role role = ROLE_NONE;
	int rc;

	*touch = 0;
	secret_hash(token, h);
	if ((c = token_cache(db))) {
		for (size_t i = 0; i < c->n; i++)
			if (!sodium_memcmp(c->e[i].hash, h, sizeof(h))) {
				/* the actor as cached, but for where this request came from */
				out->user_id = c->e[i].actor.user_id;
				out->role = c->e[i].actor.role;
				out->org_id = c->e[i].actor.org_id;
				memcpy(out->login, c->e[i].actor.login, sizeof(out->login));
				if (c->e[i].last_used_at < now - ACCT_TOKEN_TOUCH)
					*touch = c->e[i].token_id;
				return 0;
			}
	}
	if ((rc = db_prepare(db, "SELECT u.id, u.role, COALESCE(u.org_id, 0), u.login, t.id,"
			     " COALESCE(t.last_used_at, 0) FROM api_tokens t"
			     " JOIN users u ON u.id = t.user_id"
			     " WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = 0", &st, err)))
		return rc;
	db_bind_blob(st, 1, h, sizeof(h));
	rc = db_step(st, err);
	if (rc == DB_ROW) {
		out->user_id = db_col_int(st, 0);
		acct_role_parse(db_col_text(st, 1), &role);
		out->role = role;
		out->org_id = db_col_int(st, 2);
		snprintf(out->login, sizeof(out->login), "%s", db_col_text(st, 3));
		tid = db_col_int(st, 4);
		used = db_col_int(st, 5);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = yw_errf(err, YW_EAUTH, "", "not logged in or the session has expired");
	}
	db_done(st);
	if (rc)
		return rc;
	if (c) {
		size_t i = c->n < TOKEN_CACHE ? c->n++ : c->next++ % TOKEN_CACHE;
		memcpy(c->e[i].hash, h, sizeof(h));
		c->e[i].actor = *out;
		c->e[i].token_id = tid;
		c->e[i].last_used_at = used;
	}
	if (used < now - ACCT_TOKEN_TOUCH)
		*touch = tid;
	return 0;
}

/*
 * last_used_at is written at most once a minute per token: the lookup
 * tells whether it is due, so most requests write nothing, and the
 * UPDATE's own condition keeps two workers from both writing it.
 */
void acct_token_touch(struct db *db, int64_t token_id)
{
	struct yw_err err = YW_ERR_INIT;
	int64_t now = yw_now();

	/*
	 * A lost update costs only a stale time: it must not refuse the
	 * request. db_begin queues on the process's write lock (in a batch,
	 * it opens a part of it) instead of SQLite's sleeping busy wait.
	 */
	if (db_begin(db, &err) || db_execf(db, &err, "UPDATE api_tokens SET last_used_at = ?"
					    " WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
					    "iii", now, token_id, now - ACCT_TOKEN_TOUCH) ||
	    db_commit(db, &err)) {
		db_rollback(db);
		yw_log(YW_LOG_WARN, "token %" PRId64 ": cannot write last_used_at: %s", token_id, err.msg);
	}
	yw_err_clear(&err);
}

/*
 * The login throttle. Failed attempts are rows of login_failures (one per
 * key, counted inside ACCT_FAILURE_WINDOW from the first), written with
 * the attempt's own audit row. A key at its limit is refused until the
 * window ends; the refusals write nothing: the throttle was audited once,
 * in the transaction of the failure that reached the limit, and the keys
 * being refused are kept in memory, so that a flood of refused attempts
 * costs neither a write nor, after the first, a read.
 *
 * The table is per process and bounded: REFUSED_SLOTS entries, a key's
 * BLAKE2b hash choosing a set of REFUSED_WAYS of them. A key pushed out
 * by a flood of others is read again from login_failures, which stays
 * the truth (across restarts too), so losing one costs one read. How
 * many attempts a throttle refused is told by the audit row of the key's
 * next attempt after it lifted ("refused_while_throttled"), a row that
 * is written anyway; a key pushed out loses that count.
 */
#define REFUSED_SLOTS 4096   /* a power of two: 4096 x 40 bytes */
#define REFUSED_WAYS 8

static struct {
	unsigned char key[16];   /* BLAKE2b-128 of the throttle key */
	int64_t until;           /* when the window ends and the throttle lifts */
	int64_t refused;         /* attempts refused in the window */
} refused[REFUSED_SLOTS];
static pthread_mutex_t refused_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t refused_set(const char *key, unsigned char k[16])
{
	uint64_t h;

	crypto_generichash(k, 16, (const unsigned char *)key, strlen(key), NULL, 0);
	memcpy(&h, k, sizeof(h));
	return (size_t)h & (REFUSED_SLOTS - 1) & ~(size_t)(REFUSED_WAYS - 1);
}

/* Is key being refused now? Counts the attempt and sets *until if so. */
static bool refused_hit(const char *key, int64_t now, int64_t *until)
{
	unsigned char k[16];
	size_t set = refused_set(key, k);
	bool hit = false;

	pthread_mutex_lock(&refused_lock);
	for (size_t i = set; i < set + REFUSED_WAYS && !hit; i++) {
		if (refused[i].until > now && !memcmp(refused[i].key, k, sizeof(k))) {
			refused[i].refused++;
			*until = refused[i].until;
			hit = true;
		}
	}
	pthread_mutex_unlock(&refused_lock);
	return hit;
}

/* Remembers that key is refused until until, in its own slot, a free one, or the oldest. */
static void refused_put(const char *key, int64_t until)
{
	unsigned char k[16];
	size_t set = refused_set(key, k), pick = set;

	pthread_mutex_lock(&refused_lock);
	for (size_t i = set; i < set + REFUSED_WAYS; i++) {
		if (!memcmp(refused[i].key, k, sizeof(k))) {
			pick = i;
			break;
		}
		if (refused[i].until < refused[pick].until)
			pick = i;
	}
	memcpy(refused[pick].key, k, sizeof(k));
	refused[pick].until = until;
	refused[pick].refused = 1;
	pthread_mutex_unlock(&refused_lock);
}

/*
 * How many attempts key's last throttle refused, once it has lifted; the
 * entry is emptied. 0 when there was none or it was pushed out.
 */
static int64_t refused_take(const char *key, int64_t now)
{
	unsigned char k[16];
	size_t set = refused_set(key, k);
	int64_t n = 0;

	pthread_mutex_lock(&refused_lock);
	for (size_t i = set; i < set + REFUSED_WAYS; i++) {
		if (refused[i].until && refused[i].until <= now && !memcmp(refused[i].key, k, sizeof(k))) {
			n = refused[i].refused;
			memset(&refused[i], 0, sizeof(refused[i]));
		}
	}
	pthread_mutex_unlock(&refused_lock);
	return n;
}

/* Failures inside the window, for a throttle key. */
static int64_t failures(struct db *db, const char *key, int64_t now, int64_t *first_at)
{
	struct yw_err err = YW_ERR_INIT;
	struct db_stmt *st;
	int64_t n = 0;

	if (db_prepare(db, "SELECT count, first_at FROM login_failures WHERE key = ?", &st, &err))
		return 0;
	db_bind_text(st, 1, key);
	if (db_step(st, &err) == DB_ROW && db_col_int(st, 1) > now - ACCT_FAILURE_WINDOW) {
		n = db_col_int(st, 0);
		*first_at = db_col_int(st, 1);
	}
	db_done(st);
	return n;
}

/*
 * Is key at its limit? Then *retry_after is set and nothing is written;
 * only the first refusal the process sees in a window reads the store.
 */
static bool over_limit(struct db *db, const char *key, int64_t limit, int64_t now, int64_t *retry_after)
{
	int64_t first = now, until;

	if (!refused_hit(key, now, &until)) {
		if (failures(db, key, now, &first) < limit)
			return false;
		until = first + ACCT_FAILURE_WINDOW;
		refused_put(key, until);
	}
	*retry_after = until - now < 1 ? 1 : until - now;
	return true;
}

/* Counts a failure of key; *tripped when this one reached limit (the throttle starts). */
static int note_failure(struct db *db, const char *key, int64_t limit, int64_t now, bool *tripped,
			struct yw_err *err)
{
	int64_t n;
	int rc = db_queryint(db, &n, err,
			     "INSERT INTO login_failures(key, count, first_at, last_at) VALUES (?, 1, ?, ?)"
			     " ON CONFLICT(key) DO UPDATE SET"
			     " count = CASE WHEN first_at > ? THEN count + 1 ELSE 1 END,"
			     " first_at = CASE WHEN first_at > ? THEN first_at ELSE excluded.first_at END,"
			     " last_at = excluded.last_at RETURNING count",
			     "siiii", key, now, now, now - ACCT_FAILURE_WINDOW, now - ACCT_FAILURE_WINDOW);

	*tripped = !rc && n == limit;
	return rc;
}

bool acct_throttled(struct db *db, const char *key, int64_t *retry_after)
{
	return over_limit(db, key, ACCT_MAX_FAILURES, yw_now(), retry_after);
}

int acct_note_failure(struct db *db, const char *key, bool *tripped, struct yw_err *err)
{
	return note_failure(db, key, ACCT_MAX_FAILURES, yw_now(), tripped, err);
}

int acct_clear_failures(struct db *db, const char *key, struct yw_err *err)
{
	refused_take(key, INT64_MAX);   /* forgotten, lifted or not */
	return db_execf(db, err, "DELETE FROM login_failures WHERE key = ?", "s", key);
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[ACCT_HASH_MAX];

static void make_dummy_hash(void)
{
	struct yw_err err = YW_ERR_INIT;
	acct_password_hash("not-a-password", dummy_hash, &err);
}

/*
 * A login attempt's throttle keys: the login (case folded) from the
 * address, and the address alone. An address is its network as
 * ipnet_throttle_key() gives it; no address holds a '|'.
 */
struct login_keys {
	char pair[300], addr[80];
};

static void login_keys(const char *login, const char *ip, struct login_keys *k)
{
	char net[IPNET_TEXT];

	ipnet_throttle_key(ip ? ip : "", net);
	snprintf(k->pair, sizeof(k->pair), "login:%s|%s", net, login);
	for (char *p = k->pair + 6 + strlen(net) + 1; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	snprintf(k->addr, sizeof(k->addr), "ip:%s", net);
}

/* The audit row of a throttle that starts, once per key and window. */
static int audit_throttle(struct db *db, const struct yw_actor *who, const char *login, const char *scope,
			  int64_t limit, struct yw_err *err)
{
	json_t *detail = json_pack("{s:s, s:s, s:s, s:I, s:i}", "login", login, "reason", "throttled",
				   "scope", scope, "failures", (json_int_t)limit, "window", ACCT_FAILURE_WINDOW);
	int rc = acct_audit(db, who, "login.throttled", "user", who->user_id, detail, err);

	json_decref(detail);
	return rc;
}

/*
 * What the key's throttles refused, told once they have lifted, for the
 * audit row of the attempt: {"refused_while_throttled": n} for the login
 * from the address, {"refused_from_address": n} for the address; {} for
 * none.
 */
static json_t *refusals_json(const struct login_keys *k, int64_t now)
{
	int64_t pair = refused_take(k->pair, now), addr = refused_take(k->addr, now);
	json_t *o = json_object();

	if (pair)
		json_object_set_new(o, "refused_while_throttled", json_integer(pair));
	if (addr)
		json_object_set_new(o, "refused_from_address", json_integer(addr));
	return o;
}

/* Counts and audits a failed login in one transaction; returns its error. */
static int login_failed(struct db *db, const struct login_keys *k, const struct yw_actor *who,
			const char *login, const char *reason, json_t *refusals, int64_t now, struct yw_err *err)
{
	json_t *detail = json_pack("{s:s, s:s}", "login", login, "reason", reason);
	bool pair = false, addr = false;
	int rc;

	json_object_update(detail, refusals);
	if (!(rc = db_begin(db, err)) &&
	    !(rc = note_failure(db, k->pair, ACCT_MAX_FAILURES, now, &pair, err)) &&
	    !(rc = note_failure(db, k->addr, ACCT_MAX_ADDR_FAILURES, now, &addr, err)) &&
	    !(rc = acct_audit(db, who, "login.failed", "user", who->user_id, detail, err)) &&
	    !(rc = pair ? audit_throttle(db, who, login, "login", ACCT_MAX_FAILURES, err) : 0) &&
	    !(rc = addr ? audit_throttle(db, who, login, "address", ACCT_MAX_ADDR_FAILURES, err) : 0))
		rc = db_commit(db, err);
	if (rc)
		db_rollback(db);
	json_decref(detail);
	return rc ? rc : yw_errf(err, YW_EAUTH, "", "wrong user name or password");
}

int acct_login(struct db *db, const char *login, const char *password, const char *ip,
	       char sid[ACCT_SECRET_LEN], char csrf[ACCT_SECRET_LEN], struct yw_actor *out,
	       int64_t *retry_after, struct yw_err *err)
{
	char hash[ACCT_HASH_MAX] = "";
	int64_t now = yw_now(), uid = 0;
	json_t *refusals;
	struct yw_actor who = { 0 };
	struct login_keys k;
	struct db_stmt *st;
	bool disabled = false, ok;
	int rc;

	login_keys(login, ip, &k);
	snprintf(who.ip, sizeof(who.ip), "%s", ip ? ip : "");

	/* refused without a write: the throttle's start was audited */
	if (over_limit(db, k.pair, ACCT_MAX_FAILURES, now, retry_after) ||
	    over_limit(db, k.addr, ACCT_MAX_ADDR_FAILURES, now, retry_after))
		return yw_errf(err, YW_ETHROTTLE, "", "too many failed logins; try again in %" PRId64
			       " seconds", *retry_after);

	if ((rc = db_prepare(db, "SELECT id, password_hash, disabled FROM users WHERE lower(login) = lower(?)", &st, err)))
		return rc;
	db_bind_text(st, 1, login);
	if (db_step(st, err) == DB_ROW) {
		uid = db_col_int(st, 0);
		snprintf(hash, sizeof(hash), "%s", db_col_text(st, 1) ? db_col_text(st, 1) : "");
		disabled = db_col_int(st, 2) != 0;
	}
	db_done(st);

	/* the hash is checked even for an unknown user, so timing does not tell */
	if (!hash[0]) {
		pthread_once(&dummy_once, make_dummy_hash);
		if (crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
			THIS_SHOULD_NEVER_HAPPEN;
		ok = false;
	} else {
		ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	}
	ok = ok && !disabled;

	refusals = refusals_json(&k, now);
	if (!ok) {
		who.user_id = uid;
		rc = login_failed(db, &k, &who, login, disabled ? "disabled" : uid ? "bad_password" : "unknown_user",
				  refusals, now, err);
		json_decref(refusals);
		return rc;
	}
	if ((rc = db_begin(db, err))) {
		json_decref(refusals);
		return rc;
	}

	unsigned char h[32];
	random_secret(sid);
	random_secret(csrf);
	secret_hash(sid, h);
	if ((rc = db_prepare(db, "INSERT INTO sessions(id_hash, user_id, csrf, created_at, expires_at, ip)"
			     " VALUES (?, ?, ?, ?, ?, ?)", &st, err)))
		goto fail;
	db_bind_blob(st, 1, h, sizeof(h));
	db_bind_int(st, 2, uid);
	db_bind_text(st, 3, csrf);
	db_bind_int(st, 4, now);
	db_bind_int(st, 5, now + ACCT_SESSION_TTL);
	db_bind_text(st, 6, ip);
	rc = db_step(st, err);
	db_done(st);
	if (rc < 0)
		goto fail;
	if ((rc = db_execf(db, err, "DELETE FROM login_failures WHERE key = ?", "s", k.pair)) ||
	    (rc = db_execf(db, err, "DELETE FROM sessions WHERE expires_at < ?", "i", now)))
		goto fail;
	if ((rc = acct_load_actor(db, uid, out, err)))
		goto fail;
	snprintf(out->ip, sizeof(out->ip), "%s", who.ip);
	if ((rc = acct_audit(db, out, "login", "user", uid, json_object_size(refusals) ? refusals : NULL, err)))
		goto fail;
	json_decref(refusals);
	return db_commit(db, err);
fail:
	json_decref(refusals);
	db_rollback(db);
	return rc;
}

int acct_logout(struct db *db, const char *sid, const struct yw_actor *a, struct yw_err *err)
{
	unsigned char h[32];
	struct db_stmt *st;
	int rc;

	secret_hash(sid, h);
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = db_prepare(db, "DELETE FROM sessions WHERE id_hash = ?", &st, err)))
		goto fail;
	db_bind_blob(st, 1, h, sizeof(h));
	rc = db_step(st, err);
	db_done(st);
	if (rc < 0 || (rc = acct_audit(db, a, "logout", "user", a->user_id, NULL, err)))
		goto fail;
	return db_commit(db, err);
fail:
	db_rollback(db);
	return rc;
}

int acct_token_create(struct db *db, const struct yw_actor *by, int64_t user_id, const char *name,
		      char token[ACCT_TOKEN_LEN], int64_t *id, struct yw_err *err)
{
	char secret[ACCT_SECRET_LEN];
	unsigned char h[32];
	struct db_stmt *st;
	json_t *detail;
	int64_t exists;
	int rc;

	if (!perm_allows(by, P_TOKEN_CREATE, &(struct perm_facts){ .owner_id = user_id }))
		return yw_errf(err, YW_EPERM, "user_id", "only an admin may create tokens for others");
	random_secret(secret);
	snprintf(token, ACCT_TOKEN_LEN, "yw_%s", secret);
	secret_hash(token, h);
	if ((rc = db_begin(db, err)))
		return rc;
	if (db_queryint(db, &exists, err, "SELECT id FROM users WHERE id = ? AND disabled = 0", "i",
			user_id)) {
		rc = yw_errf(err, YW_ENOTFOUND, "user_id", "no such active user");
		goto fail;
	}
	if ((rc = db_prepare(db, "INSERT INTO api_tokens(user_id, name, token_hash, created_at)"
			     " VALUES (?, ?, ?, ?) RETURNING id", &st, err)))
		goto fail;
	db_bind_int(st, 1, user_id);
	db_bind_text(st, 2, name);
	db_bind_blob(st, 3, h, sizeof(h));
	db_bind_int(st, 4, yw_now());
	rc = db_step(st, err);
	if (rc == DB_ROW)
		*id = db_col_int(st, 0);
	db_done(st);
	if (rc < 0)
		goto fail;
	detail = json_pack("{s:I, s:s}", "user_id", (json_int_t)user_id, "name", name);
	rc = acct_audit(db, by, "token.create", "token", *id, detail, err);
	json_decref(detail);
	if (rc)
		goto fail;
	return db_commit(db, err);
fail:
	db_rollback(db);
	return rc;
}

int acct_token_revoke(struct db *db, const struct yw_actor *by, int64_t id, struct yw_err *err)
{
	int64_t owner;
	int rc;

	if ((rc = db_begin(db, err)))
		return rc;
	if (db_queryint(db, &owner, err, "SELECT user_id FROM api_tokens WHERE id = ? AND revoked_at IS NULL",
			"i", id)) {
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no such active token");
		goto fail;
	}
	if (!perm_allows(by, P_TOKEN_DELETE, &(struct perm_facts){ .owner_id = owner })) {
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no such active token");
		goto fail;
	}
	if ((rc = db_execf(db, err, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", "ii", yw_now(), id)) ||
	    (rc = acct_audit(db, by, "token.revoke", "token", id, NULL, err)))
		goto fail;
	return db_commit(db, err);
fail:
	db_rollback(db);
	return rc;
}

/* The ids of a user's active tokens; *ids is the caller's to free. */
static int active_tokens(struct db *db, int64_t user_id, int64_t **ids, size_t *n, struct yw_err *err)
{
	struct db_stmt *st;
	size_t alloc = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((rc = db_prepare(db, "SELECT id FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL"
			     " ORDER BY id", &st, err)))
		return rc;
	db_bind_int(st, 1, user_id);
	while ((rc = db_step(st, err)) == DB_ROW) {
		ALLOC_GROW(*ids, *n + 1, alloc);
		(*ids)[(*n)++] = db_col_int(st, 0);
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

int acct_revoke_tokens(struct db *db, const struct yw_actor *by, int64_t user_id, const char *reason,
		       struct yw_err *err)
{
	int64_t *ids, now = yw_now();
	json_t *detail;
	size_t n;
	int rc;

	if ((rc = active_tokens(db, user_id, &ids, &n, err)))
		return rc;
	detail = json_pack("{s:I, s:s}", "user_id", (json_int_t)user_id, "reason", reason);
	for (size_t i = 0; i < n && !rc; i++) {
		if (!(rc = db_execf(db, err, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", "ii", now, ids[i])))
			rc = acct_audit(db, by, "token.revoke", "token", ids[i], detail, err);
	}
	json_decref(detail);
	free(ids);
	return rc;
}

/* Both answer from the connection's directory (dir.h); false when it cannot be read. */
bool acct_in_group(struct db *db, int64_t user_id, int64_t group_id)
{
	struct yw_err err = YW_ERR_INIT;
	const struct dir *d;
	bool in = !dir_get(db, &d, &err) && dir_in_group(d, user_id, group_id);

	yw_err_clear(&err);
	return in;
}

bool acct_supervises(struct db *db, int64_t user_id, int64_t group_id)
{
	struct yw_err err = YW_ERR_INIT;
	const struct dir *d;
	bool sup = !dir_get(db, &d, &err) && dir_supervises(d, user_id, group_id);

	yw_err_clear(&err);
	return sup;
}

int acct_bootstrap_admin(struct db *db, const char *password, char *generated, struct yw_err *err)
{
	char hash[ACCT_HASH_MAX];
	int64_t n, id;
	int rc;

	if ((rc = db_queryint(db, &n, err, "SELECT COUNT(*) FROM users", "")))
		return rc;
	if (n > 0)
		return 0;
	if (!password || !*password) {
		unsigned char raw[18];
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2base64(generated, 33, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		password = generated;
	} else if ((rc = acct_password_check(password, err))) {
		return rc;
	}
	if ((rc = acct_password_hash(password, hash, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = db_queryint(db, &id, err,
			      "INSERT INTO users(login, display_name, role, password_hash, created_at, updated_at)"
			      " VALUES ('admin', '系统管理员', 'admin', ?, ?, ?) RETURNING id",
			      "sii", hash, yw_now(), yw_now())) ||
	    (rc = acct_audit(db, &acct_system, "user.create", "user", id, NULL, err))) {
		db_rollback(db);
		return rc;
	}
	if ((rc = db_commit(db, err)))
		return rc;
	return 1;
}

int acct_drop_sessions(struct db *db, int64_t user_id, const char *keep_sid, struct yw_err *err)
{
	unsigned char h[32] = { 0 };
	struct db_stmt *st;
	int rc;

	if (keep_sid && *keep_sid)
		secret_hash(keep_sid, h);
	if ((rc = db_prepare(db, "DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?", &st, err)))
		return rc;
	db_bind_int(st, 1, user_id);
	db_bind_blob(st, 2, h, sizeof(h));
	rc = db_step(st, err);
	db_done(st);
	return rc < 0 ? rc : 0;
}
