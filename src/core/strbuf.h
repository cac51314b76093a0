/*
 * strbuf.h - a growable string (after git's strbuf).
 *
 * Invariants: buf is never NULL and always NUL-terminated, so sb.buf can
 * be passed to any function that takes a C string, even right after
 * STRBUF_INIT. len never counts the terminator. Memory belongs to the
 * strbuf until strbuf_detach() hands it to the caller.
 */
#ifndef YW_STRBUF_H
#define YW_STRBUF_H

struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* Returns the buffer (caller frees) and resets sb to empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_reset(struct strbuf *sb);
void strbuf_setlen(struct strbuf *sb, size_t len);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) YW_PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Appends s with JSON/SQL-unsafe nothing: for URL query values, %XX-encodes. */
void strbuf_addurl(struct strbuf *sb, const char *s);

#endif
