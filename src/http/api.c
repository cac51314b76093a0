/*
 * api.c - one request under /api/: route, authenticate, check the route's
 * permission (domain/account/perm.h), decode, call the handler, and turn any error
 * into the one error response.
 */
#include "../core/yw.h"
#include "../core/log.h"
#include "../core/strbuf.h"
#include "../core/jout.h"
#include "../core/jin.h"
#include "../core/qs.h"
#include "../core/ipnet.h"
#include "../store/db.h"
#include "http.h"
#include <sodium.h>

/* The one place that maps error codes to HTTP statuses. */
static const struct {
	int code, status;
} status_map[] = {
	{ YW_EINVAL, 400 },      { YW_EJSON, 400 },     { YW_EUNKNOWN, 400 },
	{ YW_EAUTH, 401 },       { YW_EPERM, 403 },     { YW_ECSRF, 403 },
	{ YW_ENOTFOUND, 404 },   { YW_EMETHOD, 405 },   { YW_ECONFLICT, 409 },
	{ YW_ESTATE, 409 },      { YW_ESTALE, 409 },    { YW_ETOOBIG, 413 },
	{ YW_EMEDIA, 415 },      { YW_EPRECOND, 428 },  { YW_ETHROTTLE, 429 },
	{ YW_EDB, 500 },         { YW_EIO, 500 },       { YW_EINTERNAL, 500 },
	{ YW_ENEWER, 500 },
};

static int http_status_of(int code)
{
	for (size_t i = 0; i < ARRAY_SIZE(status_map); i++)
		if (status_map[i].code == code)
			return status_map[i].status;
	return 500;
}

void http_header(struct http_req *r, const char *name, const char *value)
{
	h2o_req_t *h = r->h;
	size_t nl = strlen(name), vl = strlen(value);
	char *n = h2o_mem_alloc_pool(&h->pool, nl + 1);
	char *v = h2o_mem_alloc_pool(&h->pool, vl + 1);

	memcpy(n, name, nl + 1);
	memcpy(v, value, vl + 1);
	h2o_add_header_by_str(&h->pool, &h->res.headers, n, nl, 1, NULL, v, vl);
}

void http_set_cookie(struct http_req *r, const char *value)
{
	bool tls = r->h->scheme == &H2O_URL_SCHEME_HTTPS;

	if (!tls && !http_tls_proxy) {
		http_header(r, "set-cookie", value);
		return;
	}
	http_header(r, "set-cookie", arena_printf(&r->arena, "%s; Secure", value));
}

static void add_nosniff(h2o_req_t *h)
{
	h2o_add_header_by_str(&h->pool, &h->res.headers, H2O_STRLIT("x-content-type-options"), 0, NULL,
			      H2O_STRLIT("nosniff"));
}

static const char *reason_of(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 428: return "Precondition Required";
	case 429: return "Too Many Requests";
	default: return status >= 500 ? "Internal Server Error" : "";
	}
}

int http_send(struct http_req *r, int status, const char *content_type, const void *data, size_t len)
{
	h2o_req_t *h = r->h;

	h->res.status = status;
	h->res.reason = reason_of(status);
	h->res.content_length = len;
	h2o_add_header(&h->pool, &h->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
		       strlen(content_type));
	h2o_add_header(&h->pool, &h->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
	add_nosniff(h);
	h2o_send_inline(h, data, len);
	return 0;
}

/*
 * Encodes once, with jout (jansson's json_dump_callback was the costliest
 * part of a ticket GET), into a per-thread buffer that keeps its capacity
 * between requests. h2o_send_inline copies the bytes into the request's
 * pool.
 */
static __thread struct strbuf json_out = STRBUF_INIT;

/*
 * The reads of one turn of a worker's event loop share one read
 * transaction: the first read request of the turn begins it, and it ends
 * with the turn (h2o's zero timeout, after every socket that was ready
 * has been served), and before any write request that the worker runs
 * itself. The answers to a batch end it and begin a new one, which sees
 * what the batch committed. Beginning and ending one per request was a
 * sixth of a worker's time on GET /tickets/{id}. A request ready at the
 * start of a turn was sent before the turn began, so the snapshot taken
 * in the turn has every write answered before that request was sent.
 */
static __thread struct {
	struct db *db;
	h2o_timeout_entry_t end;
	bool open;
} reads;

void http_read_end(void)
{
	if (!reads.open)
		return;
	reads.open = false;
	if (h2o_timeout_is_linked(&reads.end))
		h2o_timeout_unlink(&reads.end);
	db_rollback(reads.db);
}

static void on_turn_end(h2o_timeout_entry_t *entry)
{
	(void)entry;
	http_read_end();
}

int http_read_begin(h2o_context_t *ctx, struct db *db, struct yw_err *err)
{
	int rc;

	if (reads.open)
		return 0;
	if ((rc = db_begin_read(db, err)))
		return rc;
	reads.open = true;
	reads.db = db;
	reads.end.cb = on_turn_end;
	h2o_timeout_link(ctx->loop, &ctx->zero_timeout, &reads.end);
	return 0;
}

void http_api_thread_done(void)
{
	http_read_end();
	strbuf_release(&json_out);
}

struct strbuf *http_json_buf(struct http_req *r)
{
	(void)r;
	strbuf_reset(&json_out);
	return &json_out;
}

static void send_json(struct http_req *r, int status, const struct strbuf *sb)
{
	r->h->res.status = status;
	r->h->res.reason = reason_of(status);
	r->h->res.content_length = sb->len;
	h2o_add_header(&r->h->pool, &r->h->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
		       H2O_STRLIT("application/json; charset=utf-8"));
	h2o_add_header(&r->h->pool, &r->h->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
	add_nosniff(r->h);
	h2o_send_inline(r->h, sb->buf, sb->len);
}

int http_json_send(struct http_req *r, int status)
{
	send_json(r, status, &json_out);
	/* a one-off huge response should not pin its memory in every worker */
	if (json_out.alloc > (4u << 20))
		strbuf_release(&json_out);
	return 0;
}

int http_answer_send(struct http_req *r)
{
	send_json(r, r->answer_status, &r->answer);
	return 0;
}

int http_json(struct http_req *r, int status, json_t *j)
{

	strbuf_reset(&json_out);
	/*
	 * json_pack returns NULL for a string that is not UTF-8; jansson's
	 * dump sent an empty body for it, and so does this, rather than abort
	 * the server in jout_dump
	 */
	if (j)
		jout_dump(j, &json_out);
	else
		THIS_SHOULD_NEVER_HAPPEN;
	json_decref(j);
	return http_json_send(r, status);
}

bool http_lang_zh(h2o_req_t *h)
{
	ssize_t i = h2o_find_header(&h->headers, H2O_TOKEN_ACCEPT_LANGUAGE, -1);

	if (i < 0)
		return true;
	return yw_lang_zh(h->headers.entries[i].value.base, h->headers.entries[i].value.len);
}

void http_send_error(struct http_req *r, int code)
{
	int status = http_status_of(code);
	bool zh = http_lang_zh(r->h);
	json_t *e;

	/* never hand a database or internal message to the client */
	if (status >= 500) {
		yw_log_error("%.*s %.*s: %s: %s", (int)r->h->method.len, r->h->method.base,
			     (int)r->h->path.len, r->h->path.base, yw_err_name(code), r->err.msg);
		yw_errf(&r->err, code, "", "internal error");
	} else if (!r->err.msg[0]) {
		yw_err_generic(&r->err, code);
	}
	e = json_pack("{s:s, s:s}", "code", yw_err_name(code), "message", yw_err_msg(&r->err, zh));
	if (r->err.field[0] && status < 500)
		json_object_set_new(e, "field", json_string(r->err.field));
	if (r->err.detail && status < 500)
		json_object_update(e, r->err.detail);
	if (code == YW_EAUTH)
		http_header(r, "www-authenticate", "Bearer realm=\"yunwei\"");
	http_header(r, "content-language", zh ? "zh-CN" : "en");
	http_header(r, "vary", "Accept-Language");
	if (code == YW_EMETHOD && r->allow)
		http_header(r, "allow", r->allow);
	http_json(r, status, json_pack("{s:o}", "error", e));
}

const char *http_req_header(struct http_req *r, const char *name)
{
	ssize_t i = h2o_find_header_by_str(&r->h->headers, name, strlen(name), -1);
	if (i < 0)
		return NULL;
	h2o_iovec_t v = r->h->headers.entries[i].value;
	return arena_strndup(&r->arena, v.base, v.len);
}

struct query_acc {
	struct http_req *r;
	size_t alloc;
};

static int add_query(const char *name, const char *value, void *ctx)
{
	struct query_acc *acc = ctx;
	struct http_req *r = acc->r;

	if (r->nquery >= 64)
		return yw_errf(&r->err, YW_EINVAL, "", "too many query parameters");
	if (r->nquery + 1 > acc->alloc) {
		struct http_query_param *old = r->query;
		acc->alloc = acc->alloc ? acc->alloc * 2 : 8;
		r->query = arena_alloc(&r->arena, acc->alloc * sizeof(*r->query));
		if (old)
			memcpy(r->query, old, r->nquery * sizeof(*r->query));
	}
	r->query[r->nquery].name = name;
	r->query[r->nquery].value = value;
	r->nquery++;
	return 0;
}

static int parse_query(struct http_req *r)
{
	h2o_req_t *h = r->h;
	struct query_acc acc = { r, 0 };

	if (h->query_at == SIZE_MAX)
		return 0;
	char *q = arena_strndup(&r->arena, h->path.base + h->query_at + 1, h->path.len - h->query_at - 1);
	if (!q)
		return yw_errf(&r->err, YW_ETOOBIG, "", "query string too long");
	return qs_each(q, add_query, &acc, &r->err);
}

const char *http_query(struct http_req *r, const char *name)
{
	for (size_t i = 0; i < r->nquery; i++)
		if (!strcmp(r->query[i].name, name))
			return r->query[i].value;
	return NULL;
}

int http_query_check(struct http_req *r, const char *const *allowed)
{
	for (size_t i = 0; i < r->nquery; i++) {
		const char *const *a;
		for (a = allowed; *a; a++)
			if (!strcmp(*a, r->query[i].name))
				break;
		if (!*a)
			return yw_errf(&r->err, YW_EUNKNOWN, r->query[i].name, "unknown query parameter %.60s",
				       r->query[i].name);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(r->query[j].name, r->query[i].name))
				return yw_errf(&r->err, YW_EINVAL, r->query[i].name,
					       "query parameter %.60s given twice", r->query[i].name);
	}
	return 0;
}

int http_query_int(struct http_req *r, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const char *v = http_query(r, name);
	char *end;
	long long n;

	if (!v)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno || n < min || n > max)
		return yw_errf(&r->err, YW_EINVAL, name, "%s must be an integer between %" PRId64 " and %" PRId64,
			       name, min, max);
	*out = n;
	return 0;
}

int http_query_cursor(struct http_req *r, int64_t *id)
{
	const char *c = http_query(r, "cursor");
	unsigned char raw[32];
	size_t n = 0;
	int64_t v = 0;

	*id = 0;
	if (!c)
		return 0;
	if (strlen(c) > 40 || sodium_base642bin(raw, sizeof(raw) - 1, c, strlen(c), NULL, &n, NULL,
						sodium_base64_VARIANT_URLSAFE_NO_PADDING) || n == 0 || n > 16)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (raw[i] < '0' || raw[i] > '9')
			goto bad;
		v = v * 10 + (raw[i] - '0');
	}
	if (v < 1)
		goto bad;
	*id = v;
	return 0;
bad:
	return yw_errf(&r->err, YW_EINVAL, "cursor", "cursor is not one this server gave out");
}

json_t *http_cursor_json(int64_t id)
{
	char dec[24], enc[48];
	int n;

	if (!id)
		return json_null();
	n = snprintf(dec, sizeof(dec), "%" PRId64, id);
	sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)dec, (size_t)n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return json_string(enc);
}

int http_if_match(struct http_req *r, int64_t *version)
{
	const char *v = http_req_header(r, "if-match");
	char *end;

	if (!v)
		return yw_errf(&r->err, YW_EPRECOND, "If-Match",
			       "send If-Match with the version you read, so that no one's change is overwritten");
	if (*v == 'W' && v[1] == '/')
		v += 2;
	if (*v == '"')
		v++;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (end == v || errno || n < 1 || (*end && strcmp(end, "\"")))
		return yw_errf(&r->err, YW_EINVAL, "If-Match", "If-Match must be a version number");
	*version = n;
	return 0;
}

/* Finds a cookie's value in the Cookie header(s). */
static const char *cookie_value(struct http_req *r, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	ssize_t i = -1;

	while ((i = h2o_find_header(&r->h->headers, H2O_TOKEN_COOKIE, i)) >= 0) {
		h2o_iovec_t v = r->h->headers.entries[i].value;
		const char *p = v.base, *end = v.base + v.len;
		while (p < end) {
			while (p < end && (*p == ' ' || *p == ';'))
				p++;
			const char *semi = memchr(p, ';', end - p);
			const char *stop = semi ? semi : end;
			if ((size_t)(stop - p) > nl && !memcmp(p, name, nl) && p[nl] == '=') {
				*len = stop - p - nl - 1;
				return p + nl + 1;
			}
			p = stop;
		}
	}
	return NULL;
}

/* Set by http_trust_proxies() before the workers start; read-only afterwards. */
static struct ipnet_list trusted_proxies;

int http_trust_proxies(const char *list, const char *field, struct yw_err *err)
{
	return ipnet_list_add(&trusted_proxies, list, field, err);
}

/*
 * X-Forwarded-For's client, when the peer is a trusted proxy. Several
 * such headers are one list, joined in order; a value longer than the
 * buffer is ignored like a malformed one.
 */
static int forwarded_for(struct http_req *r, struct ipnet_addr *client)
{
	char buf[1024];
	size_t n = 0;
	ssize_t i = -1;

	while ((i = h2o_find_header(&r->h->headers, H2O_TOKEN_X_FORWARDED_FOR, i)) >= 0) {
		h2o_iovec_t v = r->h->headers.entries[i].value;
		if (n + v.len + 1 > sizeof(buf))
			return -1;
		if (n)
			buf[n++] = ',';
		memcpy(buf + n, v.base, v.len);
		n += v.len;
	}
	return n ? ipnet_forwarded(&trusted_proxies, buf, n, client) : -1;
}

static void client_ip(struct http_req *r)
{
	struct sockaddr_storage ss;
	socklen_t len = r->h->conn->callbacks->get_peername(r->h->conn, (struct sockaddr *)&ss);
	struct ipnet_addr peer;

	if (len && ss.ss_family == AF_INET && !trusted_proxies.n) {
		/* inet_ntop's took 1.7 k instructions */
		yw_ipv4_text(&((struct sockaddr_in *)&ss)->sin_addr, r->actor.ip);
		return;
	}
	if (!len || ipnet_from_sockaddr(&ss, &peer)) {
		r->actor.ip[0] = '\0';
		return;
	}
	if (trusted_proxies.n && ipnet_list_has(&trusted_proxies, &peer))
		forwarded_for(r, &peer);   /* on failure peer is left as it was */
	/* 64 bytes hold any address (INET6_ADDRSTRLEN is 46) */
	ipnet_text(&peer, r->actor.ip);
}

static bool is_write(h2o_req_t *h)
{
	return !h2o_memis(h->method.base, h->method.len, H2O_STRLIT("GET")) &&
	       !h2o_memis(h->method.base, h->method.len, H2O_STRLIT("HEAD"));
}

static int authenticate(struct http_req *r)
{
	const char *auth = http_req_header(r, "authorization");
	size_t clen;
	const char *c;
	int rc;

	if (auth) {
		if (strncasecmp(auth, "Bearer ", 7) || !auth[7] || strlen(auth) > 200)
			return yw_errf(&r->err, YW_EAUTH, "Authorization", "expected Authorization: Bearer <token>");
		return acct_auth_bearer(r->db, auth + 7, &r->actor, &r->touch_token, &r->err);
	}
	c = cookie_value(r, "yw_session", &clen);
	if (!c || !clen || clen >= ACCT_SECRET_LEN)
		return yw_errf(&r->err, YW_EAUTH, "", "log in first");
	memcpy(r->sid, c, clen);
	r->sid[clen] = '\0';
	if ((rc = acct_auth_session(r->db, r->sid, &r->actor, r->csrf, &r->err)))
		return rc;
	r->via_cookie = true;
	if (is_write(r->h) && !(r->route->flags & HR_NOCSRF)) {
		const char *tok = http_req_header(r, "x-csrf-token");
		if (!tok || strlen(tok) != strlen(r->csrf) ||
		    sodium_memcmp(tok, r->csrf, strlen(r->csrf)) != 0)
			return yw_errf(&r->err, YW_ECSRF, "X-CSRF-Token",
				       "missing or wrong X-CSRF-Token for a cookie-authenticated write");
	}
	return 0;
}

static int decode_body(struct http_req *r)
{
	h2o_req_t *h = r->h;
	const char *ct = http_req_header(r, "content-type");
	struct jin_error jerr;

	if (!ct || strncasecmp(ct, "application/json", 16) || (ct[16] && ct[16] != ';' && ct[16] != ' '))
		return yw_errf(&r->err, YW_EMEDIA, "Content-Type", "send Content-Type: application/json");
	if (!h->entity.base || !h->entity.len)
		return yw_errf(&r->err, YW_EJSON, "", "the body is empty; send a JSON object");
	r->body = jin_load(h->entity.base, h->entity.len, &jerr);
	if (!r->body) {
		yw_err_text(&r->err, YW_EJSON, "", jerr.text);
		return yw_err_wrapf(&r->err, YW_EJSON, "", &r->err, "malformed JSON at line %d column %d: ",
				    jerr.line, jerr.column);
	}
	if (!json_is_object(r->body))
		return yw_errf(&r->err, YW_EJSON, "", "the body must be a JSON object");
	return 0;
}

size_t http_route_body_max(const struct http_route *route)
{
	if (route->flags & HR_SMALL)
		return HTTP_SMALL_MAX;
	if (route->flags & HR_JSON)
		return HTTP_JSON_MAX;
	if (route->flags & HR_RAW)
		return HTTP_PART_MAX;
	return 0;
}

/*
 * The route's own body limit, checked before anything else reads the
 * body or the database: h2o has read the body (HTTP_BODY_MAX at most),
 * and nothing beyond that.
 */
static int check_body_size(struct http_req *r)
{
	size_t max = http_route_body_max(r->route), len = r->h->entity.len;

	if (!max && len > 0 && is_write(r->h))
		return yw_errf(&r->err, YW_EINVAL, "", "this endpoint takes no body");
	if (max && len > max)
		return yw_errf(&r->err, YW_ETOOBIG, "", "the body is larger than %zu KiB, this endpoint's limit",
			       max >> 10);
	return 0;
}

void http_req_release(struct http_req *r)
{
	if (r->body)
		json_decref(r->body);
	r->body = NULL;
	yw_err_clear(&r->err);
	strbuf_release(&r->answer);
	arena_free(&r->arena);
}

void http_batch_reply(struct http_req *r, struct db *db, int rc, const struct yw_err *read_err)
{
	r->db = db;
	r->replying = true;
	if (!rc && read_err->code) {
		rc = read_err->code;
		yw_err_clear(&r->err);
		yw_err_copy(&r->err, read_err);
	}
	if (!rc)
		rc = r->route->fn(r);
	if (rc)
		http_send_error(r, rc);
	http_req_release(r);
}

int http_api_handle(h2o_req_t *h, struct db *db)
{
	struct http_req r;
	const struct http_route *route = NULL;
	size_t plen = h->query_at == SIZE_MAX ? h->path.len : h->query_at;
	int rc;

	memset(&r, 0, sizeof(r));
	strbuf_init(&r.answer, 0);
	r.h = h;
	r.db = db;
	r.arena.cap = 4u << 20;
	client_ip(&r);

	if ((rc = http_route_match(h->method.base, h->method.len, h->path.base, plen, &route, &r)))
		goto out;
	r.route = route;
	if ((rc = check_body_size(&r)) || (rc = parse_query(&r)))
		goto out;
	/*
	 * A read request runs in the turn's read transaction, authentication
	 * included: one snapshot for all its queries, and SQLite takes its
	 * file locks once instead of once per statement (those locks are
	 * what two workers contend on). A write run by the writer thread
	 * (HR_BATCH) only reads here, to authenticate and decode: it shares
	 * the turn's reads too. Any other write writes on this connection,
	 * so the turn's reads end first. A bearer token's last_used_at is
	 * written after the request (r.touch_token), by the writer thread in
	 * its batch for an HR_BATCH request: written here, inside the turn's
	 * read transaction, it failed whenever the writer had committed since
	 * the turn began ("database is locked"), and so on every request.
	 */
	if (!is_write(h) || (route->flags & HR_BATCH))
		rc = http_read_begin(h->conn->ctx, db, &r.err);
	else
		http_read_end();
	if (rc)
		goto out;
	if (!(route->flags & HR_PUBLIC) && (rc = authenticate(&r)))
		goto out;
	/* the one permission check of every route (domain/account/perm.h) */
	if ((rc = perm_request(db, &r.actor, route->perm, r.id, &r.err)))
		goto out;
	if ((route->flags & HR_JSON) && (rc = decode_body(&r)))
		goto out;
	if (route->flags & HR_BATCH) {
		http_batch_add(&r);   /* owns r's memory now, r.touch_token included */
		return 0;
	}
	rc = route->fn(&r);
out:
	/* a handler must never leave a transaction open, but for the turn's reads */
	if (!reads.open || db_in_write(db)) {
		http_read_end();
		db_rollback(db);
	}
	if (rc)
		http_send_error(&r, rc);
	if (r.touch_token) {
		http_read_end();
		acct_token_touch(db, r.touch_token);
	}
	http_req_release(&r);
	return 0;
}
