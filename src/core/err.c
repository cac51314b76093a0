#include "yw.h"
#include "err.h"
#include "utf8.h"
#include <jansson.h>
#include <pthread.h>

/*
 * Drops bytes that are not valid UTF-8, in place. A message quotes input
 * ("unknown field %.60s") and both buffers truncate, either of which can
 * cut a character in half; jansson refuses such a string, and the error
 * response would go out without its body.
 */
static void keep_utf8(char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	char *out = s;

	while (p < end) {
		const unsigned char *at = p;
		if (utf8_decode(&p, end) < 0) {
			p = at + 1;
			continue;
		}
		memmove(out, at, (size_t)(p - at));
		out += p - at;
	}
	*out = '\0';
}

/* The catalogue, sorted by its English keys once, on the first error. */
static const struct yw_msg **sorted;
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int by_en(const void *a, const void *b)
{
	return strcmp((*(const struct yw_msg *const *)a)->en, (*(const struct yw_msg *const *)b)->en);
}

static void sort_catalogue(void)
{
	sorted = yw_malloc(yw_msg_catalogue_len * sizeof(*sorted));
	for (size_t i = 0; i < yw_msg_catalogue_len; i++)
		sorted[i] = &yw_msg_catalogue[i];
	qsort(sorted, yw_msg_catalogue_len, sizeof(*sorted), by_en);
}

const char *yw_msg_zh(const char *en)
{
	size_t lo = 0, hi = yw_msg_catalogue_len;

	pthread_once(&sorted_once, sort_catalogue);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(en, sorted[mid]->en);
		if (!c)
			return sorted[mid]->zh;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * Code words that a Chinese format shows in Chinese: the format writes the
 * conversion "%#s" where the English one has "%s" and the argument is one
 * of these (a ticket's status). Any other argument is shown as it is.
 */
static const struct yw_msg terms[] = {
	{ "new", "新建" },
	{ "pending_approval", "待审批" },
	{ "approved", "已批准" },
	{ "rejected", "已驳回" },
	{ "assigned", "已指派" },
	{ "in_progress", "处理中" },
	{ "pending", "挂起" },
	{ "resolved", "已解决" },
	{ "closed", "已关闭" },
	{ "reopened", "重新打开" },
	{ "cancelled", "已取消" },
};

static const char *term_zh(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(terms); i++)
		if (!strcmp(s, terms[i].en))
			return terms[i].zh;
	return s;
}

/* One conversion spec at p ('%' not "%%"): its length, and its parts. */
struct conv {
	size_t len;
	bool term;        /* "%#s" */
	char length[3];   /* "", "h", "hh", "l", "ll", "z", "j", "t", "L" */
	char type;
};

static void parse_conv(const char *p, struct conv *c)
{
	size_t i = 1, n = 0;

	memset(c, 0, sizeof(*c));
	for (; p[i] && strchr("-+ #0", p[i]); i++)
		if (p[i] == '#')
			c->term = true;
	i += strspn(p + i, "0123456789*");
	if (p[i] == '.')
		i += 1 + strspn(p + i + 1, "0123456789*");
	while (p[i] && strchr("hlzjtL", p[i]) && n < 2)
		c->length[n++] = p[i++];
	c->type = p[i];
	c->len = p[i] ? i + 1 : i;
	c->term = c->term && c->type == 's';   /* "%#x" keeps its meaning */
}

/*
 * vsnprintf for a catalogue's Chinese format, which may hold "%#s": each
 * conversion is formatted on its own, with its argument taken by type.
 */
static void format_zh(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t at = 0;

#define PUT(...) do { \
		if (at < size) { \
			int n_ = snprintf(buf + at, size - at, __VA_ARGS__); \
			at += n_ > 0 ? (size_t)n_ : 0; \
		} \
	} while (0)
#define PUTV(v) do { \
		if (nstar == 2) \
			PUT(spec, star[0], star[1], v); \
		else if (nstar == 1) \
			PUT(spec, star[0], v); \
		else \
			PUT(spec, v); \
	} while (0)
	buf[0] = '\0';
	for (const char *p = fmt; *p && at < size;) {
		struct conv c;
		char spec[48];
		size_t k = 0, nstar = 0;
		int star[2];

		if (*p != '%' || p[1] == '%') {
			size_t run = *p == '%' ? 1 : strcspn(p, "%");
			PUT("%.*s", (int)run, p);
			p += *p == '%' ? 2 : run;
			continue;
		}
		parse_conv(p, &c);
		/*
		 * The spec without '#'; a '*' stays, its argument passed with the
		 * value (a precision of 0 written as "%.0s" makes ASan's printf
		 * interceptor read the whole string, which snprintf does not).
		 */
		for (size_t i = 0; i < c.len && k + 1 < sizeof(spec); i++) {
			if (p[i] == '#' && c.term)
				continue;
			if (p[i] == '*' && nstar < 2)
				star[nstar++] = va_arg(ap, int);
			spec[k++] = p[i];
		}
		spec[k] = '\0';
		p += c.len;
		switch (c.type) {
		case 's':
			if (c.term)
				PUTV(term_zh(va_arg(ap, const char *)));
			else
				PUTV(va_arg(ap, const char *));
			break;
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'c':
			if (!strcmp(c.length, "l"))
				PUTV(va_arg(ap, long));
			else if (!strcmp(c.length, "ll"))
				PUTV(va_arg(ap, long long));
			else if (!strcmp(c.length, "z"))
				PUTV(va_arg(ap, size_t));
			else if (!strcmp(c.length, "j"))
				PUTV(va_arg(ap, intmax_t));
			else if (!strcmp(c.length, "t"))
				PUTV(va_arg(ap, ptrdiff_t));
			else
				PUTV(va_arg(ap, int));
			break;
		case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
			if (!strcmp(c.length, "L"))
				PUTV(va_arg(ap, long double));
			else
				PUTV(va_arg(ap, double));
			break;
		case 'p':
			PUTV(va_arg(ap, void *));
			break;
		default:
			/* test_msg_zh allows no other conversion: stop rather than misread */
			return;
		}
	}
#undef PUTV
#undef PUT
	if (at >= size)
		buf[size - 1] = '\0';
}

/*
 * The Chinese format has the English one's conversions in the same order
 * (test_msg_zh checks every entry), so the same arguments fit it.
 */
int yw_verrf(struct yw_err *err, int code, const char *field, const char *fmt, va_list ap)
{
	const char *zh = yw_msg_zh(fmt);
	va_list ap2;

	if (!err)
		return code;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_copy(ap2, ap);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	err->msg_zh[0] = '\0';
	if (zh)
		format_zh(err->msg_zh, sizeof(err->msg_zh), zh, ap2);
	va_end(ap2);
	keep_utf8(err->field);
	keep_utf8(err->msg);
	keep_utf8(err->msg_zh);
	return code;
}

int yw_errf(struct yw_err *err, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	yw_verrf(err, code, field, fmt, ap);
	va_end(ap);
	return code;
}

/* Appends s to buf (of size n, holding a C string), cut to fit. */
static void append(char *buf, size_t n, const char *s)
{
	size_t len = strlen(buf);

	if (len + 1 < n)
		snprintf(buf + len, n - len, "%s", s);
}

int yw_err_wrapf(struct yw_err *err, int code, const char *field, const struct yw_err *inner,
		 const char *fmt, ...)
{
	char en[sizeof(inner->msg)], zh[sizeof(inner->msg_zh)];
	va_list ap;

	/* inner may be err itself */
	snprintf(en, sizeof(en), "%s", inner->msg);
	snprintf(zh, sizeof(zh), "%s", inner->msg_zh[0] ? inner->msg_zh : inner->msg);
	va_start(ap, fmt);
	yw_verrf(err, code, field, fmt, ap);
	va_end(ap);
	if (!err)
		return code;
	if (!err->msg_zh[0])
		snprintf(err->msg_zh, sizeof(err->msg_zh), "%s", err->msg);
	append(err->msg, sizeof(err->msg), en);
	append(err->msg_zh, sizeof(err->msg_zh), zh);
	keep_utf8(err->msg);
	keep_utf8(err->msg_zh);
	if (!strcmp(err->msg, err->msg_zh))
		err->msg_zh[0] = '\0';
	return code;
}

int yw_err_text(struct yw_err *err, int code, const char *field, const char *text)
{
	const char *zh = yw_msg_zh(text);

	if (!err)
		return code;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	snprintf(err->msg, sizeof(err->msg), "%s", text);
	snprintf(err->msg_zh, sizeof(err->msg_zh), "%s", zh ? zh : "");
	keep_utf8(err->field);
	keep_utf8(err->msg);
	return code;
}

int yw_err_copy(struct yw_err *dst, const struct yw_err *src)
{
	if (dst != src) {
		dst->code = src->code;
		memcpy(dst->field, src->field, sizeof(dst->field));
		memcpy(dst->msg, src->msg, sizeof(dst->msg));
		memcpy(dst->msg_zh, src->msg_zh, sizeof(dst->msg_zh));
	}
	return dst->code;
}

const char *yw_err_msg(const struct yw_err *err, bool zh)
{
	if (zh && err->msg_zh[0])
		return err->msg_zh;
	return err->msg;
}

/* The texts are C strings: emptied, not zeroed (1.3 KiB, a dozen times a request). */
void yw_err_clear(struct yw_err *err)
{
	if (err->detail)
		json_decref(err->detail);
	err->code = 0;
	err->field[0] = '\0';
	err->msg[0] = '\0';
	err->msg_zh[0] = '\0';
	err->detail = NULL;
}

static const struct {
	int code;
	const char *name;
} err_names[] = {
	{ YW_OK, "ok" },
	{ YW_EINVAL, "invalid_field" },
	{ YW_ENOTFOUND, "not_found" },
	{ YW_ECONFLICT, "conflict" },
	{ YW_EPERM, "forbidden" },
	{ YW_EAUTH, "unauthorized" },
	{ YW_ETHROTTLE, "too_many_requests" },
	{ YW_ETOOBIG, "payload_too_large" },
	{ YW_EMEDIA, "unsupported_media_type" },
	{ YW_EDB, "database_error" },
	{ YW_EIO, "io_error" },
	{ YW_ESTATE, "invalid_transition" },
	{ YW_ESTALE, "version_conflict" },
	{ YW_EPRECOND, "precondition_required" },
	{ YW_EJSON, "malformed_json" },
	{ YW_EUNKNOWN, "unknown_field" },
	{ YW_ECSRF, "csrf_failed" },
	{ YW_EMETHOD, "method_not_allowed" },
	{ YW_EINTERNAL, "internal_error" },
	{ YW_ENEWER, "database_too_new" },
};

const char *yw_err_name(int code)
{
	for (size_t i = 0; i < ARRAY_SIZE(err_names); i++)
		if (err_names[i].code == code)
			return err_names[i].name;
	return "internal_error";
}

/* The field, if any, stays: only the message was missing. */
int yw_err_generic(struct yw_err *err, int code)
{
	char f[sizeof(err->field)];

	snprintf(f, sizeof(f), "%s", err->field);
	switch (code) {
	case YW_EINVAL: return yw_errf(err, code, f, "invalid input");
	case YW_ENOTFOUND: return yw_errf(err, code, f, "not found");
	case YW_ECONFLICT: return yw_errf(err, code, f, "conflict with the current state");
	case YW_EPERM: return yw_errf(err, code, f, "not allowed");
	case YW_EAUTH: return yw_errf(err, code, f, "log in first");
	case YW_ETHROTTLE: return yw_errf(err, code, f, "too many requests; try again later");
	case YW_ETOOBIG: return yw_errf(err, code, f, "the request is too large");
	case YW_EMEDIA: return yw_errf(err, code, f, "unsupported content type");
	case YW_ESTATE: return yw_errf(err, code, f, "not allowed in the ticket's status");
	case YW_ESTALE: return yw_errf(err, code, f, "changed by someone else; reload and try again");
	case YW_EPRECOND: return yw_errf(err, code, f, "send If-Match with the version you read");
	case YW_EJSON: return yw_errf(err, code, f, "malformed JSON");
	case YW_EUNKNOWN: return yw_errf(err, code, f, "unknown field");
	case YW_ECSRF: return yw_errf(err, code, f, "missing or wrong X-CSRF-Token");
	case YW_EMETHOD: return yw_errf(err, code, f, "method not allowed");
	}
	return yw_errf(err, code, f, "internal error");
}

/* One item of Accept-Language: its language (0 other, 'z' zh or *, 'e' en) and q in thousandths. */
static void lang_item(const char *s, size_t len, int *lang, int *q)
{
	size_t tag = 0;

	while (tag < len && s[tag] != ';' && s[tag] != ' ' && s[tag] != '\t')
		tag++;
	*lang = 0;
	if ((tag == 1 && s[0] == '*') || (tag >= 2 && !strncasecmp(s, "zh", 2) && (tag == 2 || s[2] == '-')))
		*lang = 'z';
	else if (tag >= 2 && !strncasecmp(s, "en", 2) && (tag == 2 || s[2] == '-'))
		*lang = 'e';
	*q = 1000;
	for (size_t i = tag; i + 2 < len; i++) {
		if ((s[i] == 'q' || s[i] == 'Q') && s[i + 1] == '=') {
			const char *p = s + i + 2, *end = s + len;
			int v = 0, scale = 1000;
			if (p < end && *p == '1')
				v = 1000;
			for (p++; p < end && *p == '.'; p++)
				;
			for (; p < end && isdigit((unsigned char)*p) && scale > 1; p++)
				v += (*p - '0') * (scale /= 10);
			*q = v > 1000 ? 1000 : v;
			break;
		}
	}
}

bool yw_lang_zh(const char *value, size_t len)
{
	int best_q = 0, best = 0;
	bool zh_refused = false;
	size_t i = 0;

	while (value && i < len) {
		size_t start, end;
		int lang, q;

		while (i < len && (value[i] == ' ' || value[i] == '\t' || value[i] == ','))
			i++;
		start = i;
		while (i < len && value[i] != ',')
			i++;
		end = i;
		if (end == start)
			continue;
		lang_item(value + start, end - start, &lang, &q);
		if (lang == 'z' && q == 0 && value[start] != '*')
			zh_refused = true;
		if (lang && q > best_q) {
			best_q = q;
			best = lang;
		}
	}
	if (!best)
		return !zh_refused;
	return best == 'z';
}
