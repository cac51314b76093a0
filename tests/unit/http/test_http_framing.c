/*
 * test_http_framing.c - the scan of an HTTP/1 request head for ambiguous
 * framing (framing.c): what RFC 9112 says a server must refuse, and the
 * plain requests it must let through.
 */
#include "../../../src/http/framing.c"
#include "err.h"
#include <setjmp.h>
#include <cmocka.h>

static const struct {
	const char *head;
	const char *why;   /* a word of the reason, NULL when the head is fine */
} cases[] = {
	{ "GET / HTTP/1.1\r\nHost: x\r\n\r\n", NULL },
	{ "GET / HTTP/1.1\r\n\r\n", NULL },
	{ "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", NULL },
	{ "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", NULL },
	{ "POST /a HTTP/1.1\r\ntransfer-encoding:  Chunked \r\n\r\n", NULL },
	{ "POST /a HTTP/1.1\r\nX-Content-Length: 1\r\nContent-Length: 2\r\n\r\n", NULL },
	/* a bare LF after the head (in the body) is the body's business */
	{ "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\n\n\n", NULL },
	{ "POST /a HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", "Content-Length" },
	{ "POST /a HTTP/1.1\r\ncontent-length: 0\r\nCONTENT-LENGTH: 40\r\n\r\n", "Content-Length" },
	{ "POST /a HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "together" },
	{ "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", "together" },
	{ "POST /a HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "chunked" },
	{ "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", "chunked" },
	{ "POST /a HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", "chunked" },
	{ "GET / HTTP/1.1\r\nX-A: 1\r\n Content-Length: 5\r\n\r\n", "obs-fold" },
	{ "GET / HTTP/1.1\r\nX-A: 1\r\n\tmore\r\n\r\n", "obs-fold" },
	{ "GET / HTTP/1.1\nHost: x\r\n\r\n", "bare LF" },
	{ "GET / HTTP/1.1\r\nHost: x\n\r\n", "bare LF" },
	{ "GET / HTTP/1.1\r\nHost: x\r\n\n", "bare LF" },
	{ "GET / HTTP/1.1\r\nHost: x\r\n", "no end" },
	{ "", "no end" },
	{ "\r\n\r\n", "empty" },
};

static void test_cases(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *why = http_framing_check(cases[i].head, strlen(cases[i].head));
		if (!cases[i].why && why)
			fail_msg("case %zu refused: %s", i, why);
		if (cases[i].why && (!why || !strstr(why, cases[i].why)))
			fail_msg("case %zu: expected \"%s\", got %s", i, cases[i].why, why ? why : "(accepted)");
		if (why && !yw_msg_zh(why))
			fail_msg("case %zu: no zh-CN for \"%s\" in src/core/msg_zh.c", i, why);
	}
}

/* The scan stops at len: bytes past it (the next request) are never read. */
static void test_stops_at_len(void **state)
{
	const char *two = "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\nContent-Length: 1\r\n\r\n";
	size_t first = strstr(two, "\r\n\r\n") + 4 - two;

	assert_null(http_framing_check(two, first));
	assert_null(http_framing_check(two, strlen(two)));   /* only the first head counts */
	assert_non_null(http_framing_check(two, first - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_stops_at_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
