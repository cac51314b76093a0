#include "yw.h"
#include "err.h"
#include "utf8.h"
#include <jansson.h>

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

int yw_errf(struct yw_err *err, int code, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	keep_utf8(err->field);
	keep_utf8(err->msg);
	return code;
}

/* The texts are C strings: emptied, not zeroed (592 bytes, a dozen times a request). */
void yw_err_clear(struct yw_err *err)
{
	if (err->detail)
		json_decref(err->detail);
	err->code = 0;
	err->field[0] = '\0';
	err->msg[0] = '\0';
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
