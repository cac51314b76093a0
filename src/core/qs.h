/*
 * qs.h - query strings, the part of a URL after '?': "name=value&...",
 * with %XX escapes and '+' for a space.
 *
 * The HTTP layer splits a request's query with it, and the domain the
 * query strings it stores (saved views), so both read one the same way.
 */
#ifndef YW_QS_H
#define YW_QS_H

#include "err.h"

/*
 * Decodes %XX and '+' in s, in place, and sets *len to the new length.
 * Returns -1 for a bad escape, invalid UTF-8 or an encoded NUL.
 */
int qs_decode(char *s, size_t *len);

/*
 * Splits s (modified in place) at '&', decodes each part's name and value
 * and calls fn(name, value, ctx) for each non-empty part; a part without
 * '=' has the value "". Returns 0, fn's first non-zero return, or
 * YW_EINVAL with err naming the part that does not decode.
 */
typedef int (*qs_fn)(const char *name, const char *value, void *ctx);
int qs_each(char *s, qs_fn fn, void *ctx, struct yw_err *err);

#endif
