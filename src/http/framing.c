/*
 * framing.c - refusing HTTP/1 requests whose framing is ambiguous.
 *
 * h2o 2.2 takes Content-Length and Transfer-Encoding out of the headers
 * it hands a handler, so a duplicate is invisible there. But the raw head
 * is still at the start of the connection's input buffer while the
 * handler runs: http1.c consumes it only when the response has been sent,
 * and decodes a chunked body in place after the head. So the head is
 * scanned again here, for what RFC 9112 says a server must refuse
 * (6.3: Content-Length with Transfer-Encoding, two Content-Lengths, a
 * Transfer-Encoding not ending in chunked; 5.2: obs-fold; 2.2: a bare LF
 * is taken by lenient parsers as a line end where strict ones do not).
 */
#include "../core/yw.h"
#include "../core/log.h"
#include "http.h"
#include <jansson.h>

static bool name_is(const char *p, size_t n, const char *name)
{
	return n == strlen(name) && !strncasecmp(p, name, n);
}

/* Whether the value (OWS around it) is exactly "chunked". */
static bool value_is_chunked(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return end - p == 7 && !strncasecmp(p, "chunked", 7);
}

const char *http_framing_check(const char *head, size_t len)
{
	const char *p = head, *end = head + len;
	int content_length = 0, transfer_encoding = 0;
	bool first = true, chunked = true;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *colon;

		if (!nl)
			return "ambiguous request framing: the request head has no end";
		if (nl == p || nl[-1] != '\r')
			return "ambiguous request framing: a line of the request head ends in a bare LF";
		if (nl - p == 1 && first)
			return "ambiguous request framing: the request line is empty";
		if (nl - p == 1)
			break;   /* the empty line: the head ends */
		if (first) {
			first = false;
			p = nl + 1;
			continue;
		}
		if (*p == ' ' || *p == '\t')
			return "ambiguous request framing: a header is folded over lines (obs-fold)";
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon && name_is(p, (size_t)(colon - p), "content-length"))
			content_length++;
		if (colon && name_is(p, (size_t)(colon - p), "transfer-encoding")) {
			transfer_encoding++;
			chunked = chunked && value_is_chunked(colon + 1, nl - 1);
		}
		p = nl + 1;
	}
	if (p >= end)
		return "ambiguous request framing: the request head has no end";
	if (content_length > 1)
		return "ambiguous request framing: two Content-Length headers";
	if (content_length && transfer_encoding)
		return "ambiguous request framing: Content-Length together with Transfer-Encoding";
	if (transfer_encoding > 1 || !chunked)
		return "ambiguous request framing: a Transfer-Encoding other than chunked";
	return NULL;
}

/*
 * The error body in the language Accept-Language prefers. why is one of
 * http_framing_check()'s sentences, each with its zh-CN in msg_zh.c
 * (test_http_framing checks that every one has).
 */
static void refuse(h2o_req_t *req, const char *why)
{
	bool zh = http_lang_zh(req);
	struct yw_err err = YW_ERR_INIT;
	json_t *body;
	char *text;

	yw_err_text(&err, YW_EINVAL, "", why);
	body = json_pack("{s:{s:s, s:s}}", "error", "code", yw_err_name(YW_EINVAL), "message", yw_err_msg(&err, zh));
	text = json_dumps(body, JSON_COMPACT);
	req->http1_is_persistent = 0;
	req->res.status = 400;
	req->res.reason = "Bad Request";
	h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
		       H2O_STRLIT("application/json; charset=utf-8"));
	h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-content-type-options"), 0, NULL,
			      H2O_STRLIT("nosniff"));
	h2o_send_inline(req, text, strlen(text));   /* copies */
	free(text);
	json_decref(body);
	yw_err_clear(&err);
}

int http_framing_refuse(h2o_req_t *req)
{
	h2o_socket_t *sock;
	const char *buf, *why;
	size_t size;

	if (req->version >= 0x200 || !req->conn->callbacks->get_socket)
		return 0;
	if (!(sock = req->conn->callbacks->get_socket(req->conn)) || !sock->input)
		return 0;
	buf = sock->input->bytes;
	size = sock->input->size;
	/*
	 * The parser skips empty lines before the request line. Where a body
	 * came, h2o copied the method into the pool (the buffer may move as
	 * the body arrives), so the head is found by its content.
	 */
	while (size >= 2 && buf[0] == '\r' && buf[1] == '\n')
		buf += 2, size -= 2;
	if (size <= req->input.method.len || memcmp(buf, req->input.method.base, req->input.method.len)) {
		THIS_SHOULD_NEVER_HAPPEN;
		return 0;
	}
	why = http_framing_check(buf, size);
	if (!why)
		return 0;
	refuse(req, why);
	return 1;
}
