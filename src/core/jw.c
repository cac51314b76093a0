/* jw.c - the JSON writer (jw.h). */
#include "yw.h"
#include "jout.h"
#include "jw.h"
#include "ytime.h"

void jw_init(struct jw *w, struct strbuf *out)
{
	w->out = out;
	w->comma = false;
}

/* Before a value or a key: the comma after the one before. */
static inline void sep(struct jw *w)
{
	if (w->comma)
		strbuf_addch(w->out, ',');
}

void jw_obj(struct jw *w)
{
	sep(w);
	strbuf_addch(w->out, '{');
	w->comma = false;
}

void jw_end_obj(struct jw *w)
{
	strbuf_addch(w->out, '}');
	w->comma = true;
}

void jw_arr(struct jw *w)
{
	sep(w);
	strbuf_addch(w->out, '[');
	w->comma = false;
}

void jw_end_arr(struct jw *w)
{
	strbuf_addch(w->out, ']');
	w->comma = true;
}

/* [,]"text" for text that needs no escape, and then tail (':' after a key, or nothing). */
static void put_plain(struct jw *w, const char *text, size_t len, const char *tail)
{
	struct strbuf *sb = w->out;
	size_t tlen = strlen(tail);
	char *p;

	strbuf_grow(sb, len + tlen + 3);
	p = sb->buf + sb->len;
	if (w->comma)
		*p++ = ',';
	*p++ = '"';
	memcpy(p, text, len);
	p += len;
	*p++ = '"';
	memcpy(p, tail, tlen);
	p += tlen;
	sb->len = (size_t)(p - sb->buf);
	sb->buf[sb->len] = '\0';
}

void jw_key_n(struct jw *w, const char *key, size_t len)
{
	for (size_t i = 0; i < len; i++)
		assert((unsigned char)key[i] >= 0x20 && key[i] != '"' && key[i] != '\\');
	put_plain(w, key, len, ":");
	w->comma = false;
}

void jw_str(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	sep(w);
	jout_str(w->out, s, strlen(s));
	w->comma = true;
}

void jw_int(struct jw *w, int64_t v)
{
	sep(w);
	jout_int(w->out, v);
	w->comma = true;
}

void jw_bool(struct jw *w, bool v)
{
	sep(w);
	strbuf_addstr(w->out, v ? "true" : "false");
	w->comma = true;
}

void jw_null(struct jw *w)
{
	sep(w);
	strbuf_addstr(w->out, "null");
	w->comma = true;
}

void jw_id(struct jw *w, int64_t id)
{
	if (id)
		jw_int(w, id);
	else
		jw_null(w);
}

/* The text of a time needs no escape: written in place, no pass of the escaper over it. */
void jw_time(struct jw *w, int64_t t)
{
	struct strbuf *sb = w->out;
	char *p, buf[40];
	size_t n;

	if (!t) {
		jw_null(w);
		return;
	}
	strbuf_grow(sb, YW_ISO_LEN + 3);
	p = sb->buf + sb->len;
	if (w->comma)
		*p++ = ',';
	*p = '"';
	if ((n = yw_iso_put(t, p + 1))) {
		p += 1 + n;
		*p++ = '"';
		*p = '\0';
		sb->len = (size_t)(p - sb->buf);
	} else {
		yw_fmt_iso(t, buf, sizeof(buf));
		put_plain(w, buf, strlen(buf), "");
	}
	w->comma = true;
}

void jw_json(struct jw *w, const json_t *j)
{
	sep(w);
	jout_dump(j, w->out);
	w->comma = true;
}
