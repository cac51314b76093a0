/*
 * web.c - the static web UI.
 *
 * The files under web/ are built into the binary (embed_web.c). At start
 * web_register() prepares each one once: its ETag (a content hash, so a
 * changed file is never served from a stale cache) and, for text types,
 * a gzip copy. A request then costs a table lookup: no hashing and no
 * compression on the hot path. With --web-root the files are read from
 * disk on every request instead (for editing the UI without rebuilding),
 * hashed and compressed on the fly.
 *
 * Caching: "Cache-Control: no-cache" plus a strong ETag, so a browser
 * revalidates and gets 304 without the body while nothing changed, and
 * the new file the moment it did.
 */
#include "../core/yw.h"
#include "../core/embed.h"
#include "../core/err.h"
#include "../core/strbuf.h"
#include "http.h"
#include "web.h"
#include <sodium.h>
#include <zlib.h>
#include <sys/stat.h>

extern const struct embed_file web_files[];

static const struct {
	const char *ext, *type;
	bool text;   /* worth compressing */
} mime[] = {
	{ ".html", "text/html; charset=utf-8", true },
	{ ".js", "text/javascript; charset=utf-8", true },
	{ ".mjs", "text/javascript; charset=utf-8", true },
	{ ".css", "text/css; charset=utf-8", true },
	{ ".json", "application/json; charset=utf-8", true },
	{ ".svg", "image/svg+xml", true },
	{ ".png", "image/png", false },
	{ ".ico", "image/x-icon", false },
	{ ".woff2", "font/woff2", false },
	{ ".txt", "text/plain; charset=utf-8", true },
};

/* below this a gzip copy saves less than the header costs */
#define WEB_GZIP_MIN 512

/* One file ready to send: identity and (maybe) gzip bodies with their ETags. */
struct web_asset {
	const char *path;
	const char *type;
	const unsigned char *data;
	size_t size;
	unsigned char *gz;          /* NULL: not compressed */
	size_t gzsize;
	char etag[36], gzetag[40];  /* "<32 hex>" and "<32 hex>-gz" */
	bool owned;                 /* data/gz/path malloc'd (disk files) */
};

static struct web_asset *assets;
static size_t nassets;

static int mime_index(const char *path)
{
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < ARRAY_SIZE(mime); i++)
		if (!strcmp(dot, mime[i].ext))
			return (int)i;
	return -1;
}

/* gzip (RFC 1952) of data; NULL when it would not be smaller. */
static unsigned char *gzip_of(const unsigned char *data, size_t size, size_t *out_size)
{
	z_stream zs;
	unsigned char *out;
	uLong bound;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	bound = deflateBound(&zs, (uLong)size) + 32;
	out = yw_malloc(bound);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)size;
	zs.next_out = out;
	zs.avail_out = (uInt)bound;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END || zs.total_out >= size) {
		deflateEnd(&zs);
		free(out);
		return NULL;
	}
	*out_size = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static void asset_prepare(struct web_asset *a, const char *path, const unsigned char *data, size_t size)
{
	unsigned char h[16];
	char hex[33];
	int mi = mime_index(path);

	a->path = path;
	a->data = data;
	a->size = size;
	a->type = mi >= 0 ? mime[mi].type : "application/octet-stream";
	crypto_generichash(h, sizeof(h), data, size, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(a->etag, sizeof(a->etag), "\"%s\"", hex);
	snprintf(a->gzetag, sizeof(a->gzetag), "\"%s-gz\"", hex);
	a->gz = NULL;
	if (mi >= 0 && mime[mi].text && size >= WEB_GZIP_MIN)
		a->gz = gzip_of(data, size, &a->gzsize);
}

static void asset_release(struct web_asset *a)
{
	free(a->gz);
	if (a->owned) {
		free((void *)a->data);
		free((void *)a->path);
	}
}

void web_register(h2o_pathconf_t *path)
{
	(void)path;
	if (assets)
		return;
	for (const struct embed_file *f = web_files; f->path; f++)
		nassets++;
	assets = yw_calloc(nassets + 1, sizeof(*assets));
	for (size_t i = 0; i < nassets; i++)
		asset_prepare(&assets[i], web_files[i].path, web_files[i].data, web_files[i].size);
}

/* The API's error body, in the language Accept-Language prefers (err.h). */
static void not_found(h2o_req_t *req)
{
	static const char en[] = "{\"error\":{\"code\":\"not_found\",\"message\":\"no such page\"}}";
	static const char zh[] = "{\"error\":{\"code\":\"not_found\",\"message\":\"没有这个页面\"}}";
	bool in_zh = http_lang_zh(req);

	req->res.status = 404;
	req->res.reason = "Not Found";
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
		       H2O_STRLIT("application/json; charset=utf-8"));
	h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-content-type-options"), 0, NULL,
			      H2O_STRLIT("nosniff"));
	h2o_send_inline(req, in_zh ? zh : en, in_zh ? sizeof(zh) - 1 : sizeof(en) - 1);
}

/* Whether Accept-Encoding lists gzip (or *) without q=0. */
static bool accepts_gzip(h2o_req_t *req)
{
	ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_ACCEPT_ENCODING, -1);
	char list[256], *save = NULL;

	if (i < 0 || req->headers.entries[i].value.len >= sizeof(list))
		return false;
	snprintf(list, sizeof(list), "%.*s", (int)req->headers.entries[i].value.len,
		 req->headers.entries[i].value.base);
	for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *q = strchr(item, ';');
		size_t n;

		item += strspn(item, " \t");
		n = q ? (size_t)(q - item) : strlen(item);
		while (n && (item[n - 1] == ' ' || item[n - 1] == '\t'))
			n--;
		if (!((n == 4 && !strncasecmp(item, "gzip", 4)) || (n == 1 && *item == '*')))
			continue;
		if (q && (q = strstr(q, "q=")) && strtod(q + 2, NULL) <= 0.0)
			return false;
		return true;
	}
	return false;
}

static void send_asset(h2o_req_t *req, const struct web_asset *a)
{
	bool gz = a->gz && accepts_gzip(req);
	const char *etag = gz ? a->gzetag : a->etag;
	size_t elen = strlen(etag);
	ssize_t i;

	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ETAG, NULL, etag, elen);
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-cache"));
	if (a->gz)
		h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_VARY, NULL, H2O_STRLIT("Accept-Encoding"));
	h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-content-type-options"), 0, NULL,
			      H2O_STRLIT("nosniff"));
	h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("content-security-policy"), 0, NULL,
			      H2O_STRLIT("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
					 " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
					 " frame-ancestors 'self'"));
	h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("referrer-policy"), 0, NULL,
			      H2O_STRLIT("same-origin"));
	if ((i = h2o_find_header(&req->headers, H2O_TOKEN_IF_NONE_MATCH, -1)) >= 0 &&
	    h2o_contains_token(req->headers.entries[i].value.base, req->headers.entries[i].value.len,
			       etag, elen, ',')) {
		req->res.status = 304;
		req->res.reason = "Not Modified";
		h2o_send_inline(req, "", 0);
		return;
	}
	req->res.status = 200;
	req->res.reason = "OK";
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, a->type, strlen(a->type));
	if (gz) {
		h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_ENCODING, NULL, H2O_STRLIT("gzip"));
		h2o_send_inline(req, (const char *)a->gz, a->gzsize);
	} else {
		h2o_send_inline(req, (const char *)a->data, a->size);
	}
}

static const struct web_asset *find_embedded(const char *rel)
{
	for (size_t i = 0; i < nassets; i++)
		if (!strcmp(assets[i].path, rel))
			return &assets[i];
	return NULL;
}

/* Whether rel names a directory of the built-in files ("css" of "css/app.css"). */
static bool is_embedded_dir(const char *rel)
{
	size_t n = strlen(rel);

	for (size_t i = 0; i < nassets; i++)
		if (!strncmp(assets[i].path, rel, n) && assets[i].path[n] == '/')
			return true;
	return false;
}

/*
 * Sends the file rel under root. Returns 0 when sent, -1 when there is
 * no such file, -2 when rel is a directory (which fopen opens, and which
 * read as an empty 200).
 */
static int serve_from_disk(h2o_req_t *req, const char *root, const char *rel)
{
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	struct web_asset a;
	struct stat sb;
	char buf[65536];
	size_t n;
	FILE *f;

	strbuf_addf(&path, "%s/%s", root, rel);
	f = fopen(path.buf, "rb");
	strbuf_release(&path);
	if (!f)
		return -1;
	if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return -2;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&data, buf, n);
	fclose(f);
	memset(&a, 0, sizeof(a));
	asset_prepare(&a, rel, (const unsigned char *)data.buf, data.len);
	send_asset(req, &a);   /* h2o_send_inline copied the body */
	asset_release(&a);
	strbuf_release(&data);
	return 0;
}

int web_handle(h2o_req_t *req, const char *web_root)
{
	h2o_iovec_t p = req->path_normalized;
	char rel[512];
	const struct web_asset *a;

	if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
	    !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"))) {
		not_found(req);
		return 0;
	}
	/* path_normalized has no "..", so it cannot leave the root */
	if (p.len < 1 || p.len >= sizeof(rel) || memchr(p.base, '\0', p.len)) {
		not_found(req);
		return 0;
	}
	snprintf(rel, sizeof(rel), "%.*s", (int)p.len - 1, p.base + 1);
	if (!rel[0] || rel[strlen(rel) - 1] == '/')
		snprintf(rel + strlen(rel), sizeof(rel) - strlen(rel), "index.html");

	if (web_root) {
		int rc = serve_from_disk(req, web_root, rel);
		if (rc == 0)
			return 0;
		if (rc == -1 && !strchr(rel, '.') && serve_from_disk(req, web_root, "index.html") == 0)
			return 0;
		not_found(req);
		return 0;
	}
	if ((a = find_embedded(rel)) || (!strchr(rel, '.') && !is_embedded_dir(rel) && (a = find_embedded("index.html"))))
		send_asset(req, a);
	else
		not_found(req);
	return 0;
}
