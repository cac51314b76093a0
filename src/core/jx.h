/*
 * jx.h - table-driven decoding and validation of JSON objects.
 *
 * A caller describes the fields it accepts in a static table; jx_decode()
 * checks that the object has no other field, that each has the right
 * type, length and range, and stores them into a struct at the given
 * offsets. Strings are borrowed from the json_t and live as long as it.
 * The bit i of *seen is set when field i of the table was present, which
 * is how PATCH tells "absent" from "set to null".
 *
 *	static const struct jx_field fields[] = {
 *		{ "title", JX_STR, JX_REQUIRED, 1, 200, offsetof(struct tk_input, title) },
 *		...
 *	};
 */
#ifndef YW_JX_H
#define YW_JX_H

#include <jansson.h>
#include "err.h"

enum jx_type {
	JX_STR,      /* const char *, min/max in characters */
	JX_TEXT,     /* like JX_STR, but newlines and tabs allowed */
	JX_INT,      /* int64_t, min/max inclusive */
	JX_ID,       /* int64_t > 0, a record id */
	JX_BOOL,     /* bool */
	JX_IDS,      /* struct jx_ids: array of distinct ids, max = max count */
	JX_ENUM,     /* const char *, must be one of enum_vals */
	JX_TIME,     /* int64_t seconds, from an ISO 8601 string */
};

enum {
	JX_REQUIRED = 1 << 0,
	JX_NULLABLE = 1 << 1,   /* null allowed: stored as NULL / 0, and seen */
};

struct jx_ids {
	int64_t *v;  /* malloc'ed; free with jx_ids_free */
	size_t n;
};

struct jx_field {
	const char *name;
	enum jx_type type;
	unsigned flags;
	int64_t min, max;
	size_t off;
	const char *const *enum_vals;  /* NULL-terminated, for JX_ENUM */
};

/*
 * Decodes obj per the table. Returns 0, or YW_EJSON (not an object),
 * YW_EUNKNOWN (a field not in the table) or YW_EINVAL, with err naming the
 * field. Nothing is stored for a field that is absent. A JX_IDS member of
 * out must start zeroed (its old array is freed before a new one is
 * stored); on failure every array decoded by this call is freed again, so
 * only a successful decode leaves something for jx_ids_free().
 */
int jx_decode(json_t *obj, const struct jx_field *fields, size_t nfields, void *out,
	      uint64_t *seen, struct yw_err *err);
void jx_ids_free(struct jx_ids *ids);

/* Validates a string from outside: UTF-8, length in characters, no control chars. */
int jx_check_str(const char *field, const char *s, size_t len, int64_t min, int64_t max,
		 bool multiline, struct yw_err *err);

/* json helpers for output: a string or null, an ISO time or null. */
json_t *jx_str_or_null(const char *s);
json_t *jx_time_or_null(int64_t t);
json_t *jx_id_or_null(int64_t id);
/*
 * Text read back from the store, which only ever holds validated UTF-8:
 * skips jansson's re-validation, the costliest step of encoding a list.
 * NULL gives null.
 */
json_t *jx_dbstr(const char *s);

#endif
