/*
 * jin.h - the JSON decoder for request bodies.
 *
 * jin builds the same tree as jansson's json_loadb(), with jansson's own
 * constructors, so handlers and jx.h see no difference; what it adds is
 * its reasons for refusing a text, fixed strings that the zh-CN catalogue
 * translates (src/core/msg_zh.c; tests/api/i18n.test.mjs holds the API
 * to them), where jansson's English ones carry the text they stopped at.
 *
 * It is faster too, but not by enough to stay for that alone: on the
 * body of a ticket creation 9.5 k instructions against json_loadb's 31 k,
 * about 4.5% of the 480 k the server ran per created ticket (callgrind of
 * `yunwei serve --threads 1` answering wrk -s bench/create.lua, 42beb6b,
 * 2026-12-08; docs/performance.md). make bench's create runs differ by
 * more than that from one to the next.
 *
 * It accepts exactly what
 *
 *	json_loadb(buf, len, JSON_REJECT_DUPLICATES, &error)
 *
 * accepts, but for the one case below, and returns an equal tree
 * (json_equal(), the same integer and real types, members in the same
 * order); tests/unit/core/test_core_jin.c and
 * fuzz/fuzz_jin.c hold it to that, against the jansson the build links:
 *
 *  - the text is an object or an array, with only whitespace (space, tab,
 *    CR, LF) around it;
 *  - strings are UTF-8 without overlongs, surrogates or control
 *    characters; the escapes are JSON's, \u0000 is refused (jansson
 *    without JSON_ALLOW_NUL) and a surrogate pair must be whole;
 *  - a number without '.' or exponent is an integer and must fit int64_t;
 *    any other is a real, refused when it overflows a double;
 *  - a key twice in one object is refused;
 *  - at most JIN_MAX_DEPTH values nested in one another.
 *
 * One difference, on purpose: jansson drops a NUL byte that directly
 * follows a number or true, false or null (its lexer takes the NUL it
 * put back for the end of its look-ahead buffer), so it accepts "[1\0]";
 * jin refuses a NUL byte anywhere outside a \u escape, and \u0000 too.
 *
 * The error's line and column count from 1, the column in characters,
 * at the byte where the decoder stopped; its text is jin's own.
 */
#ifndef YW_JIN_H
#define YW_JIN_H

#include <jansson.h>
#include <stddef.h>

#define JIN_MAX_DEPTH 2048   /* jansson's JSON_PARSER_MAX_DEPTH */

struct jin_error {
	int line, column;
	size_t position;   /* bytes from the start */
	char text[96];
};

/* The decoded value (a new reference), or NULL with *error filled. */
json_t *jin_load(const char *buf, size_t len, struct jin_error *error);

#endif
