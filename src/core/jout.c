/*
 * jout.c - the JSON encoder for responses: see jout.h for what it
 * promises and where it differs from jansson.
 *
 * The writers below append without the terminating NUL; jout_dump puts
 * it back once at the end, so the strbuf invariant holds whenever the
 * caller can see the buffer.
 */
#include "yw.h"
#include "jout.h"

/* Makes room for n more bytes (and the final NUL) and returns where they go. */
static inline char *room(struct strbuf *sb, size_t n)
{
	if (sb->alloc - sb->len <= n)
		strbuf_grow(sb, n);
	return sb->buf + sb->len;
}

static inline void put(struct strbuf *sb, const void *p, size_t n)
{
	memcpy(room(sb, n), p, n);
	sb->len += n;
}

static inline void putc1(struct strbuf *sb, char c)
{
	*room(sb, 1) = c;
	sb->len++;
}

/*
 * What a byte becomes inside a JSON string: 0 is itself, 'u' is \u00XX,
 * any other value v is backslash-v. Bytes >= 0x80 are UTF-8 that jansson
 * (without JSON_ENSURE_ASCII) copies as it is; so are '/' and 0x7f.
 */
static const char escape[256] = {
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',   /* 0x00 - 0x07 */
	'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',   /* 0x08 - 0x0f */
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',   /* 0x10 - 0x17 */
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',   /* 0x18 - 0x1f */
	['"'] = '"',
	['\\'] = '\\',
};

/* jansson writes \u escapes with "%04X": upper-case hex */
static const char hex[] = "0123456789ABCDEF";

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/*
 * The high bit of each byte of w that needs an escape: below 0x20, '"'
 * or '\\' ("has a byte less than n" and "has a zero byte" from Bit
 * Twiddling Hacks; bytes >= 0x80 never count). A borrow can also mark a
 * byte above a real one, never below it, so the lowest mark is real.
 */
static inline uint64_t escape_mask(uint64_t w)
{
	uint64_t quote = w ^ (ONES * '"'), bslash = w ^ (ONES * '\\');

	return (((w - ONES * 0x20) & ~w) | ((quote - ONES) & ~quote) | ((bslash - ONES) & ~bslash)) &
	       HIGHS;
}

/*
 * Loads with the first byte in the lowest bits, whatever the byte order,
 * as the shifts below and the ctz in dump_str expect.
 */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define FIRST_LOW(bits, w) __builtin_bswap##bits(w)
#else
#define FIRST_LOW(bits, w) (w)
#endif
#define LOAD(bits)                                                  \
	static inline uint64_t load##bits(const unsigned char *p)   \
	{                                                           \
		uint##bits##_t w;                                   \
		memcpy(&w, p, sizeof(w));                           \
		return FIRST_LOW(bits, w);                          \
	}
LOAD(64)
LOAD(32)
LOAD(16)

#define PAD (ONES * 'a')   /* a filler byte that needs no escape */

/*
 * The 8 bytes of s from i, padded with PAD past len. Whole-register loads
 * only, never outside s[0..len): a tail of a long string is the string's
 * last 8 bytes shifted down, a short string two overlapping loads (bytes
 * in the overlap are the same, so OR keeps them). Copying the tail into a
 * padded word on the stack instead costs a store-forwarding stall that
 * took 40% of the encoder's time.
 */
static inline uint64_t load_at(const unsigned char *s, size_t i, size_t len)
{
	const unsigned char *p = s + i;
	size_t n = len - i;
	uint64_t w;

	if (n >= 8)
		return load64(p);
	if (len >= 8)
		return load64(s + len - 8) >> (8 * (8 - n)) | PAD << (8 * n);
	if (n >= 4)
		w = load32(p) | load32(p + n - 4) << (8 * (n - 4));
	else if (n >= 2)
		w = load16(p) | load16(p + n - 2) << (8 * (n - 2));
	else
		w = p[0];
	return w | PAD << (8 * n);
}

static void dump_str(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;

	/* room for the common case, a string without escapes, up front */
	room(sb, len + 2);
	putc1(sb, '"');
	while (i < len) {
		/* skip plain text (most of it: CJK, names, times) a word at a time */
		uint64_t m = escape_mask(load_at(p, i, len));
		char e;

		if (!m) {
			i += 8;
			continue;
		}
		i += (size_t)__builtin_ctzll(m) / 8;
		e = escape[p[i]];
		assert(e);
		put(sb, p + run, i - run);
		if (e == 'u') {
			char u[6] = { '\\', 'u', '0', '0', hex[p[i] >> 4], hex[p[i] & 0xf] };
			put(sb, u, sizeof(u));
		} else {
			char two[2] = { '\\', e };
			put(sb, two, sizeof(two));
		}
		run = ++i;
	}
	put(sb, p + run, len - run);
	putc1(sb, '"');
}

static const char digits2[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Decimal, two digits per division; INT64_MIN's magnitude fits a uint64_t. */
static void dump_int(struct strbuf *sb, json_int_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	while (u >= 100) {
		const char *d = digits2 + (u % 100) * 2;
		u /= 100;
		*--p = d[1];
		*--p = d[0];
	}
	if (u >= 10) {
		const char *d = digits2 + u * 2;
		*--p = d[1];
		*--p = d[0];
	} else {
		*--p = (char)('0' + u);
	}
	if (v < 0)
		*--p = '-';
	put(sb, p, (size_t)(buf + sizeof(buf) - p));
}

/*
 * jansson prints a real with its own dtostr ("%.17g" shortened to the
 * fewest digits that read back the same, plus ".0" when it would look
 * like an integer). Reals are rare in our responses, so ask jansson for
 * this one value rather than copy that code. It cannot fail: jansson
 * refuses to make NaN or infinite reals, and 100 bytes is its own bound.
 */
static void dump_real(struct strbuf *sb, const json_t *j)
{
	char buf[128];
	size_t n = json_dumpb(j, buf, sizeof(buf), JSON_COMPACT | JSON_ENCODE_ANY);

	if (!n || n > sizeof(buf))
		BUG("jansson cannot encode the real %g", json_real_value(j));
	put(sb, buf, n);
}

static void dump(const json_t *j, struct strbuf *sb, int depth)
{
	if (!j)
		BUG("jout_dump of a NULL value");
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		void *it = json_object_iter((json_t *)j);

		if (depth >= JOUT_MAX_DEPTH)
			BUG("json tree deeper than %d: a cycle?", JOUT_MAX_DEPTH);
		putc1(sb, '{');
		for (bool first = true; it; it = json_object_iter_next((json_t *)j, it), first = false) {
			if (!first)
				putc1(sb, ',');
			dump_str(sb, json_object_iter_key(it), json_object_iter_key_len(it));
			putc1(sb, ':');
			dump(json_object_iter_value(it), sb, depth + 1);
		}
		putc1(sb, '}');
		return;
	}
	case JSON_ARRAY: {
		size_t n = json_array_size(j);

		if (depth >= JOUT_MAX_DEPTH)
			BUG("json tree deeper than %d: a cycle?", JOUT_MAX_DEPTH);
		putc1(sb, '[');
		for (size_t i = 0; i < n; i++) {
			if (i)
				putc1(sb, ',');
			dump(json_array_get(j, i), sb, depth + 1);
		}
		putc1(sb, ']');
		return;
	}
	case JSON_STRING:
		dump_str(sb, json_string_value(j), json_string_length(j));
		return;
	case JSON_INTEGER:
		dump_int(sb, json_integer_value(j));
		return;
	case JSON_REAL:
		dump_real(sb, j);
		return;
	case JSON_TRUE:
		put(sb, "true", 4);
		return;
	case JSON_FALSE:
		put(sb, "false", 5);
		return;
	case JSON_NULL:
		put(sb, "null", 4);
		return;
	}
	BUG("jout_dump of json type %d", (int)json_typeof(j));
}

void jout_dump(const json_t *j, struct strbuf *out)
{
	dump(j, out, 0);
	strbuf_setlen(out, out->len);
}

void jout_str(struct strbuf *out, const char *s, size_t len)
{
	dump_str(out, s, len);
	strbuf_setlen(out, out->len);
}

void jout_int(struct strbuf *out, int64_t v)
{
	dump_int(out, v);
	strbuf_setlen(out, out->len);
}
