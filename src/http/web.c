#include "../core/yw.h"
#include "../core/embed.h"
#include "../core/strbuf.h"
#include "web.h"
#include <sodium.h>

extern const struct embed_file web_files[];

static const struct {
	const char *ext, *type;
} mime[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *mime_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < ARRAY_SIZE(mime); i++)
		if (!strcmp(dot, mime[i].ext))
			return mime[i].type;
	return "application/octet-stream";
}

void web_register(h2o_pathconf_t *path)
{
	(void)path;
}

static void not_found(h2o_req_t *req)
{
	static const char body[] = "{\"error\":{\"code\":\"not_found\",\"message\":\"no such page\"}}";
	req->res.status = 404;
	req->res.reason = "Not Found";
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
		       H2O_STRLIT("application/json; charset=utf-8"));
	h2o_send_inline(req, body, sizeof(body) - 1);
}

static void send_file(h2o_req_t *req, const char *path, const unsigned char *data, size_t size)
{
	unsigned char h[16];
	char etag[40], hex[33];
	const char *type = mime_of(path);
	ssize_t i;

	crypto_generichash(h, sizeof(h), data, size, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	int n = snprintf(etag, sizeof(etag), "\"%s\"", hex);
	char *etag_pool = h2o_mem_alloc_pool(&req->pool, n + 1);
	memcpy(etag_pool, etag, n + 1);

	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ETAG, NULL, etag_pool, n);
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-cache"));
	h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-content-type-options"), 0, NULL,
			      H2O_STRLIT("nosniff"));
	h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("content-security-policy"), 0, NULL,
			      H2O_STRLIT("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
					 " object-src 'none'; base-uri 'none'; frame-ancestors 'self'"));
	if ((i = h2o_find_header(&req->headers, H2O_TOKEN_IF_NONE_MATCH, -1)) >= 0 &&
	    h2o_memis(req->headers.entries[i].value.base, req->headers.entries[i].value.len, etag_pool, n)) {
		req->res.status = 304;
		req->res.reason = "Not Modified";
		h2o_send_inline(req, "", 0);
		return;
	}
	req->res.status = 200;
	req->res.reason = "OK";
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, type, strlen(type));
	h2o_send_inline(req, (const char *)data, size);
}

static const struct embed_file *find_embedded(const char *rel)
{
	for (const struct embed_file *f = web_files; f->path; f++)
		if (!strcmp(f->path, rel))
			return f;
	return NULL;
}

static int serve_from_disk(h2o_req_t *req, const char *root, const char *rel)
{
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	char buf[65536];
	size_t n;
	FILE *f;

	strbuf_addf(&path, "%s/%s", root, rel);
	f = fopen(path.buf, "rb");
	strbuf_release(&path);
	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&data, buf, n);
	fclose(f);
	send_file(req, rel, (const unsigned char *)data.buf, data.len);
	strbuf_release(&data);
	return 0;
}

int web_handle(h2o_req_t *req, const char *web_root)
{
	h2o_iovec_t p = req->path_normalized;
	char rel[512];
	const struct embed_file *f;

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
		if (serve_from_disk(req, web_root, rel) == 0)
			return 0;
		if (!strchr(rel, '.') && serve_from_disk(req, web_root, "index.html") == 0)
			return 0;
		not_found(req);
		return 0;
	}
	if ((f = find_embedded(rel)) || (!strchr(rel, '.') && (f = find_embedded("index.html"))))
		send_file(req, f->path, f->data, f->size);
	else
		not_found(req);
	return 0;
}
