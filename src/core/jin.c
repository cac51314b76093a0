/*
 * jin.c - the JSON decoder for request bodies: see jin.h for what it
 * accepts and where that comes from.
 *
 * Recursive descent over the buffer. Plain runs of a string are scanned
 * eight bytes at a time and handed to jansson as they lie in the input;
 * only a string with escapes is copied out first. The first failure
 * records where and why, and every caller unwinds, freeing what it built.
 */
#include "yw.h"
#include "jin.h"
#include "strbuf.h"
#include "utf8.h"
#include <errno.h>
#include <math.h>

struct jin {
	const unsigned char *p, *start, *end;
	int depth;
	struct strbuf text;   /* a string with escapes, unescaped; a number, NUL-terminated */
	const unsigned char *err_at;
	const char *err_text;
};

static json_t *value(struct jin *j);

static void *fail(struct jin *j, const unsigned char *at, const char *text)
{
	if (!j->err_text) {
		j->err_at = at;
		j->err_text = text;
	}
	return NULL;
}

static inline void skip_space(struct jin *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/*
 * The high bit of each byte of w that ends a plain run: below 0x20, '"',
 * '\\' or non-ASCII (as jout.c's escape_mask, plus the high bit itself).
 */
static inline uint64_t stop_mask(uint64_t w)
{
	uint64_t quote = w ^ (ONES * '"'), bslash = w ^ (ONES * '\\');

	return (((w - ONES * 0x20) & ~w) | ((quote - ONES) & ~quote) | ((bslash - ONES) & ~bslash) | w) & HIGHS;
}

static int hex4(const unsigned char *p, const unsigned char *end)
{
	int v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static void put_utf8(struct strbuf *sb, int32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	strbuf_add(sb, b, n);
}

/* One escape at p (the backslash) into j->text; returns the byte after it, or NULL. */
static const unsigned char *unescape(struct jin *j, const unsigned char *p)
{
	static const char simple[256] = {
		['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b',
		['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
	};
	int32_t cp, lo;

	if (p + 1 >= j->end)
		return fail(j, p, "unterminated string");
	if (simple[p[1]]) {
		strbuf_addch(&j->text, simple[p[1]]);
		return p + 2;
	}
	if (p[1] != 'u')
		return fail(j, p, "invalid escape");
	if ((cp = hex4(p + 2, j->end)) < 0)
		return fail(j, p, "invalid \\u escape");
	p += 6;
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return fail(j, p - 6, "a low surrogate without a high one");
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (j->end - p < 2 || p[0] != '\\' || p[1] != 'u' || (lo = hex4(p + 2, j->end)) < 0 ||
		    lo < 0xDC00 || lo > 0xDFFF)
			return fail(j, p - 6, "a high surrogate without a low one");
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		p += 6;
	}
	if (!cp)
		return fail(j, p - 6, "\\u0000 is not allowed in a string");
	put_utf8(&j->text, cp);
	return p;
}

/*
 * The string whose opening quote is at j->p: *s and *len are its text,
 * in the input or in j->text. Returns false on a bad string.
 */
static bool string(struct jin *j, const char **s, size_t *len)
{
	const unsigned char *p = j->p + 1, *end = j->end, *run = p;
	bool copied = false;

	for (;;) {
		while (end - p >= 8) {
			uint64_t w, m;
			memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			w = __builtin_bswap64(w);
#endif
			if ((m = stop_mask(w))) {
				p += __builtin_ctzll(m) / 8;
				break;
			}
			p += 8;
		}
		if (p >= end) {
			fail(j, p, "unterminated string");
			return false;
		}
		if (*p == '"')
			break;
		if (*p < 0x20) {
			fail(j, p, "a control character in a string");
			return false;
		}
		if (*p == '\\') {
			if (!copied) {
				strbuf_reset(&j->text);
				copied = true;
			}
			strbuf_add(&j->text, run, (size_t)(p - run));
			if (!(p = unescape(j, p)))
				return false;
			run = p;
		} else if (*p >= 0x80) {
			const unsigned char *q = p;
			if (utf8_decode(&q, end) < 0) {
				fail(j, p, "invalid UTF-8 in a string");
				return false;
			}
			p = q;
		} else {
			p++;
		}
	}
	if (copied) {
		strbuf_add(&j->text, run, (size_t)(p - run));
		*s = j->text.buf;
		*len = j->text.len;
	} else {
		*s = (const char *)run;
		*len = (size_t)(p - run);
	}
	j->p = p + 1;
	return true;
}

static inline bool is_digit(const unsigned char *p, const unsigned char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

static json_t *number(struct jin *j)
{
	const unsigned char *p = j->p, *end = j->end, *start = p;
	bool real = false;
	json_t *v;

	if (*p == '-')
		p++;
	if (!is_digit(p, end))
		return fail(j, start, "invalid token");
	if (*p == '0') {
		if (is_digit(++p, end))
			return fail(j, start, "a number with a leading zero");
	} else {
		while (is_digit(p, end))
			p++;
	}
	if (p < end && *p == '.') {
		real = true;
		if (!is_digit(++p, end))
			return fail(j, start, "a digit expected after '.'");
		while (is_digit(p, end))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		real = true;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!is_digit(p, end))
			return fail(j, start, "a digit expected in the exponent");
		while (is_digit(p, end))
			p++;
	}
	strbuf_reset(&j->text);
	strbuf_add(&j->text, start, (size_t)(p - start));
	errno = 0;
	if (!real) {
		long long n = strtoll(j->text.buf, NULL, 10);
		if (errno == ERANGE)
			return fail(j, start, n < 0 ? "too big negative integer" : "too big integer");
		v = json_integer(n);
	} else {
		double d = strtod(j->text.buf, NULL);
		if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL))
			return fail(j, start, "real number overflow");
		v = json_real(d);
	}
	if (!v)
		return fail(j, start, "out of memory");
	j->p = p;
	return v;
}

static json_t *literal(struct jin *j, const char *word, size_t len, json_t *v)
{
	if ((size_t)(j->end - j->p) < len || memcmp(j->p, word, len))
		return fail(j, j->p, "invalid token");
	j->p += len;
	return v;
}

/* One "key": value at j->p into obj; false on a failure (recorded). */
static bool member(struct jin *j, json_t *obj)
{
	const unsigned char *at = j->p;
	const char *key;
	char small[64], *k;
	size_t len;
	json_t *v;
	bool ok = false;

	if (j->p >= j->end || *j->p != '"') {
		fail(j, j->p, "a string expected as the key");
		return false;
	}
	if (!string(j, &key, &len))
		return false;
	/* the key outlives j->text, which the value reuses */
	k = len < sizeof(small) ? small : yw_malloc(len + 1);
	memcpy(k, key, len);
	k[len] = '\0';
	skip_space(j);
	if (json_object_getn(obj, k, len)) {
		fail(j, at, "a key twice in one object");
	} else if (j->p >= j->end || *j->p != ':') {
		fail(j, j->p, "':' expected");
	} else {
		j->p++;
		skip_space(j);
		if ((v = value(j))) {
			if (json_object_setn_new_nocheck(obj, k, len, v))
				fail(j, at, "out of memory");
			else
				ok = true;
		}
	}
	if (k != small)
		free(k);
	return ok;
}

static json_t *object(struct jin *j)
{
	json_t *obj = json_object();

	if (!obj)
		return fail(j, j->p, "out of memory");
	j->p++;
	skip_space(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return obj;
	}
	for (;;) {
		if (!member(j, obj))
			break;
		skip_space(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			skip_space(j);
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			return obj;
		}
		fail(j, j->p, "',' or '}' expected");
		break;
	}
	json_decref(obj);
	return NULL;
}

static json_t *array(struct jin *j)
{
	json_t *arr = json_array(), *v;

	if (!arr)
		return fail(j, j->p, "out of memory");
	j->p++;
	skip_space(j);
	if (j->p < j->end && *j->p == ']') {
		j->p++;
		return arr;
	}
	for (;;) {
		if (!(v = value(j)))
			goto bad;
		if (json_array_append_new(arr, v)) {
			fail(j, j->p, "out of memory");
			goto bad;
		}
		skip_space(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			skip_space(j);
			continue;
		}
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return arr;
		}
		fail(j, j->p, "',' or ']' expected");
		goto bad;
	}
bad:
	json_decref(arr);
	return NULL;
}

/* The value at j->p (no space before it); every value counts to the depth, as in jansson. */
static json_t *value(struct jin *j)
{
	json_t *v = NULL;
	const char *s;
	size_t len;

	if (++j->depth > JIN_MAX_DEPTH)
		return fail(j, j->p, "nested too deeply");
	if (j->p >= j->end) {
		fail(j, j->p, "unexpected end of input");
		goto out;
	}
	switch (*j->p) {
	case '{':
		v = object(j);
		break;
	case '[':
		v = array(j);
		break;
	case '"':
		if (string(j, &s, &len) && !(v = json_stringn_nocheck(s, len)))
			fail(j, j->p, "out of memory");
		break;
	case 't':
		v = literal(j, "true", 4, json_true());
		break;
	case 'f':
		v = literal(j, "false", 5, json_false());
		break;
	case 'n':
		v = literal(j, "null", 4, json_null());
		break;
	default:
		v = number(j);
		break;
	}
out:
	j->depth--;
	return v;
}

/* Line and column (in characters) of the byte at, counting from 1. */
static void locate(const struct jin *j, const unsigned char *at, struct jin_error *e)
{
	const unsigned char *line = j->start;

	e->line = 1;
	for (const unsigned char *p = j->start; p < at; p++)
		if (*p == '\n') {
			e->line++;
			line = p + 1;
		}
	e->column = 1;
	for (const unsigned char *p = line; p < at; p++)
		if ((*p & 0xC0) != 0x80)
			e->column++;
	e->position = (size_t)(at - j->start);
}

json_t *jin_load(const char *buf, size_t len, struct jin_error *error)
{
	struct jin j = { .start = (const unsigned char *)buf, .end = (const unsigned char *)buf + len };
	json_t *v = NULL;

	j.p = j.start;
	strbuf_init(&j.text, 0);
	skip_space(&j);
	if (j.p >= j.end || (*j.p != '{' && *j.p != '['))
		fail(&j, j.p, "'{' or '[' expected");
	else if ((v = value(&j))) {
		skip_space(&j);
		if (j.p < j.end) {
			fail(&j, j.p, "the end of the input expected");
			json_decref(v);
			v = NULL;
		}
	}
	strbuf_release(&j.text);
	if (!v) {
		locate(&j, j.err_at, error);
		snprintf(error->text, sizeof(error->text), "%s", j.err_text);
	}
	return v;
}
