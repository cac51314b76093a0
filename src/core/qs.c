/* qs.c - query strings (see qs.h). */
#include "yw.h"
#include "qs.h"
#include "utf8.h"

static int hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int qs_decode(char *s, size_t *len)
{
	size_t n = 0, i;

	for (i = 0; s[i]; i++) {
		if (s[i] == '%') {
			if (hexv(s[i + 1]) < 0 || hexv(s[i + 2]) < 0)
				return -1;
			s[n++] = (char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
			i += 2;
		} else {
			s[n++] = s[i] == '+' ? ' ' : s[i];
		}
	}
	s[n] = '\0';
	*len = n;
	return utf8_valid(s, n) && !memchr(s, '\0', n) ? 0 : -1;
}

int qs_each(char *s, qs_fn fn, void *ctx, struct yw_err *err)
{
	for (char *part = s, *next; part && *part; part = next) {
		size_t nl, vl;
		int rc;

		next = strchr(part, '&');
		if (next)
			*next++ = '\0';
		if (!*part)
			continue;
		char *eq = strchr(part, '=');
		char *val = eq ? (*eq = '\0', eq + 1) : part + strlen(part);
		if (qs_decode(part, &nl) || qs_decode(val, &vl))
			return yw_errf(err, YW_EINVAL, part, "query parameter is not valid UTF-8 or has a bad escape");
		if ((rc = fn(part, val, ctx)))
			return rc;
	}
	return 0;
}
