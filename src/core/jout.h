/*
 * jout.h - the JSON encoder for responses.
 *
 * jansson's json_dump_callback() spends most of a response's encoding
 * time on per-call overhead: it checks every container against a hash
 * set of its parents, decodes strings code point by code point and hands
 * the output to the callback in small pieces. jout walks the same tree
 * and writes straight into a strbuf, copying each run of plain string
 * bytes in one go.
 *
 * The output is byte for byte what
 *
 *	json_dump_callback(j, cb, out, JSON_COMPACT | JSON_ENCODE_ANY)
 *
 * writes for the same tree (tests/unit/core/test_core_jout.c and
 * fuzz/fuzz_jout.c hold it to that):
 *
 *  - no whitespace: "," between members and elements, ":" after keys;
 *  - object members in jansson's iteration order, which is insertion
 *    order (JSON_SORT_KEYS is not emulated);
 *  - strings and keys by their length, so embedded NULs come out as
 *    \u0000; '"', '\\', \b \f \n \r \t get their short escapes, other
 *    bytes below 0x20 \u00XX with upper-case hex; everything else,
 *    '/', DEL (0x7f), U+2028/U+2029 and all other non-ASCII, is copied
 *    as it is (jansson escapes none of them without JSON_ESCAPE_SLASH
 *    or JSON_ENSURE_ASCII);
 *  - integers in plain decimal, INT64_MIN included;
 *  - reals exactly as jansson prints them (jout asks jansson for those:
 *    they are rare in our responses).
 *
 * Where the two differ, on trees jansson refuses to encode:
 *
 *  - Strings are assumed to be valid UTF-8. jansson checks that when a
 *    string is made, except through the *_nocheck setters, whose callers
 *    vouch for it (jx_dbstr: text the domain validated before storing
 *    it). jout copies bytes >= 0x80 as they are; jansson would fail the
 *    whole dump on an invalid sequence, after writing part of it.
 *  - Cycles. jansson tracks the open containers to refuse a tree that
 *    contains itself; we never build one, so jout does not pay for that
 *    check. Instead it limits nesting to JOUT_MAX_DEPTH containers (the
 *    depth jansson's parser accepts), which also stops a cycle, and
 *    treats going deeper as a bug: BUG() aborts.
 */
#ifndef YW_JOUT_H
#define YW_JOUT_H

#include <jansson.h>
#include "strbuf.h"

/* Containers nested deeper than this are a bug (jansson's parser limit). */
#define JOUT_MAX_DEPTH JSON_PARSER_MAX_DEPTH

/*
 * Appends the compact JSON text of j (any type) to out. Does not take a
 * reference to j. A NULL j is a bug.
 */
void jout_dump(const json_t *j, struct strbuf *out);
/* One string (len bytes, assumed UTF-8) or integer, as jout_dump writes it in a tree. */
void jout_str(struct strbuf *out, const char *s, size_t len);
void jout_int(struct strbuf *out, int64_t v);

#endif
