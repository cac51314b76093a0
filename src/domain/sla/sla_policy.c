/*
 * sla_policy.c - SLA policies: loading, matching a ticket, and the
 * records the API and the CLI manage (validation, permissions, audit,
 * order). Every write re-targets the open clocks in its transaction.
 */
#include "../../core/yw.h"
#include "../../core/jx.h"
#include "../../core/strbuf.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "../calendar/cal.h"
#include "sla_int.h"
#include "../account/perm.h"

/* The ticket types a policy may name (the ticket module's types). */
static const char *const policy_types[] = { "incident", "request", NULL };

static const struct {
	const char *name;
	unsigned bit;
} notify_roles[] = {
	{ "assignee", SLA_NOTIFY_ASSIGNEE },
	{ "supervisor", SLA_NOTIFY_SUPERVISOR },
	{ "manager", SLA_NOTIFY_MANAGER },
};

const struct sla_step *sla_step_at(const struct sla_target_def *def, int at)
{
	for (int i = 0; i < def->nsteps; i++)
		if (def->steps[i].at == at)
			return &def->steps[i];
	return NULL;
}

static int target_parse(const char *s)
{
	for (int i = 0; s && i < SLA_NTARGETS; i++)
		if (!strcmp(sla_target_names[i], s))
			return i;
	return -1;
}

/* "50,80" -> thresholds; bad stored text leaves what parsed */
static void thresholds_parse(const char *s, struct sla_target_def *d)
{
	d->nthr = 0;
	while (s && *s && d->nthr < SLA_MAX_THRESHOLDS) {
		char *end;
		long v = strtol(s, &end, 10);
		if (end == s)
			break;
		d->thr[d->nthr++] = (int)v;
		s = *end == ',' ? end + 1 : end;
	}
}

static unsigned notify_parse(const char *s)
{
	unsigned bits = 0;
	for (size_t i = 0; s && i < ARRAY_SIZE(notify_roles); i++) {
		const char *p = strstr(s, notify_roles[i].name);
		if (p)
			bits |= notify_roles[i].bit;
	}
	return bits;
}

static void notify_fmt(unsigned bits, struct strbuf *sb)
{
	for (size_t i = 0; i < ARRAY_SIZE(notify_roles); i++)
		if (bits & notify_roles[i].bit) {
			if (sb->len)
				strbuf_addch(sb, ',');
			strbuf_addstr(sb, notify_roles[i].name);
		}
}

static struct sla_policy *find_policy(struct sla_policy *p, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].id == id)
			return &p[i];
	return NULL;
}

int sla_policies_load(struct db *db, struct sla_policy **out, size_t *n, struct yw_err *err)
{
	struct sla_policy *p = NULL;
	size_t np = 0, alloc = 0;
	struct db_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = db_prepare(db, "SELECT id, name, description, position, COALESCE(match_type, ''),"
			     " COALESCE(match_fault_level, 0), COALESCE(match_priority, 0), COALESCE(match_org_id, 0),"
			     " COALESCE(match_category_id, 0), pause_on_pending, created_at, updated_at, version"
			     " FROM sla_policies ORDER BY position, id", &st, err)))
		return rc;
	while ((rc = db_step(st, err)) == DB_ROW) {
		struct sla_policy *q;
		ALLOC_GROW(p, np + 1, alloc);
		q = &p[np++];
		memset(q, 0, sizeof(*q));
		q->id = db_col_int(st, 0);
		snprintf(q->name, sizeof(q->name), "%s", db_col_text(st, 1));
		q->description = db_col_text(st, 2) ? yw_strdup(db_col_text(st, 2)) : NULL;
		q->position = db_col_int(st, 3);
		snprintf(q->match_type, sizeof(q->match_type), "%s", db_col_text(st, 4));
		q->match_fault_level = db_col_int(st, 5);
		q->match_priority = db_col_int(st, 6);
		q->match_org_id = db_col_int(st, 7);
		q->match_category_id = db_col_int(st, 8);
		q->pause_on_pending = db_col_int(st, 9) != 0;
		q->created_at = db_col_int(st, 10);
		q->updated_at = db_col_int(st, 11);
		q->version = db_col_int(st, 12);
	}
	db_done(st);
	if (rc < 0)
		goto fail;
	if ((rc = db_prepare(db, "SELECT policy_id, target, minutes, calendar_id, thresholds FROM sla_policy_targets",
			     &st, err)))
		goto fail;
	while ((rc = db_step(st, err)) == DB_ROW) {
		struct sla_policy *q = find_policy(p, np, db_col_int(st, 0));
		int t = target_parse(db_col_text(st, 1));
		if (!q || t < 0)
			continue;
		q->t[t].set = true;
		q->t[t].minutes = db_col_int(st, 2);
		q->t[t].calendar_id = db_col_int(st, 3);
		thresholds_parse(db_col_text(st, 4), &q->t[t]);
	}
	db_done(st);
	if (rc < 0)
		goto fail;
	if ((rc = db_prepare(db, "SELECT policy_id, target, at, notify, coordination FROM sla_policy_steps"
			     " ORDER BY policy_id, target, at", &st, err)))
		goto fail;
	while ((rc = db_step(st, err)) == DB_ROW) {
		struct sla_policy *q = find_policy(p, np, db_col_int(st, 0));
		int t = target_parse(db_col_text(st, 1));
		struct sla_target_def *d;
		if (!q || t < 0 || !q->t[t].set || q->t[t].nsteps >= SLA_MAX_THRESHOLDS + 1)
			continue;
		d = &q->t[t];
		d->steps[d->nsteps].at = (int)db_col_int(st, 2);
		d->steps[d->nsteps].notify = notify_parse(db_col_text(st, 3));
		d->steps[d->nsteps].coordination = db_col_int(st, 4) != 0;
		d->nsteps++;
	}
	db_done(st);
	if (rc < 0)
		goto fail;
	*out = p;
	*n = np;
	return 0;
fail:
	sla_policies_free(p, np);
	return rc;
}

void sla_policies_free(struct sla_policy *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].description);
	free(p);
}

struct policy_cache {
	int64_t gen;
	struct sla_policy *p;
	size_t n;
};

static void policy_cache_free(void *v)
{
	struct policy_cache *c = v;
	sla_policies_free(c->p, c->n);
	free(c);
}

int sla_policies_cached(struct db *db, const struct sla_policy **out, size_t *n, struct yw_err *err)
{
	struct policy_cache *c = db_cache_get(db, DB_CACHE_SLA);
	int64_t gen = db_cache_gen(db, "sla");
	int rc;

	if (!c || !gen || c->gen != gen) {
		c = yw_calloc(1, sizeof(*c));
		if ((rc = sla_policies_load(db, &c->p, &c->n, err))) {
			free(c);
			return rc;
		}
		c->gen = gen;
		db_cache_set(db, DB_CACHE_SLA, c, policy_cache_free);
	}
	*out = c->p;
	*n = c->n;
	return 0;
}

const struct sla_policy *sla_policy_match(const struct sla_policy *p, size_t n, const struct sla_subject *s)
{
	for (size_t i = 0; i < n; i++) {
		const struct sla_policy *q = &p[i];
		bool cat = !q->match_category_id;
		if (q->match_type[0] && (!s->type || strcmp(q->match_type, s->type)))
			continue;
		if (q->match_fault_level && q->match_fault_level != s->fault_level)
			continue;
		if (q->match_priority && q->match_priority != s->priority)
			continue;
		if (q->match_org_id && q->match_org_id != s->org_id)
			continue;
		for (size_t c = 0; !cat && c < s->ncategory; c++)
			cat = s->category_path[c] == q->match_category_id;
		if (!cat || !q->t[SLA_RESPONSE].set || !q->t[SLA_RESOLUTION].set)
			continue;
		return q;
	}
	return NULL;
}

/* ---- JSON ---- */

static json_t *target_json(const struct sla_target_def *d)
{
	json_t *thr, *steps;

	if (!d->set)
		return json_null();
	thr = json_array();
	steps = json_array();
	for (int i = 0; i < d->nthr; i++)
		json_array_append_new(thr, json_integer(d->thr[i]));
	for (int i = 0; i < d->nsteps; i++) {
		json_t *who = json_array();
		for (size_t r = 0; r < ARRAY_SIZE(notify_roles); r++)
			if (d->steps[i].notify & notify_roles[r].bit)
				json_array_append_new(who, json_string(notify_roles[r].name));
		json_array_append_new(steps, json_pack("{s:i, s:o, s:b}", "at", d->steps[i].at, "notify", who,
						       "coordination", d->steps[i].coordination));
	}
	return json_pack("{s:I, s:I, s:o, s:o}", "minutes", (json_int_t)d->minutes, "calendar_id",
			 (json_int_t)d->calendar_id, "thresholds", thr, "steps", steps);
}

json_t *sla_policy_json(const struct sla_policy *p)
{
	char prio[4];
	json_t *targets = json_object();

	for (int t = 0; t < SLA_NTARGETS; t++)
		json_object_set_new(targets, sla_target_names[t], target_json(&p->t[t]));
	snprintf(prio, sizeof(prio), "P%d", (int)p->match_priority);
	return json_pack("{s:I, s:s, s:o, s:I, s:{s:o, s:o, s:o, s:o, s:o}, s:b, s:o, s:o, s:o, s:I}",
			 "id", (json_int_t)p->id, "name", p->name, "description", jx_str_or_null(p->description),
			 "position", (json_int_t)p->position,
			 "match",
			 "type", p->match_type[0] ? json_string(p->match_type) : json_null(),
			 "fault_level", p->match_fault_level ? json_integer(p->match_fault_level) : json_null(),
			 "priority", p->match_priority ? json_string(prio) : json_null(),
			 "organization_id", jx_id_or_null(p->match_org_id),
			 "category_id", jx_id_or_null(p->match_category_id),
			 "pause_on_pending", p->pause_on_pending, "targets", targets,
			 "created_at", jx_time_or_null(p->created_at), "updated_at", jx_time_or_null(p->updated_at),
			 "version", (json_int_t)p->version);
}

static int may_read(const struct yw_actor *a, struct yw_err *err)
{
	return perm_check(a, P_SLA_POLICY_READ, NULL, err);
}

static int may_write(const struct yw_actor *a, struct yw_err *err)
{
	return perm_check(a, P_SLA_POLICY_UPDATE, NULL, err);
}

int sla_policy_list_json(struct db *db, const struct yw_actor *a, json_t **out, struct yw_err *err)
{
	struct sla_policy *p;
	size_t n;
	int rc;

	if ((rc = may_read(a, err)) || (rc = sla_policies_load(db, &p, &n, err)))
		return rc;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, sla_policy_json(&p[i]));
	sla_policies_free(p, n);
	*out = json_pack("{s:o, s:n}", "items", items, "next_cursor");
	return 0;
}

int sla_policy_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err)
{
	struct sla_policy *p, *q;
	size_t n;
	int rc;

	if ((rc = may_read(a, err)) || (rc = sla_policies_load(db, &p, &n, err)))
		return rc;
	if ((q = find_policy(p, n, id)))
		*out = sla_policy_json(q);
	else
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no such SLA policy");
	sla_policies_free(p, n);
	return rc;
}

int sla_policy_lookup(struct db *db, const char *s, int64_t *id, struct yw_err *err)
{
	size_t n = strspn(s, "0123456789");
	int rc;

	if (n && !s[n] && n < 16)
		rc = db_queryint(db, id, err, "SELECT id FROM sla_policies WHERE id = ?", "i", (int64_t)atoll(s));
	else
		rc = db_queryint(db, id, err, "SELECT id FROM sla_policies WHERE name = ?", "s", s);
	if (rc == YW_ENOTFOUND)
		return yw_errf(err, YW_ENOTFOUND, "policy", "no SLA policy %.64s", s);
	return rc;
}

/* ---- decoding and validating a body ---- */


static int get_id(json_t *v, const char *field, int64_t *out, struct yw_err *err)
{
	if (json_is_null(v)) {
		*out = 0;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > ((json_int_t)1 << 53))
		return yw_errf(err, YW_EINVAL, field, "%s must be a positive integer id or null", field);
	*out = json_integer_value(v);
	return 0;
}

static int decode_match(struct db *db, json_t *m, struct sla_policy *p, struct yw_err *err)
{
	const char *key;
	json_t *v;
	bool found = false;
	int rc;

	if (!json_is_object(m))
		return yw_errf(err, YW_EINVAL, "match", "match must be an object");
	json_object_foreach(m, key, v) {
		if (!strcmp(key, "type")) {
			size_t i;
			p->match_type[0] = '\0';
			if (json_is_null(v))
				continue;
			for (i = 0; policy_types[i]; i++)
				if (json_is_string(v) && !strcmp(policy_types[i], json_string_value(v)))
					break;
			if (!policy_types[i])
				return yw_errf(err, YW_EINVAL, "match.type", "match.type must be incident, request or null");
			snprintf(p->match_type, sizeof(p->match_type), "%s", policy_types[i]);
		} else if (!strcmp(key, "fault_level")) {
			if (json_is_null(v))
				p->match_fault_level = 0;
			else if (json_is_integer(v) && json_integer_value(v) >= 1 && json_integer_value(v) <= 3)
				p->match_fault_level = json_integer_value(v);
			else
				return yw_errf(err, YW_EINVAL, "match.fault_level", "match.fault_level must be 1, 2, 3 or null");
		} else if (!strcmp(key, "priority")) {
			const char *s = json_string_value(v);
			if (json_is_null(v))
				p->match_priority = 0;
			else if (s && (s[0] == 'P' || s[0] == 'p') && s[1] >= '1' && s[1] <= '4' && !s[2])
				p->match_priority = s[1] - '0';
			else
				return yw_errf(err, YW_EINVAL, "match.priority", "match.priority must be P1, P2, P3, P4 or null");
		} else if (!strcmp(key, "organization_id")) {
			if ((rc = get_id(v, "match.organization_id", &p->match_org_id, err)))
				return rc;
			if (p->match_org_id &&
			    (rc = db_exists(db, &found, err, "SELECT 1 FROM organizations WHERE id = ?", "i", p->match_org_id)))
				return rc;
			if (p->match_org_id && !found)
				return yw_errf(err, YW_EINVAL, "match.organization_id",
					       "match.organization_id names no organisation");
		} else if (!strcmp(key, "category_id")) {
			if ((rc = get_id(v, "match.category_id", &p->match_category_id, err)))
				return rc;
			if (p->match_category_id &&
			    (rc = db_exists(db, &found, err, "SELECT 1 FROM categories WHERE id = ?", "i", p->match_category_id)))
				return rc;
			if (p->match_category_id && !found)
				return yw_errf(err, YW_EINVAL, "match.category_id", "match.category_id names no category");
		} else {
			return yw_errf(err, YW_EUNKNOWN, key, "unknown field match.%.60s", key);
		}
	}
	if (p->match_fault_level && p->match_type[0] && strcmp(p->match_type, "incident"))
		return yw_errf(err, YW_EINVAL, "match.fault_level", "only incidents have a fault level");
	return 0;
}

static int decode_steps(json_t *a, const char *tname, struct sla_target_def *d, struct yw_err *err)
{
	size_t i;
	json_t *s;

	if (!json_is_array(a) || json_array_size(a) > SLA_MAX_THRESHOLDS + 1)
		return yw_errf(err, YW_EINVAL, "steps", "targets.%s.steps must be an array of at most %d steps",
			       tname, SLA_MAX_THRESHOLDS + 1);
	d->nsteps = 0;
	json_array_foreach(a, i, s) {
		struct sla_step *st = &d->steps[d->nsteps];
		const char *key;
		json_t *v, *at = json_object_get(s, "at");
		bool known = false;

		if (!json_is_object(s))
			return yw_errf(err, YW_EINVAL, "steps", "targets.%s.steps[%zu] must be an object", tname, i);
		json_object_foreach(s, key, v)
			if (strcmp(key, "at") && strcmp(key, "notify") && strcmp(key, "coordination"))
				return yw_errf(err, YW_EUNKNOWN, key, "unknown field targets.%s.steps[%zu].%.60s",
					       tname, i, key);
		if (!json_is_integer(at))
			return yw_errf(err, YW_EINVAL, "at", "targets.%s.steps[%zu].at must be a threshold or 100",
				       tname, i);
		st->at = (int)json_integer_value(at);
		known = st->at == SLA_BREACH;
		for (int t = 0; t < d->nthr; t++)
			known = known || d->thr[t] == st->at;
		if (!known || json_integer_value(at) != st->at)
			return yw_errf(err, YW_EINVAL, "at", "targets.%s.steps[%zu].at must be one of the thresholds"
				       " or 100 (the breach)", tname, i);
		if (sla_step_at(d, st->at))
			return yw_errf(err, YW_EINVAL, "at", "targets.%s.steps has two steps at %d", tname, st->at);
		st->notify = 0;
		v = json_object_get(s, "notify");
		if (v && !json_is_array(v))
			return yw_errf(err, YW_EINVAL, "notify", "targets.%s.steps[%zu].notify must be an array of"
				       " assignee, supervisor, manager", tname, i);
		size_t j;
		json_t *r;
		json_array_foreach(v, j, r) {
			size_t k;
			for (k = 0; k < ARRAY_SIZE(notify_roles); k++)
				if (json_is_string(r) && !strcmp(json_string_value(r), notify_roles[k].name))
					break;
			if (k == ARRAY_SIZE(notify_roles))
				return yw_errf(err, YW_EINVAL, "notify", "targets.%s.steps[%zu].notify: unknown role %.40s;"
					       " use assignee, supervisor, manager", tname, i,
					       json_is_string(r) ? json_string_value(r) : "(not a string)");
			st->notify |= notify_roles[k].bit;
		}
		v = json_object_get(s, "coordination");
		if (v && !json_is_boolean(v))
			return yw_errf(err, YW_EINVAL, "coordination", "targets.%s.steps[%zu].coordination must be"
				       " a boolean", tname, i);
		st->coordination = json_is_true(v);
		d->nsteps++;
	}
	return 0;
}

static int decode_target(struct db *db, json_t *o, const char *tname, struct sla_target_def *d,
			 struct yw_err *err)
{
	const char *key;
	json_t *v;
	size_t i;
	bool found = false;
	int rc;

	memset(d, 0, sizeof(*d));
	if (!json_is_object(o))
		return yw_errf(err, YW_EINVAL, tname, "targets.%s must be an object", tname);
	json_object_foreach(o, key, v)
		if (strcmp(key, "minutes") && strcmp(key, "calendar_id") && strcmp(key, "thresholds") &&
		    strcmp(key, "steps"))
			return yw_errf(err, YW_EUNKNOWN, key, "unknown field targets.%s.%.60s", tname, key);
	v = json_object_get(o, "minutes");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > SLA_MAX_MINUTES)
		return yw_errf(err, YW_EINVAL, "minutes", "targets.%s.minutes must be an integer between 1 and %d",
			       tname, SLA_MAX_MINUTES);
	d->minutes = json_integer_value(v);
	v = json_object_get(o, "calendar_id");
	if (!v)
		return yw_errf(err, YW_EINVAL, "calendar_id", "targets.%s.calendar_id is required", tname);
	if ((rc = get_id(v, "calendar_id", &d->calendar_id, err)))
		return rc;
	if (d->calendar_id && (rc = db_exists(db, &found, err, "SELECT 1 FROM calendars WHERE id = ?", "i", d->calendar_id)))
		return rc;
	if (!d->calendar_id || !found)
		return yw_errf(err, YW_EINVAL, "calendar_id", "targets.%s.calendar_id names no calendar", tname);
	v = json_object_get(o, "thresholds");
	if (v && !json_is_array(v))
		return yw_errf(err, YW_EINVAL, "thresholds", "targets.%s.thresholds must be an array", tname);
	if (json_array_size(v) > SLA_MAX_THRESHOLDS)
		return yw_errf(err, YW_EINVAL, "thresholds", "targets.%s.thresholds has more than %d values",
			       tname, SLA_MAX_THRESHOLDS);
	json_t *x;
	json_array_foreach(v, i, x) {
		json_int_t pct = json_is_integer(x) ? json_integer_value(x) : -1;
		if (pct < 1 || pct > 99)
			return yw_errf(err, YW_EINVAL, "thresholds", "targets.%s.thresholds must be percentages from 1"
				       " to 99 (the breach at 100 is implied)", tname);
		if (d->nthr && pct <= d->thr[d->nthr - 1])
			return yw_errf(err, YW_EINVAL, "thresholds", "targets.%s.thresholds must be ascending", tname);
		d->thr[d->nthr++] = (int)pct;
	}
	if ((v = json_object_get(o, "steps")) && (rc = decode_steps(v, tname, d, err)))
		return rc;
	d->set = true;
	return 0;
}

static int decode_targets(struct db *db, json_t *o, struct sla_policy *p, struct yw_err *err)
{
	const char *key;
	json_t *v;
	int rc;

	if (!json_is_object(o))
		return yw_errf(err, YW_EINVAL, "targets", "targets must be an object");
	json_object_foreach(o, key, v) {
		int t = target_parse(key);
		if (t < 0)
			return yw_errf(err, YW_EUNKNOWN, key, "unknown target %.60s; use response, onsite, resolution", key);
		if (json_is_null(v)) {
			if (t != SLA_ONSITE)
				return yw_errf(err, YW_EINVAL, key, "targets.%s is required", key);
			memset(&p->t[t], 0, sizeof(p->t[t]));
			continue;
		}
		if ((rc = decode_target(db, v, key, &p->t[t], err)))
			return rc;
	}
	return 0;
}

/*
 * Applies body to p (a new policy or a loaded one). create: name and the
 * response and resolution targets are required.
 */
static int decode_policy(struct db *db, json_t *body, struct sla_policy *p, bool create, struct yw_err *err)
{
	const char *key;
	json_t *v;
	int rc;

	if (!json_is_object(body))
		return yw_errf(err, YW_EJSON, "", "the body must be a JSON object");
	json_object_foreach(body, key, v) {
		if (!strcmp(key, "name")) {
			if (!json_is_string(v))
				return yw_errf(err, YW_EINVAL, "name", "name must be a string");
			if ((rc = jx_check_str("name", json_string_value(v), json_string_length(v), 1, SLA_NAME_MAX,
					       false, err)))
				return rc;
			snprintf(p->name, sizeof(p->name), "%s", json_string_value(v));
		} else if (!strcmp(key, "description")) {
			if (!json_is_null(v) && !json_is_string(v))
				return yw_errf(err, YW_EINVAL, "description", "description must be a string or null");
			if (json_is_string(v) && (rc = jx_check_str("description", json_string_value(v),
								     json_string_length(v), 0, 500, true, err)))
				return rc;
			free(p->description);
			p->description = json_is_string(v) ? yw_strdup(json_string_value(v)) : NULL;
		} else if (!strcmp(key, "pause_on_pending")) {
			if (!json_is_boolean(v))
				return yw_errf(err, YW_EINVAL, "pause_on_pending", "pause_on_pending must be a boolean");
			p->pause_on_pending = json_is_true(v);
		} else if (!strcmp(key, "match")) {
			if ((rc = decode_match(db, v, p, err)))
				return rc;
		} else if (!strcmp(key, "targets")) {
			if ((rc = decode_targets(db, v, p, err)))
				return rc;
		} else {
			return yw_errf(err, YW_EUNKNOWN, key, "unknown field %.60s", key);
		}
	}
	if (create && !p->name[0])
		return yw_errf(err, YW_EINVAL, "name", "name is required");
	for (int t = 0; t < SLA_NTARGETS; t++)
		if (t != SLA_ONSITE && !p->t[t].set)
			return yw_errf(err, YW_EINVAL, "targets", "targets.%s is required", sla_target_names[t]);
	return 0;
}

/* Writes p's row fields, targets and steps (replacing what was there). */
static int store_policy(struct db *db, struct sla_policy *p, bool create, struct yw_err *err)
{
	int64_t now = yw_now();
	int rc;

	if (create) {
		rc = db_queryint(db, &p->id, err,
				 "INSERT INTO sla_policies (name, description, position, match_type, match_fault_level,"
				 " match_priority, match_org_id, match_category_id, pause_on_pending, created_at, updated_at)"
				 " VALUES (?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM sla_policies), ?, ?, ?, ?, ?,"
				 " ?, ?, ?) RETURNING id",
				 "sssddddiii", p->name, p->description, p->match_type[0] ? p->match_type : NULL,
				 p->match_fault_level, p->match_priority, p->match_org_id, p->match_category_id,
				 (int64_t)p->pause_on_pending, now, now);
	} else {
		rc = db_execf(db, err,
			      "UPDATE sla_policies SET name = ?, description = ?, match_type = ?, match_fault_level = ?,"
			      " match_priority = ?, match_org_id = ?, match_category_id = ?, pause_on_pending = ?,"
			      " updated_at = ?, version = version + 1 WHERE id = ?",
			      "sssddddiii", p->name, p->description, p->match_type[0] ? p->match_type : NULL,
			      p->match_fault_level, p->match_priority, p->match_org_id, p->match_category_id,
			      (int64_t)p->pause_on_pending, now, p->id);
	}
	if (rc == YW_ECONFLICT)
		return yw_errf(err, YW_ECONFLICT, "name", "an SLA policy named %.100s exists", p->name);
	if (rc)
		return rc;
	if ((rc = db_execf(db, err, "DELETE FROM sla_policy_steps WHERE policy_id = ?", "i", p->id)) ||
	    (rc = db_execf(db, err, "DELETE FROM sla_policy_targets WHERE policy_id = ?", "i", p->id)))
		return rc;
	for (int t = 0; t < SLA_NTARGETS; t++) {
		const struct sla_target_def *d = &p->t[t];
		struct strbuf thr = STRBUF_INIT;
		if (!d->set)
			continue;
		for (int i = 0; i < d->nthr; i++)
			strbuf_addf(&thr, i ? ",%d" : "%d", d->thr[i]);
		rc = db_execf(db, err, "INSERT INTO sla_policy_targets (policy_id, target, minutes, calendar_id,"
			      " thresholds) VALUES (?, ?, ?, ?, ?)", "isiis", p->id, sla_target_names[t], d->minutes,
			      d->calendar_id, thr.buf);
		strbuf_release(&thr);
		for (int i = 0; !rc && i < d->nsteps; i++) {
			struct strbuf who = STRBUF_INIT;
			notify_fmt(d->steps[i].notify, &who);
			rc = db_execf(db, err, "INSERT INTO sla_policy_steps (policy_id, target, at, notify, coordination)"
				      " VALUES (?, ?, ?, ?, ?)", "isisi", p->id, sla_target_names[t],
				      (int64_t)d->steps[i].at, who.buf, (int64_t)d->steps[i].coordination);
			strbuf_release(&who);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int audit_policy(struct db *db, const struct yw_actor *a, const char *action, int64_t id,
			struct yw_err *err)
{
	struct sla_policy *p, *q;
	size_t n;
	json_t *d = NULL;
	int rc;

	if ((rc = sla_policies_load(db, &p, &n, err)))
		return rc;
	if ((q = find_policy(p, n, id)))
		d = sla_policy_json(q);
	rc = acct_audit(db, a, action, "sla_policy", id, d, err);
	json_decref(d);
	sla_policies_free(p, n);
	return rc;
}

/* Ends a write: re-targets the open clocks, commits, wakes the scheduler. */
static int finish(struct db *db, const struct yw_actor *a, int64_t id, struct yw_err *err)
{
	int rc;

	if ((rc = sla_retarget_all(db, a, id, NULL, err)) || (rc = db_commit(db, err))) {
		db_rollback(db);
		return rc;
	}
	sla_after_commit();
	return 0;
}

int sla_policy_create(struct db *db, const struct yw_actor *a, json_t *body, int64_t *id, struct yw_err *err)
{
	struct sla_policy p;
	int64_t count;
	int rc;

	memset(&p, 0, sizeof(p));
	p.pause_on_pending = true;
	if ((rc = may_write(a, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = decode_policy(db, body, &p, true, err)))
		goto fail;
	if ((rc = db_queryint(db, &count, err, "SELECT COUNT(*) FROM sla_policies", "")))
		goto fail;
	if (count >= SLA_MAX_POLICIES) {
		rc = yw_errf(err, YW_EINVAL, "", "there are already %d SLA policies", SLA_MAX_POLICIES);
		goto fail;
	}
	if ((rc = store_policy(db, &p, true, err)) || (rc = audit_policy(db, a, "sla_policy.create", p.id, err)))
		goto fail;
	free(p.description);
	*id = p.id;
	return finish(db, a, p.id, err);
fail:
	free(p.description);
	db_rollback(db);
	return rc;
}

int sla_policy_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version, json_t *body,
		      struct yw_err *err)
{
	struct sla_policy *p = NULL, *q;
	size_t n = 0;
	int rc;

	if ((rc = may_write(a, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = sla_policies_load(db, &p, &n, err)))
		goto fail;
	if (!(q = find_policy(p, n, id))) {
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no such SLA policy");
		goto fail;
	}
	if (q->version != version) {
		rc = yw_errf(err, YW_ESTALE, "If-Match", "the policy was changed (now version %" PRId64
			     "); reload it and try again", q->version);
		goto fail;
	}
	if ((rc = decode_policy(db, body, q, false, err)) || (rc = store_policy(db, q, false, err)) ||
	    (rc = audit_policy(db, a, "sla_policy.update", id, err)))
		goto fail;
	sla_policies_free(p, n);
	return finish(db, a, id, err);
fail:
	sla_policies_free(p, n);
	db_rollback(db);
	return rc;
}

int sla_policy_delete(struct db *db, const struct yw_actor *a, int64_t id, struct yw_err *err)
{
	int rc;

	if ((rc = may_write(a, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = audit_policy(db, a, "sla_policy.delete", id, err)))
		goto fail;
	if ((rc = db_execf(db, err, "DELETE FROM sla_policies WHERE id = ?", "i", id)))
		goto fail;
	if (!db_changes(db)) {
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no such SLA policy");
		goto fail;
	}
	return finish(db, a, 0, err);
fail:
	db_rollback(db);
	return rc;
}

int sla_policy_reorder(struct db *db, const struct yw_actor *a, const int64_t *ids, size_t nids,
		       struct yw_err *err)
{
	struct sla_policy *p = NULL;
	size_t n = 0;
	json_t *d;
	int rc;

	if ((rc = may_write(a, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = sla_policies_load(db, &p, &n, err)))
		goto fail;
	if (nids != n) {
		rc = yw_errf(err, YW_EINVAL, "ids", "ids must list each of the %zu SLA policies once", n);
		goto fail;
	}
	for (size_t i = 0; i < nids; i++) {
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup = dup || ids[j] == ids[i];
		if (dup || !find_policy(p, n, ids[i])) {
			rc = yw_errf(err, YW_EINVAL, "ids", dup ? "ids names policy %" PRId64 " twice" :
				     "ids names no SLA policy %" PRId64, ids[i]);
			goto fail;
		}
	}
	d = json_array();
	for (size_t i = 0; i < nids; i++) {
		json_array_append_new(d, json_integer(ids[i]));
		if ((rc = db_execf(db, err, "UPDATE sla_policies SET position = ?, version = version +"
				   " (CASE WHEN position = ? THEN 0 ELSE 1 END), updated_at = CASE WHEN position = ?"
				   " THEN updated_at ELSE ? END WHERE id = ?", "iiiii", (int64_t)i + 1, (int64_t)i + 1,
				   (int64_t)i + 1, yw_now(), ids[i])))
			break;
	}
	if (!rc)
		rc = acct_audit(db, a, "sla_policy.reorder", "sla_policy", 0, d, err);
	json_decref(d);
	if (rc)
		goto fail;
	sla_policies_free(p, n);
	return finish(db, a, 0, err);
fail:
	sla_policies_free(p, n);
	db_rollback(db);
	return rc;
}
