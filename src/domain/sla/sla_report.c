/*
 * sla_report.c - the SLA report: per level, group, organisation or
 * policy, how many tickets met or breached their targets and how long
 * response and resolution took in working minutes.
 *
 * A ticket counts as breached when any of its current clocks breached
 * (stopped late, or open past its deadline now), as met when none did and
 * its resolution clock stopped in time; tickets still open in time count
 * in "tickets" only. Times are of the stopped clocks (for a reopened
 * ticket, its last resolution cycle). Cancelled clocks do not count.
 */
#include "../../core/yw.h"
#include "../../core/jx.h"
#include "../../core/ytime.h"
#include <math.h>
#include "../../store/db.h"
#include "../account/acct.h"
#include "../calendar/cal.h"
#include "sla_int.h"
#include "../account/perm.h"

#define REPORT_MAX_DAYS 400

static const char *const bys[] = { "level", "group", "organization", "policy", NULL };

struct row {
	int64_t key;             /* level (0: request), group, organisation, policy id; -1: none */
	size_t tickets, met, breached;
	double *resp, *resol;    /* working minutes */
	size_t nresp, nresol, aresp, aresol;
};

struct report {
	struct row *v;
	size_t n, alloc;
	struct row total;
};

static struct row *row_of(struct report *r, int64_t key)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].key == key)
			return &r->v[i];
	ALLOC_GROW(r->v, r->n + 1, r->alloc);
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	r->v[r->n].key = key;
	return &r->v[r->n++];
}

static void push(double **v, size_t *n, size_t *alloc, double x)
{
	ALLOC_GROW(*v, *n + 1, *alloc);
	(*v)[(*n)++] = x;
}

/* One ticket, once its clocks were all read. */
struct tk {
	int64_t id, key;
	bool breached, resolved_met, any;
	double resp, resol;
	bool has_resp, has_resol;
};

static void add_ticket(struct report *r, const struct tk *t)
{
	struct row *rows[2];

	if (!t->any)
		return;
	rows[0] = row_of(r, t->key);
	rows[1] = &r->total;
	for (int i = 0; i < 2; i++) {
		struct row *w = rows[i];
		w->tickets++;
		if (t->breached)
			w->breached++;
		else if (t->resolved_met)
			w->met++;
		if (t->has_resp)
			push(&w->resp, &w->nresp, &w->aresp, t->resp);
		if (t->has_resol)
			push(&w->resol, &w->nresol, &w->aresol, t->resol);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static json_t *round1(double x)
{
	return json_real((double)llround(x * 10) / 10);
}

static json_t *stats(double *v, size_t n, bool p90)
{
	double sum = 0;

	if (!n)
		return json_null();
	if (p90) {
		size_t k = (size_t)ceil(0.9 * (double)n);   /* nearest rank */
		qsort(v, n, sizeof(*v), cmp_double);
		return round1(v[k ? k - 1 : 0]);
	}
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	return round1(sum / (double)n);
}

static json_t *row_json(struct db *db, const char *by, const struct row *w, bool total)
{
	static const char *const level_names[] = { "服务请求", "一级故障", "二级故障", "三级故障" };
	json_t *j = json_object(), *key, *name;
	struct yw_err e = YW_ERR_INIT;
	struct db_stmt *st;
	const char *sql = NULL;

	if (total) {
		key = json_null();
		name = json_string("合计 / total");
	} else if (!strcmp(by, "level")) {
		key = w->key ? json_integer(w->key) : json_string("request");
		name = json_string(w->key >= 0 && w->key <= 3 ? level_names[w->key] : "?");
	} else {
		key = w->key > 0 ? json_integer(w->key) : json_null();
		name = json_null();
		sql = !strcmp(by, "group") ? "SELECT name FROM groups WHERE id = ?" :
		      !strcmp(by, "organization") ? "SELECT name FROM organizations WHERE id = ?" :
		      "SELECT name FROM sla_policies WHERE id = ?";
		if (w->key > 0 && !db_prepare(db, sql, &st, &e)) {
			db_bind_int(st, 1, w->key);
			if (db_step(st, &e) == DB_ROW) {
				json_decref(name);
				name = json_string(db_col_text(st, 0));
			}
			db_done(st);
		}
	}
	json_object_set_new(j, "key", key);
	json_object_set_new(j, "name", name);
	json_object_set_new(j, "tickets", json_integer((json_int_t)w->tickets));
	json_object_set_new(j, "met", json_integer((json_int_t)w->met));
	json_object_set_new(j, "breached", json_integer((json_int_t)w->breached));
	json_object_set_new(j, "compliance", w->met + w->breached ?
			    round1(100.0 * (double)w->met / (double)(w->met + w->breached)) : json_null());
	json_object_set_new(j, "response_mean", stats(w->resp, w->nresp, false));
	json_object_set_new(j, "response_p90", stats(w->resp, w->nresp, true));
	json_object_set_new(j, "resolution_mean", stats(w->resol, w->nresol, false));
	json_object_set_new(j, "resolution_p90", stats(w->resol, w->nresol, true));
	return j;
}

static int cmp_row(const void *a, const void *b)
{
	int64_t x = ((const struct row *)a)->key, y = ((const struct row *)b)->key;
	return x < y ? -1 : x > y;
}

int sla_report_json(struct db *db, const struct yw_actor *a, int64_t from, int64_t to, const char *by,
		    json_t **out, struct yw_err *err)
{
#define REPORT_SQL(extra) \
	"SELECT t.id, COALESCE(t.fault_level, 0), t.type, COALESCE(t.group_id, 0), COALESCE(t.org_id, 0)," \
	" c.id, c.ticket_id, c.target, c.cycle, COALESCE(c.policy_id, 0), c.calendar_id," \
	" c.target_minutes, c.started_at, COALESCE(c.running_since, 0), c.consumed, c.paused," \
	" COALESCE(c.due_at, 0), COALESCE(c.warn_at, 0), COALESCE(c.stopped_at, 0)," \
	" COALESCE(c.result, '') FROM tickets t" \
	" JOIN sla_clocks c ON c.ticket_id = t.id AND c.current = 1" \
	" WHERE t.created_at >= ? AND t.created_at < ?" extra " ORDER BY t.id, c.target"
	/* [1]: a supervisor's report, its own groups only */
	static const char *const sql[2] = {
		REPORT_SQL(""),
		REPORT_SQL(" AND t.group_id IN (SELECT id FROM groups WHERE supervisor_id = ?)"),
	};
	struct report r;
	struct db_stmt *st;
	struct tk cur;
	bool sup = a->role == ROLE_SUPERVISOR;
	int64_t now = yw_now();
	size_t i;
	int rc;

	if ((rc = perm_check(a, P_SLA_REPORT_READ, NULL, err)))
		return rc;
	for (i = 0; bys[i]; i++)
		if (by && !strcmp(bys[i], by))
			break;
	if (!bys[i])
		return yw_errf(err, YW_EINVAL, "by", "by must be one of: level, group, organization, policy");
	if (to <= from)
		return yw_errf(err, YW_EINVAL, "to", "to must be after from");
	if (to - from > (int64_t)REPORT_MAX_DAYS * 86400)
		return yw_errf(err, YW_EINVAL, "to", "the report spans at most %d days", REPORT_MAX_DAYS);

	memset(&r, 0, sizeof(r));
	memset(&cur, 0, sizeof(cur));
	if ((rc = db_prepare(db, sql[sup], &st, err)))
		return rc;
	db_bind_int(st, 1, from);
	db_bind_int(st, 2, to);
	if (sup)
		db_bind_int(st, 3, a->user_id);
	while ((rc = db_step(st, err)) == DB_ROW) {
		struct sla_clock c;
		enum sla_state s;
		int64_t key;
		int64_t id = db_col_int(st, 0);

		if (id != cur.id) {
			add_ticket(&r, &cur);
			memset(&cur, 0, sizeof(cur));
			cur.id = id;
		}
		/* the clock columns start at 5: read them as sla_clock_read would */
		memset(&c, 0, sizeof(c));
		c.id = db_col_int(st, 5);
		c.ticket_id = db_col_int(st, 6);
		const char *tg = db_col_text(st, 7);
		c.target = !strcmp(tg, "response") ? SLA_RESPONSE : !strcmp(tg, "onsite") ? SLA_ONSITE : SLA_RESOLUTION;
		c.policy_id = db_col_int(st, 9);
		c.calendar_id = db_col_int(st, 10);
		c.target_minutes = db_col_int(st, 11);
		c.started_at = db_col_int(st, 12);
		c.running_since = db_col_int(st, 13);
		c.consumed = db_col_int(st, 14);
		c.paused = db_col_int(st, 15) != 0;
		c.due_at = db_col_int(st, 16);
		c.warn_at = db_col_int(st, 17);
		c.stopped_at = db_col_int(st, 18);
		tg = db_col_text(st, 19);
		c.result = !strcmp(tg, "met") ? SLA_MET : !strcmp(tg, "breached") ? SLA_BREACHED : SLA_CANCELLED;
		if (c.stopped_at && c.result == SLA_CANCELLED)
			continue;
		key = !strcmp(by, "level") ? (!strcmp(db_col_text(st, 2), "incident") ? db_col_int(st, 1) : 0) :
		      !strcmp(by, "group") ? db_col_int(st, 3) : !strcmp(by, "organization") ? db_col_int(st, 4) :
		      c.policy_id;
		if (!cur.any || c.target == SLA_RESOLUTION)
			cur.key = key;
		cur.any = true;
		s = sla_clock_state_now(&c, now);
		if (s == SLA_BREACHED)
			cur.breached = true;
		if (c.stopped_at && c.target == SLA_RESPONSE) {
			cur.has_resp = true;
			cur.resp = (double)c.consumed / 60.0;
		}
		if (c.stopped_at && c.target == SLA_RESOLUTION) {
			cur.has_resol = true;
			cur.resol = (double)c.consumed / 60.0;
			cur.resolved_met = s == SLA_MET;
		}
	}
	db_done(st);
	if (rc >= 0) {
		add_ticket(&r, &cur);
		rc = 0;
		qsort(r.v, r.n, sizeof(r.v[0]), cmp_row);
		json_t *rows = json_array();
		for (i = 0; i < r.n; i++)
			json_array_append_new(rows, row_json(db, by, &r.v[i], false));
		*out = json_pack("{s:o, s:o, s:s, s:o, s:o}", "from", jx_time_or_null(from),
				 "to", jx_time_or_null(to), "by", by, "rows", rows,
				 "total", row_json(db, by, &r.total, true));
	}
	for (i = 0; i < r.n; i++) {
		free(r.v[i].resp);
		free(r.v[i].resol);
	}
	free(r.v);
	free(r.total.resp);
	free(r.total.resol);
	return rc;
}
