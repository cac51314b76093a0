/*
 * fuzz_json.c - request bodies: bytes -> jin_load -> jx_decode against a
 * field table shaped like ticket creation (every jx type, required,
 * nullable, enum, ids). Checks that a decode either fails with a field
 * name and a message, or stores values that obey the table.
 *
 * When the real ticket table lands (src/domain/ticket/tk*.c), point `fields` at
 * it; the checks below only use the table.
 */
#include "core/yw.h"
#include "core/jin.h"
#include "core/jx.h"
#include "core/utf8.h"

struct tk_input_like {
	const char *title, *description, *type, *channel, *resolution_code;
	int64_t category_id, requester_id, organization_id, group_id, assignee_id;
	int64_t impact, urgency, fault_level, minutes, due;
	bool internal;
	struct jx_ids related;
};

static const char *const types[] = { "incident", "request", NULL };
static const char *const channels[] = { "phone", "email", "web", "portal", "monitoring", "onsite", NULL };
static const char *const resolutions[] = { "fixed", "workaround", "no_fault_found", "duplicate",
					   "user_error", "vendor_fixed", "cancelled_by_user", NULL };

#define F(name, type, flags, min, max, member, vals) \
	{ name, type, flags, min, max, offsetof(struct tk_input_like, member), vals }
static const struct jx_field fields[] = {
	F("title", JX_STR, JX_REQUIRED, 1, 200, title, NULL),
	F("description", JX_TEXT, 0, 0, 20000, description, NULL),
	F("type", JX_ENUM, JX_REQUIRED, 0, 0, type, types),
	F("channel", JX_ENUM, 0, 0, 0, channel, channels),
	F("resolution_code", JX_ENUM, JX_NULLABLE, 0, 0, resolution_code, resolutions),
	F("category_id", JX_ID, 0, 0, 0, category_id, NULL),
	F("requester_id", JX_ID, 0, 0, 0, requester_id, NULL),
	F("organization_id", JX_ID, JX_NULLABLE, 0, 0, organization_id, NULL),
	F("group_id", JX_ID, JX_NULLABLE, 0, 0, group_id, NULL),
	F("assignee_id", JX_ID, JX_NULLABLE, 0, 0, assignee_id, NULL),
	F("impact", JX_INT, 0, 1, 3, impact, NULL),
	F("urgency", JX_INT, 0, 1, 3, urgency, NULL),
	F("fault_level", JX_INT, JX_NULLABLE, 1, 3, fault_level, NULL),
	F("minutes", JX_INT, 0, 1, 1440, minutes, NULL),
	F("due", JX_TIME, JX_NULLABLE, 0, 0, due, NULL),
	F("internal", JX_BOOL, 0, 0, 0, internal, NULL),
	F("related", JX_IDS, 0, 0, 20, related, NULL),
};

static void check_str(const struct jx_field *f, const char *s)
{
	size_t len;

	if (!s)
		return;
	len = strlen(s);
	if (!utf8_valid(s, len))
		BUG("%s: invalid UTF-8 accepted", f->name);
	if (f->type != JX_ENUM) {
		size_t n = utf8_len(s, len);
		if ((int64_t)n < f->min || (f->max && (int64_t)n > f->max))
			BUG("%s: length %zu outside %" PRId64 "..%" PRId64, f->name, n, f->min, f->max);
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == 0x7f || (c < 0x20 && !(f->type == JX_TEXT && (c == '\n' || c == '\t' || c == '\r'))))
				BUG("%s: control character accepted", f->name);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tk_input_like in;
	struct yw_err err = YW_ERR_INIT;
	struct jin_error jerr;
	uint64_t seen = 0;
	json_t *j;
	int rc;

	if (size > (1 << 20))   /* the server's body cap */
		return 0;
	j = jin_load((const char *)data, size, &jerr);
	if (!j)
		return 0;
	memset(&in, 0, sizeof(in));
	rc = jx_decode(j, fields, ARRAY_SIZE(fields), &in, &seen, &err);
	if (rc) {
		if (rc != YW_EINVAL && rc != YW_EUNKNOWN && rc != YW_EJSON)
			BUG("jx_decode returned %d", rc);
		/* an unknown field may be named "", every other failure names one */
		if (!err.msg[0] || (rc == YW_EINVAL && !err.field[0]))
			BUG("failure without field or message");
		/* the error body is built with jansson, which refuses bad UTF-8 */
		if (!utf8_valid(err.msg, strlen(err.msg)) || !utf8_valid(err.field, strlen(err.field)))
			BUG("error text is not valid UTF-8");
		if (in.related.v)
			BUG("id array left allocated after a failure");
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
			const struct jx_field *f = &fields[i];
			if ((f->flags & JX_REQUIRED) && !(seen & ((uint64_t)1 << i)))
				BUG("required %s missing", f->name);
			if (f->type == JX_STR || f->type == JX_TEXT || f->type == JX_ENUM)
				check_str(f, *(const char **)((char *)&in + f->off));
		}
		if (in.impact && (in.impact < 1 || in.impact > 3))
			BUG("impact %" PRId64, in.impact);
		if (in.minutes && (in.minutes < 1 || in.minutes > 1440))
			BUG("minutes %" PRId64, in.minutes);
		if (in.category_id < 0 || in.assignee_id < 0)
			BUG("negative id");
		for (size_t i = 0; i < in.related.n; i++) {
			if (in.related.v[i] < 1)
				BUG("related[%zu] = %" PRId64, i, in.related.v[i]);
			for (size_t k = 0; k < i; k++)
				if (in.related.v[k] == in.related.v[i])
					BUG("duplicate id accepted");
		}
		/* what a handler does next: build the output record */
		json_t *o = json_pack("{s:o, s:o, s:o}", "title", jx_str_or_null(in.title), "due",
				      jx_time_or_null(in.due), "assignee_id", jx_id_or_null(in.assignee_id));
		char *text = json_dumps(o, JSON_COMPACT);
		if (!text)
			BUG("cannot encode a decoded record");
		free(text);
		json_decref(o);
		jx_ids_free(&in.related);
	}
	yw_err_clear(&err);
	json_decref(j);
	return 0;
}
