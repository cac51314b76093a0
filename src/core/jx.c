#include "yw.h"
#include "jx.h"
#include "utf8.h"
#include "ytime.h"

/*
 * Whether a text shows as nothing: only spaces and zero-width characters.
 * Sets *bidi when a one-line text holds a bidirectional control.
 */
static bool text_is_blank(const char *s, size_t len, bool *bidi)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	bool blank = true;
	int32_t cp;

	*bidi = false;
	while ((cp = utf8_decode(&p, end)) >= 0) {
		blank = blank && utf8_is_blank(cp);
		*bidi = *bidi || utf8_is_bidi_control(cp);
	}
	return blank;
}

int jx_check_str(const char *field, const char *s, size_t len, int64_t min, int64_t max,
		 bool multiline, struct yw_err *err)
{
	bool blank, bidi;
	size_t n;

	if (!utf8_valid(s, len))
		return yw_errf(err, YW_EINVAL, field, "%s is not valid UTF-8", field);
	if (memchr(s, '\0', len))
		return yw_errf(err, YW_EINVAL, field, "%s contains a NUL character", field);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f)
			return yw_errf(err, YW_EINVAL, field, "%s contains a control character", field);
	}
	blank = text_is_blank(s, len, &bidi);
	if (bidi && !multiline)
		return yw_errf(err, YW_EINVAL, field,
			       "%s contains a bidirectional control character (U+202A-202E, U+2066-2069)", field);
	n = utf8_len(s, len);
	if ((int64_t)n < min) {
		/* a required text of only spaces is as empty as no text */
		return yw_errf(err, YW_EINVAL, field, min == 1 ? "%s must not be empty" :
			       "%s is shorter than %" PRId64 " characters", field, min);
	}
	/* spaces and zero-width characters alone show as nothing */
	if (min > 0 && blank)
		return yw_errf(err, YW_EINVAL, field, "%s must not be blank", field);
	if (max && (int64_t)n > max)
		return yw_errf(err, YW_EINVAL, field, "%s is longer than %" PRId64 " characters",
			       field, max);
	return 0;
}

/* One literal message per type, so that each has its translation. */
static int wrong_type(const struct jx_field *f, struct yw_err *err)
{
	switch (f->type) {
	case JX_STR: case JX_TEXT: case JX_ENUM:
		return yw_errf(err, YW_EINVAL, f->name, "%s must be a string", f->name);
	case JX_TIME:
		return yw_errf(err, YW_EINVAL, f->name, "%s must be an ISO 8601 time string", f->name);
	case JX_INT:
		return yw_errf(err, YW_EINVAL, f->name, "%s must be an integer", f->name);
	case JX_ID:
		return yw_errf(err, YW_EINVAL, f->name, "%s must be a positive integer id", f->name);
	case JX_BOOL:
		return yw_errf(err, YW_EINVAL, f->name, "%s must be a boolean", f->name);
	case JX_IDS:
		return yw_errf(err, YW_EINVAL, f->name, "%s must be an array of ids", f->name);
	}
	return yw_errf(err, YW_EINVAL, f->name, "%s has the wrong type", f->name);
}

static int decode_one(const struct jx_field *f, json_t *v, void *out, struct yw_err *err)
{
	char *dst = (char *)out + f->off;

	if (json_is_null(v)) {
		if (!(f->flags & JX_NULLABLE))
			return yw_errf(err, YW_EINVAL, f->name, "%s must not be null", f->name);
		switch (f->type) {
		case JX_STR: case JX_TEXT: case JX_ENUM:
			*(const char **)dst = NULL;
			break;
		case JX_INT: case JX_ID: case JX_TIME:
			*(int64_t *)dst = 0;
			break;
		case JX_BOOL:
			*(bool *)dst = false;
			break;
		case JX_IDS:
			((struct jx_ids *)dst)->n = 0;
			break;
		}
		return 0;
	}
	switch (f->type) {
	case JX_STR:
	case JX_TEXT: {
		if (!json_is_string(v))
			break;
		int rc = jx_check_str(f->name, json_string_value(v), json_string_length(v),
				      f->min, f->max, f->type == JX_TEXT, err);
		if (rc)
			return rc;
		*(const char **)dst = json_string_value(v);
		return 0;
	}
	case JX_ENUM: {
		if (!json_is_string(v))
			break;
		const char *s = json_string_value(v);
		for (const char *const *e = f->enum_vals; *e; e++) {
			if (!strcmp(*e, s) && strlen(s) == json_string_length(v)) {
				*(const char **)dst = *e;
				return 0;
			}
		}
		/*
		 * snprintf returns the length it wanted, not what it wrote: stop
		 * at the first value that does not fit, or the next call would
		 * get a wrapped size and write past the buffer.
		 */
		char allowed[256] = "";
		size_t n = 0;
		for (const char *const *e = f->enum_vals; *e; e++) {
			int w = snprintf(allowed + n, sizeof(allowed) - n, "%s%s", n ? ", " : "", *e);
			if (w < 0 || (size_t)w >= sizeof(allowed) - n) {
				allowed[n] = '\0';
				break;
			}
			n += (size_t)w;
		}
		return yw_errf(err, YW_EINVAL, f->name, "%s must be one of: %s", f->name, allowed);
	}
	case JX_TIME: {
		int64_t t;
		if (!json_is_string(v))
			break;
		/* a NUL inside the string would hide the rest from the parser */
		if (strlen(json_string_value(v)) != json_string_length(v) ||
		    yw_parse_iso(json_string_value(v), &t))
			return yw_errf(err, YW_EINVAL, f->name, "%s is not an ISO 8601 time", f->name);
		*(int64_t *)dst = t;
		return 0;
	}
	case JX_INT:
	case JX_ID: {
		if (!json_is_integer(v))
			break;
		json_int_t i = json_integer_value(v);
		int64_t min = f->type == JX_ID ? 1 : f->min;
		int64_t max = f->type == JX_ID ? INT64_MAX : f->max;
		if (i < min || i > max) {
			if (f->type == JX_ID)
				return yw_errf(err, YW_EINVAL, f->name, "%s must be a positive id", f->name);
			return yw_errf(err, YW_EINVAL, f->name, "%s must be between %" PRId64 " and %" PRId64,
				       f->name, min, max);
		}
		*(int64_t *)dst = i;
		return 0;
	}
	case JX_BOOL:
		if (!json_is_boolean(v))
			break;
		*(bool *)dst = json_is_true(v);
		return 0;
	case JX_IDS: {
		struct jx_ids *ids = (struct jx_ids *)dst;
		size_t i, n;
		json_t *e;

		if (!json_is_array(v))
			break;
		n = json_array_size(v);
		if (f->max && (int64_t)n > f->max)
			return yw_errf(err, YW_EINVAL, f->name, "%s has more than %" PRId64 " entries",
				       f->name, f->max);
		jx_ids_free(ids);
		ALLOC_ARRAY(ids->v, n);
		json_array_foreach(v, i, e) {
			if (!json_is_integer(e) || json_integer_value(e) < 1) {
				jx_ids_free(ids);
				return yw_errf(err, YW_EINVAL, f->name, "%s[%zu] must be a positive id",
					       f->name, i);
			}
			for (size_t j = 0; j < i; j++) {
				if (ids->v[j] == json_integer_value(e)) {
					jx_ids_free(ids);
					return yw_errf(err, YW_EINVAL, f->name, "%s has a duplicate id", f->name);
				}
			}
			ids->v[i] = json_integer_value(e);
		}
		ids->n = n;
		return 0;
	}
	}
	return wrong_type(f, err);
}

/*
 * On failure the caller gets nothing to free: id arrays already decoded
 * from an object that is then rejected would otherwise leak, since the
 * natural error path of a handler is a plain return.
 */
static int free_ids(const struct jx_field *fields, size_t nfields, void *out, uint64_t mask, int rc)
{
	for (size_t i = 0; i < nfields; i++)
		if (fields[i].type == JX_IDS && (mask & ((uint64_t)1 << i)))
			jx_ids_free((struct jx_ids *)((char *)out + fields[i].off));
	return rc;
}

int jx_decode(json_t *obj, const struct jx_field *fields, size_t nfields, void *out,
	      uint64_t *seen, struct yw_err *err)
{
	const char *key;
	json_t *v;
	uint64_t mask = 0;

	if (nfields > 64)
		BUG("jx table with %zu fields", nfields);
	if (!json_is_object(obj))
		return yw_errf(err, YW_EJSON, "", "the body must be a JSON object");
	json_object_foreach(obj, key, v) {
		size_t i;
		for (i = 0; i < nfields; i++)
			if (!strcmp(fields[i].name, key))
				break;
		if (i == nfields)
			return free_ids(fields, nfields, out, mask,
					yw_errf(err, YW_EUNKNOWN, key, "unknown field %.60s", key));
		int rc = decode_one(&fields[i], v, out, err);
		if (rc)
			return free_ids(fields, nfields, out, mask, rc);
		mask |= (uint64_t)1 << i;
	}
	for (size_t i = 0; i < nfields; i++)
		if ((fields[i].flags & JX_REQUIRED) && !(mask & ((uint64_t)1 << i)))
			return free_ids(fields, nfields, out, mask,
					yw_errf(err, YW_EINVAL, fields[i].name, "%s is required",
						fields[i].name));
	if (seen)
		*seen = mask;
	return 0;
}

void jx_ids_free(struct jx_ids *ids)
{
	FREE_AND_NULL(ids->v);
	ids->n = 0;
}

json_t *jx_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *jx_time_or_null(int64_t t)
{
	char buf[32];
	return t ? json_string(yw_fmt_iso(t, buf, sizeof(buf))) : json_null();
}

json_t *jx_id_or_null(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

json_t *jx_dbstr(const char *s)
{
	return s ? json_string_nocheck(s) : json_null();
}
