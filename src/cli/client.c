#include "../core/yw.h"
#include "../core/utf8.h"
#include "client.h"
#include "cli.h"
#include <curl/curl.h>

int client_init(struct client *c, const char *server_opt)
{
	const char *env;

	c->server = server_opt;
	if (!c->server)
		c->server = (env = getenv("YUNWEI_SERVER")) && *env ? env : "http://127.0.0.1:8080";
	c->token = getenv("YUNWEI_TOKEN");
	if (!c->token || !*c->token) {
		fprintf(stderr, "error: set YUNWEI_TOKEN to a bearer token ('yunwei token create USER')\n");
		return CLI_USAGE;
	}
	if (strncmp(c->server, "http://", 7) && strncmp(c->server, "https://", 8)) {
		fprintf(stderr, "error: --server must be an http:// or https:// URL\n");
		return CLI_USAGE;
	}
	return CLI_OK;
}

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
	strbuf_add(data, p, size * n);
	return size * n;
}

int client_call(struct client *c, const char *method, const char *path, json_t *body,
		const char *extra_header, json_t **out)
{
	struct strbuf url = STRBUF_INIT, auth = STRBUF_INIT, resp = STRBUF_INIT;
	struct curl_slist *headers = NULL;
	char *payload = NULL;
	long status = -1;
	CURL *curl;
	CURLcode rc;

	*out = NULL;
	curl = curl_easy_init();
	if (!curl) {
		fprintf(stderr, "error: cannot initialise libcurl\n");
		return -1;
	}
	strbuf_addstr(&url, c->server);
	while (url.len && url.buf[url.len - 1] == '/')
		strbuf_setlen(&url, url.len - 1);
	strbuf_addstr(&url, path);
	strbuf_addf(&auth, "Authorization: Bearer %s", c->token);
	headers = curl_slist_append(headers, auth.buf);
	headers = curl_slist_append(headers, "Accept: application/json");
	headers = curl_slist_append(headers, cli_zh() ? "Accept-Language: zh-CN" : "Accept-Language: en");
	if (extra_header)
		headers = curl_slist_append(headers, extra_header);
	if (body) {
		payload = json_dumps(body, JSON_COMPACT);
		headers = curl_slist_append(headers, "Content-Type: application/json");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload);
	}
	curl_easy_setopt(curl, CURLOPT_URL, url.buf);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(curl);
	if (rc != CURLE_OK) {
		fprintf(stderr, "error: cannot reach %s: %s\n", c->server, curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		if (resp.len)
			*out = json_loadb(resp.buf, resp.len, 0, NULL);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	free(payload);
	strbuf_release(&url);
	strbuf_release(&auth);
	strbuf_release(&resp);
	return (int)status;
}

int client_get_all(struct client *c, const char *path, json_t **out)
{
	struct strbuf url = STRBUF_INIT;
	json_t *items = json_array(), *page = NULL;
	const char *cursor = NULL;
	char *next = NULL;
	int status;

	*out = NULL;
	do {
		strbuf_reset(&url);
		strbuf_addf(&url, "%s%climit=200", path, strchr(path, '?') ? '&' : '?');
		if (cursor) {
			/* cursors are base64url: nothing to escape */
			strbuf_addf(&url, "&cursor=%s", cursor);
		}
		if ((status = client_call(c, "GET", url.buf, NULL, NULL, &page)) != 200)
			break;
		json_array_extend(items, json_object_get(page, "items"));
		free(next);
		cursor = json_string_value(json_object_get(page, "next_cursor"));
		next = cursor ? yw_strdup(cursor) : NULL;
		cursor = next;
		json_decref(page);
		page = NULL;
	} while (cursor);
	free(next);
	strbuf_release(&url);
	if (status != 200) {
		json_decref(items);
		*out = page;
		return status;
	}
	*out = json_pack("{s:o}", "items", items);
	return 200;
}

int client_fail(int status, json_t *resp)
{
	json_t *e = json_object_get(resp, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));
	const char *field = json_string_value(json_object_get(e, "field"));
	json_t *allowed = json_object_get(e, "allowed");

	if (status < 0)
		return CLI_FAIL;
	fprintf(stderr, "error: %s", msg ? msg : "request failed");
	if (field && *field)
		fprintf(stderr, " (%s)", field);
	fprintf(stderr, " [HTTP %d]\n", status);
	if (json_is_array(allowed)) {
		size_t i;
		json_t *v;
		fprintf(stderr, "allowed:");
		json_array_foreach(allowed, i, v)
			fprintf(stderr, " %s", json_string_value(v) ? json_string_value(v) : "?");
		fputc('\n', stderr);
	}
	return CLI_FAIL;
}

static bool wide(int32_t cp)
{
	return utf8_is_cjk(cp) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6);
}

size_t cli_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t w = 0;

	while (p < end) {
		int32_t cp = utf8_decode(&p, end);
		if (cp < 0) {
			p++;
			w++;
			continue;
		}
		w += wide(cp) ? 2 : 1;
	}
	return w;
}

void cli_pad(struct strbuf *sb, const char *s, size_t width)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t w = 0;

	if (cli_width(s) <= width) {
		strbuf_addstr(sb, s);
		for (w = cli_width(s); w < width; w++)
			strbuf_addch(sb, ' ');
		return;
	}
	while (p < end) {
		const unsigned char *at = p;
		int32_t cp = utf8_decode(&p, end);
		size_t cw = cp < 0 ? 1 : wide(cp) ? 2 : 1;
		if (cp < 0)
			p = at + 1;
		if (w + cw + 1 > width)
			break;
		strbuf_add(sb, at, p - at);
		w += cw;
	}
	strbuf_addstr(sb, "…");
	for (w++; w < width; w++)
		strbuf_addch(sb, ' ');
}
