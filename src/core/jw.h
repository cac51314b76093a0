/*
 * jw.h - a JSON writer: appends compact JSON text to a strbuf as the
 * values are written, with no tree in between.
 *
 * A ticket answered as a jansson tree cost a hash-table insert and a
 * malloc per member, and a free per member after jout had encoded it:
 * a sixth of a worker's time on GET /tickets/{id}. The ticket and the
 * list of tickets are written with jw instead. Its text is what
 * jout_dump() writes for the same values in the same order (the same
 * string escapes, integers and no whitespace), so a response reads the
 * same either way; tests/unit/core/test_core_jout.c holds it to that.
 *
 *	struct jw w;
 *	jw_init(&w, &sb);
 *	jw_obj(&w);
 *	jw_key(&w, "id");             // a string literal
 *	jw_int(&w, 7);
 *	jw_key(&w, "tags");
 *	jw_arr(&w);
 *	jw_str(&w, "网络");
 *	jw_end_arr(&w);
 *	jw_end_obj(&w);               // {"id":7,"tags":["网络"]}
 *
 * The writer does not check that keys and values alternate: its callers
 * are fixed sequences, and the tests compare their output.
 */
#ifndef YW_JW_H
#define YW_JW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "strbuf.h"

struct jw {
	struct strbuf *out;
	bool comma;   /* a value ended last: the next value or key is preceded by ',' */
};

void jw_init(struct jw *w, struct strbuf *out);
void jw_obj(struct jw *w);
void jw_end_obj(struct jw *w);
void jw_arr(struct jw *w);
void jw_end_arr(struct jw *w);
/*
 * A key is the caller's own name, text that needs no escape (asserted):
 * it is copied as it is, which a ticket's fifty keys made worth it.
 * jw_key() takes a string literal and pastes the quotes and the colon
 * onto it at compile time, so a key is one copy of a known length;
 * jw_key_n() takes any other text, jw_key_quoted() a table of keys
 * written that way.
 */
void jw_key_n(struct jw *w, const char *key, size_t len);
#define jw_key(w, key) jw_key_quoted((w), "\"" key "\":", sizeof("\"" key "\":") - 1)
/* What jw_key() expands to: text is the key quoted, then ':'. */
static inline void jw_key_quoted(struct jw *w, const char *text, size_t len)
{
	struct strbuf *sb = w->out;
	char *p;

	if (sb->alloc - sb->len <= len + 1)
		strbuf_grow(sb, len + 1);
	p = sb->buf + sb->len;
	if (w->comma)
		*p++ = ',';
	memcpy(p, text, len);
	p += len;
	*p = '\0';
	sb->len = (size_t)(p - sb->buf);
	w->comma = false;
}
/* Strings are taken as UTF-8 (text the domain validated before it stored it). NULL writes null. */
void jw_str(struct jw *w, const char *s);
void jw_int(struct jw *w, int64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* An id, or null for 0. */
void jw_id(struct jw *w, int64_t id);
/* A time as ISO 8601 UTC (yw_fmt_iso), or null for 0. */
void jw_time(struct jw *w, int64_t t);
/* A jansson value, as jout_dump() writes it. */
void jw_json(struct jw *w, const json_t *j);

#endif
