/*
 * http.h - the HTTP layer: routes, authentication, JSON in and out.
 *
 * No business rules live here. A handler decodes its input, calls the
 * domain with the caller's struct yw_actor, and encodes the result:
 *
 *	static int get_transitions(struct http_req *r)
 *	{
 *		json_t *j;
 *		int rc = tk_transitions_json(r->db, &r->actor, r->id, &j, &r->err);
 *		if (rc)
 *			return rc;
 *		return http_json(r, 200, j);
 *	}
 *
 * A handler returns 0 once it has sent a response, or a YW_E* code with
 * r->err filled in; the dispatcher then sends the one error body
 * (http_send_error), so no handler builds error JSON by hand.
 */
#ifndef YW_HTTP_H
#define YW_HTTP_H

#include <h2o.h>
#include <jansson.h>
#include "../core/err.h"
#include "../core/arena.h"
#include "../core/strbuf.h"
#include "../domain/account/acct.h"
#include "../domain/account/perm.h"

struct db;
struct http_req;

typedef int (*http_handler_fn)(struct http_req *r);

enum {
	HR_PUBLIC = 1 << 0,   /* no authentication */
	HR_JSON = 1 << 1,     /* body must be a JSON object (<= 1 MiB), parsed into r->body */
	HR_RAW = 1 << 2,      /* body taken as is (attachments, upload parts), <= HTTP_PART_MAX */
	HR_NOCSRF = 1 << 3,   /* a write that needs no CSRF token (login) */
	HR_BATCH = 1 << 4,    /* a write run in a group commit (batch.c), see r->replying */
	HR_SMALL = 1 << 5,    /* a JSON body of at most HTTP_SMALL_MAX (login): refused before anything else */
};

struct http_route {
	const char *method;
	const char *pattern;   /* "/api/v1/tickets/{id}/comments"; {id} is a positive integer */
	http_handler_fn fn;
	unsigned flags;
	const char *summary;   /* one line, checked against docs/openapi.yaml */
	/*
	 * Who may call it (domain/account/perm.h), checked by the dispatcher after
	 * authentication, on the {id} record when the row's kind names one.
	 * A route without one is refused; test_perm fails on it.
	 */
	enum perm perm;
};

/* Each module of handlers exports a table ending with { NULL }. */
extern const struct http_route http_routes_core[];
extern const struct http_route http_routes_accounts[];
extern const struct http_route http_routes_tickets[];
extern const struct http_route http_routes_calendars[];
extern const struct http_route http_routes_sla[];
extern const struct http_route http_routes_views[];
extern const struct http_route http_routes_uploads[];

#define HTTP_MAX_PARAMS 4
/*
 * Body limits. h2o reads a whole body before it calls a handler, so its
 * global cap (HTTP_BODY_MAX, max_request_entity_size) is what a body in
 * flight may hold: it refuses a larger declared Content-Length at once
 * and stops a chunked body when it passes it (413, connection closed).
 * The dispatcher then holds each route to its own limit
 * (http_route_body_max) before authentication or decoding. Attachments
 * larger than one raw part go up in parts (h_uploads.c).
 */
#define HTTP_SMALL_MAX (4u << 10)   /* HR_SMALL: a login */
#define HTTP_JSON_MAX (1u << 20)    /* HR_JSON */
#define HTTP_PART_MAX (1u << 20)    /* HR_RAW: one request's attachment or upload part */
#define HTTP_BODY_MAX HTTP_JSON_MAX /* the largest of the above */
/* The most bytes a request to route may carry. */
size_t http_route_body_max(const struct http_route *route);

struct http_query_param {
	const char *name, *value;
};

struct http_req {
	h2o_req_t *h;
	struct db *db;
	struct arena arena;                    /* freed after the response */
	const struct http_route *route;
	const char *params[HTTP_MAX_PARAMS];   /* path captures, decoded */
	size_t nparams;
	int64_t id;                            /* first {id} capture */
	int64_t id2;                           /* second {id} capture */
	json_t *body;                          /* HR_JSON routes */
	struct http_query_param *query;
	size_t nquery;
	struct yw_actor actor;
	bool via_cookie;
	int64_t touch_token;                   /* a bearer token whose last_used_at is due */
	char csrf[ACCT_SECRET_LEN];
	char sid[ACCT_SECRET_LEN];
	const char *allow;                     /* a 405's Allow header (router.c) */
	struct yw_err err;
	/*
	 * HR_BATCH: the handler runs twice. First it only writes, leaving
	 * what its answer needs here (result_id), and sends nothing; after
	 * the batch committed it runs again with replying set, in a read
	 * transaction of its own, and sends the answer.
	 */
	bool replying;
	int64_t result_id;
	/*
	 * The answer the write run rendered, when it could (answer.len > 0):
	 * the replying run sends it with answer_status as it is
	 * (http_answer_send), and nothing is read back. A write run that
	 * runs again (batch.c) renders it again.
	 */
	struct strbuf answer;
	int answer_status;
};

/*
 * Group commit (batch.c). The server calls http_batch_thread_init() in
 * each worker once its context exists, and http_batch_thread_done()
 * before disposing of it, when http_batch_inflight() is 0.
 * http_api_handle() queues an HR_BATCH request with http_batch_add(),
 * which takes over r's memory; when its batch is done, the owning
 * worker calls http_batch_reply() (rc: what the write returned), which
 * answers and releases the request. The worker answers the requests
 * that came back together in the turn's read transaction
 * (http_read_begin), begun after their commit; read_err is why that
 * transaction could not begin (code 0 when it did).
 */
int http_batch_start(const char *db_path, struct yw_err *err);
void http_batch_stop(void);
void http_batch_thread_init(h2o_context_t *ctx, struct db *db);
void http_batch_thread_done(void);
size_t http_batch_inflight(void);
void http_batch_add(struct http_req *r);
void http_batch_reply(struct http_req *r, struct db *db, int rc, const struct yw_err *read_err);
/* Frees what a request holds (body, error detail, arena). */
void http_req_release(struct http_req *r);

/* Sends j (the reference is stolen) with status. Returns 0. */
int http_json(struct http_req *r, int status, json_t *j);
/*
 * A response written with core/jw.h instead of built as a tree:
 * http_json_buf() empties and returns the worker's response buffer, the
 * handler writes into it, and http_json_send() sends what it holds. A
 * handler that fails after writing returns its error as usual; the error
 * body replaces what it wrote.
 */
struct strbuf *http_json_buf(struct http_req *r);
int http_json_send(struct http_req *r, int status);
/* Sends r->answer with r->answer_status (an HR_BATCH write run rendered it). Returns 0. */
int http_answer_send(struct http_req *r);
/* Sends bytes with a content type (copied into the request pool). Returns 0. */
int http_send(struct http_req *r, int status, const char *content_type, const void *data, size_t len);
/* Adds a response header; name and value are copied. */
void http_header(struct http_req *r, const char *name, const char *value);
/*
 * Sets a cookie: value is "name=...; attributes", to which "; Secure" is
 * added when the request came over TLS or the server is behind a TLS
 * proxy (http_tls_proxy).
 */
void http_set_cookie(struct http_req *r, const char *value);
/* Sends the error in r->err as {"error":{"code","message","field"}}. */
void http_send_error(struct http_req *r, int code);

/* Whether the client reads zh-CN (the default) rather than English, by Accept-Language. */
bool http_lang_zh(h2o_req_t *h);
/* A request header's value as a NUL-terminated copy (arena), or NULL. */
const char *http_req_header(struct http_req *r, const char *name);
/* A query parameter, or NULL. */
const char *http_query(struct http_req *r, const char *name);
/*
 * Rejects a query parameter not in allowed (NULL-terminated) or given
 * twice, with YW_EUNKNOWN / YW_EINVAL naming it.
 */
int http_query_check(struct http_req *r, const char *const *allowed);
/* Parses a query parameter as an integer in [min, max]; absent leaves *out alone. */
int http_query_int(struct http_req *r, const char *name, int64_t min, int64_t max, int64_t *out);

/*
 * Cursors of the lists paged by id: base64url of the last id sent, so a
 * client treats them as opaque. http_query_cursor() reads ?cursor= (0 when
 * absent; 400 on field "cursor" for anything this server did not make);
 * http_cursor_json() makes the next one (null for the last page).
 */
int http_query_cursor(struct http_req *r, int64_t *id);
json_t *http_cursor_json(int64_t id);

/* If-Match: a version number, quoted or not. YW_EPRECOND when absent. */
int http_if_match(struct http_req *r, int64_t *version);

/*
 * Routing: finds the route for method and path; 404/405 via the return
 * code. For a 405 r->allow lists the methods the path has ("GET, POST").
 */
int http_route_match(const char *method, size_t mlen, const char *path, size_t plen,
		     const struct http_route **route, struct http_req *r);
/* All route tables, for the OpenAPI check and the router. NULL-terminated. */
extern const struct http_route *const http_route_tables[];

/*
 * Ticket create and PATCH bodies decoded with the handlers' own field
 * tables (exported for the fuzz target). Strings borrow from body.
 */
struct tk_new;
struct tk_patch;
int http_ticket_decode_create(json_t *body, struct tk_new *in, struct yw_err *err);
int http_ticket_decode_patch(json_t *body, struct tk_patch *p, struct yw_err *err);

/* The handler for every request under /api/ */
int http_api_handle(h2o_req_t *req, struct db *db);
/* Frees what the calling worker thread kept between requests. */
void http_api_thread_done(void);
/*
 * The read transaction a worker's requests share in a turn of its loop
 * (api.c): http_read_begin() begins it unless it is open, and the turn's
 * end ends it; http_read_end() ends it sooner, if open.
 */
int http_read_begin(h2o_context_t *ctx, struct db *db, struct yw_err *err);
void http_read_end(void);

/*
 * Adds "CIDR[,CIDR...]" to the reverse proxies whose X-Forwarded-For is
 * believed (ipnet.h); YW_EINVAL naming field when malformed. Called
 * before http_serve(); with none, the peer's address is the client's.
 */
int http_trust_proxies(const char *list, const char *field, struct yw_err *err);

/* The server: workers, listening socket, clean shutdown. */
struct http_server_opts {
	const char *db_path;
	const char *listen;      /* "127.0.0.1:8080" */
	const char *web_root;    /* serve web/ from disk instead of the binary, or NULL */
	int threads;             /* 0: one per core */
	int max_conns;           /* open connections at most; 0: HTTP_MAX_CONNS */
	bool h2c;                /* accept cleartext HTTP/2 (h2c upgrade, prior knowledge) */
	bool tls_proxy;          /* behind a TLS-terminating proxy: cookies get Secure */
};
/*
 * Bodies in flight hold at most max_conns x HTTP_BODY_MAX (h2o's input
 * buffers round that up to their next power of two): the default bounds
 * them near 512 MiB.
 */
#define HTTP_MAX_CONNS 512
int http_serve(const struct http_server_opts *opts, struct yw_err *err);
/*
 * Where files beside the database live (attachments): the directory of
 * opts->db_path, set by http_serve() before the workers start and
 * read-only afterwards.
 */
extern char http_data_dir[4096];
/* Where unfinished uploads in parts live: <data dir>/attachments/.uploads (arena). */
const char *http_upload_dir(struct http_req *r);
/* opts->tls_proxy, set by http_serve() before the workers start. */
extern bool http_tls_proxy;

/*
 * Request framing (framing.c). h2o 2.2 keeps the first of two
 * Content-Length fields, lets Transfer-Encoding win over Content-Length
 * and accepts obs-fold and bare LF line ends: ambiguities that let a
 * request hidden in a body run as the next one (RFC 9112 6.3, 11.2).
 * http_framing_check() scans an HTTP/1 request's head (the start of
 * head, up to its empty line, at most len bytes) and returns NULL when
 * it is unambiguous, else why not. http_framing_refuse() applies it to
 * a request before dispatch: it answers 400 and closes the connection
 * (returning 1), or returns 0.
 */
const char *http_framing_check(const char *head, size_t len);
int http_framing_refuse(h2o_req_t *req);

#endif
