/*
 * sla_fire.c - firing SLA timers: each is claimed in the database in the
 * transaction that writes its effects (history, notifications, a
 * coordination record), so it takes effect exactly once.
 */
#include "../../core/yw.h"
#include "../../core/log.h"
#include "../../core/strbuf.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "../calendar/cal.h"
#include "../notify/notify.h"
#include "sla_int.h"

#define BATCH 128

static const char *const target_zh[SLA_NTARGETS] = { "响应", "到场", "解决" };

int sla_next_due(struct db *db, int64_t *due, struct yw_err *err)
{
	return db_queryint(db, due, err, "SELECT due_at FROM sla_timers WHERE fired_at IS NULL ORDER BY due_at, id LIMIT 1",
			   "");
}

struct timer {
	int64_t id, clock_id, ticket_id, due_at;
	int threshold;
};

struct person {
	int64_t id;
	char name[256];
	const char *role;   /* why called in: assignee, supervisor, manager */
};

struct people {
	struct person *v;
	size_t n, alloc;
};

static void add_person(struct db *db, struct people *pp, int64_t id, const char *role)
{
	struct yw_err e = YW_ERR_INIT;
	struct db_stmt *st;

	if (!id)
		return;
	for (size_t i = 0; i < pp->n; i++)
		if (pp->v[i].id == id)
			return;
	if (db_prepare(db, "SELECT display_name FROM users WHERE id = ? AND disabled = 0", &st, &e))
		return;
	db_bind_int(st, 1, id);
	if (db_step(st, &e) == DB_ROW) {
		ALLOC_GROW(pp->v, pp->n + 1, pp->alloc);
		pp->v[pp->n].id = id;
		snprintf(pp->v[pp->n].name, sizeof(pp->v[pp->n].name), "%s", db_col_text(st, 0));
		pp->v[pp->n++].role = role;
	}
	db_done(st);
}

static int recipients(struct db *db, const struct sla_ticket *t, unsigned notify, struct people *pp,
		      struct yw_err *err)
{
	int rc = 0;

	if (notify & SLA_NOTIFY_ASSIGNEE)
		add_person(db, pp, t->assignee_id, "assignee");
	if ((notify & SLA_NOTIFY_SUPERVISOR) && t->group_id) {
		int64_t sup = 0;
		rc = db_queryint(db, &sup, err, "SELECT COALESCE(supervisor_id, 0) FROM groups WHERE id = ?", "i",
				 t->group_id);
		if (rc && rc != YW_ENOTFOUND)
			return rc;
		rc = 0;
		add_person(db, pp, sup, "supervisor");
	}
	if (notify & SLA_NOTIFY_MANAGER) {
		struct db_stmt *st;
		int64_t ids[64];
		size_t n = 0;
		if ((rc = db_prepare(db, "SELECT id FROM users WHERE role = 'manager' AND disabled = 0 ORDER BY id LIMIT 64",
				     &st, err)))
			return rc;
		while ((rc = db_step(st, err)) == DB_ROW)
			ids[n++] = db_col_int(st, 0);
		db_done(st);
		if (rc < 0)
			return rc;
		rc = 0;
		for (size_t i = 0; i < n; i++)
			add_person(db, pp, ids[i], "manager");
	}
	return rc;
}

struct fire_ctx {
	struct db *db;
	const struct sla_policy *pol;   /* the connection's cache: not ours to free */
	size_t npol;
	struct sla_cals cals;
};

static const struct sla_target_def *def_for(const struct fire_ctx *f, const struct sla_clock *c)
{
	for (size_t i = 0; i < f->npol; i++)
		if (f->pol[i].id == c->policy_id)
			return f->pol[i].t[c->target].set ? &f->pol[i].t[c->target] : NULL;
	return NULL;
}

/*
 * The effects of timer tm, already claimed: history, notifications,
 * coordination, and the clock's next timer (*next_due, 0: none).
 */
static int effects(struct fire_ctx *f, const struct timer *tm, int64_t *next_due, struct yw_err *err)
{
	static const char sql[] = "SELECT " SLA_CLOCK_COLS " FROM sla_clocks WHERE id = ?";
	struct db *db = f->db;
	struct sla_clock c;
	struct sla_ticket t;
	struct people pp = { NULL, 0, 0 };
	const struct sla_target_def *def;
	const struct sla_step *step;
	const struct cal *cal;
	struct strbuf names = STRBUF_INIT, szh = STRBUF_INIT, bzh = STRBUF_INIT, sen = STRBUF_INIT, ben = STRBUF_INIT;
	struct db_stmt *st;
	bool breach = tm->threshold >= SLA_BREACH, coord;
	char due[32], what[64];
	int rc;

	*next_due = 0;
	if ((rc = db_prepare(db, sql, &st, err)))
		return rc;
	db_bind_int(st, 1, tm->clock_id);
	if ((rc = db_step(st, err)) == DB_ROW)
		sla_clock_read(st, &c);
	db_done(st);
	if (rc < 0)
		return rc;
	/* a clock that stopped, paused or was replaced since: nothing to say */
	if (rc == DB_DONE || c.stopped_at || !c.running_since)
		return 0;
	{
		int64_t cur = 0;
		struct yw_err e = YW_ERR_INIT;
		db_queryint(db, &cur, &e, "SELECT current FROM sla_clocks WHERE id = ?", "i", c.id);
		if (!cur)
			return 0;
	}
	if ((rc = sla_ticket_load(db, c.ticket_id, &t, err)))
		return rc;
	def = def_for(f, &c);
	step = def ? sla_step_at(def, tm->threshold) : NULL;
	coord = step && step->coordination && t.fault_level == 1;
	if (step && (rc = recipients(db, &t, step->notify, &pp, err)))
		goto out;
	for (size_t i = 0; i < pp.n; i++)
		strbuf_addf(&names, "%s%s", i ? ", " : "", pp.v[i].name);
	if ((rc = sla_cal_get(db, &f->cals, c.calendar_id, &cal, err)))
		goto out;
	/* for people: 2026-12-08 14:30 in the calendar's zone, not ISO 8601 */
	cal_fmt_people(cal, c.due_at, due, sizeof(due));

	if (breach) {
		strbuf_addf(&szh, "【SLA超时】%s %s时限已到", t.number, target_zh[c.target]);
		strbuf_addf(&bzh, "工单 %s《%s》的%s目标（%" PRId64 " 分钟）已于 %s 超时。%s", t.number, t.title,
			    target_zh[c.target], c.target_minutes, due, coord ? "已召开技术协调会。" : "");
		strbuf_addf(&sen, "[SLA breach] %s: %s target missed", t.number, sla_target_names[c.target]);
		strbuf_addf(&ben, "Ticket %s \"%s\" missed its %s target (%" PRId64 " min) at %s.%s", t.number, t.title,
			    sla_target_names[c.target], c.target_minutes, due,
			    coord ? " A technical coordination meeting was called." : "");
		snprintf(what, sizeof(what), "%s breached", sla_target_names[c.target]);
	} else {
		strbuf_addf(&szh, "【SLA预警】%s %s时限已用 %d%%", t.number, target_zh[c.target], tm->threshold);
		strbuf_addf(&bzh, "工单 %s《%s》的%s目标（%" PRId64 " 分钟）已用 %d%%，截止 %s。", t.number, t.title,
			    target_zh[c.target], c.target_minutes, tm->threshold, due);
		strbuf_addf(&sen, "[SLA warning] %s: %d%% of the %s time used", t.number, tm->threshold,
			    sla_target_names[c.target]);
		strbuf_addf(&ben, "Ticket %s \"%s\" has used %d%% of its %s target (%" PRId64 " min); due %s.", t.number,
			    t.title, tm->threshold, sla_target_names[c.target], c.target_minutes, due);
		snprintf(what, sizeof(what), "%s %d%%", sla_target_names[c.target], tm->threshold);
	}
	for (size_t i = 0; i < pp.n; i++) {
		struct ntf_msg m = { pp.v[i].id, breach ? "sla_breach" : "sla_warning", t.id, szh.buf, bzh.buf,
				     sen.buf, ben.buf };
		if ((rc = ntf_add(db, &m, err)))
			goto out;
	}
	{
		struct strbuf note = STRBUF_INIT;
		if (pp.n)
			strbuf_addf(&note, "notified: %s", names.buf);
		else
			strbuf_addstr(&note, "nobody to notify");
		rc = sla_hist(db, t.id, NULL, "sla_escalation", NULL, what, note.buf, err);
		strbuf_release(&note);
		if (rc)
			goto out;
	}
	if (coord) {
		json_t *who = json_array();
		char *text;
		for (size_t i = 0; i < pp.n; i++)
			json_array_append_new(who, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)pp.v[i].id,
							     "name", pp.v[i].name, "role", pp.v[i].role));
		text = json_dumps(who, JSON_COMPACT);
		json_decref(who);
		rc = db_execf(db, err, "INSERT INTO sla_coordinations (ticket_id, clock_id, target, opened_at, participants)"
			      " VALUES (?, ?, ?, ?, ?)", "iisis", t.id, c.id, sla_target_names[c.target], yw_now(), text);
		free(text);
		if (!rc)
			rc = sla_hist(db, t.id, NULL, "coordination", NULL, "技术协调会 / technical coordination meeting",
				      pp.n ? names.buf : "nobody to call in", err);
	}
	/* the clock's next threshold waits from now on */
	if (!rc)
		rc = sla_timer_next(db, &c, def, cal, tm->threshold, next_due, err);
out:
	free(pp.v);
	strbuf_release(&names);
	strbuf_release(&szh);
	strbuf_release(&bzh);
	strbuf_release(&sen);
	strbuf_release(&ben);
	sla_ticket_release(&t);
	return rc;
}

int sla_fire_due(struct db *db, int64_t now, size_t max, size_t *fired, struct yw_err *err)
{
	struct fire_ctx f;
	struct timer tm[BATCH];
	int rc = 0;

	*fired = 0;
	memset(&f, 0, sizeof(f));
	f.db = db;
	while (*fired < max) {
		struct db_stmt *st;
		size_t n = 0, want = max - *fired < BATCH ? max - *fired : BATCH;

		if ((rc = db_begin(db, err)))
			break;
		/* the policies as of this transaction: a policy write re-syncs the timers */
		if ((rc = sla_policies_cached(db, &f.pol, &f.npol, err)))
			goto fail;
		if ((rc = db_prepare(db, "SELECT id, clock_id, ticket_id, threshold, due_at FROM sla_timers"
				     " WHERE fired_at IS NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?", &st, err)))
			goto fail;
		db_bind_int(st, 1, now);
		db_bind_int(st, 2, (int64_t)want);
		while (n < want && (rc = db_step(st, err)) == DB_ROW) {
			tm[n].id = db_col_int(st, 0);
			tm[n].clock_id = db_col_int(st, 1);
			tm[n].ticket_id = db_col_int(st, 2);
			tm[n].threshold = (int)db_col_int(st, 3);
			tm[n++].due_at = db_col_int(st, 4);
		}
		db_done(st);
		if (rc < 0)
			goto fail;
		rc = 0;
		if (!n) {
			db_rollback(db);
			break;
		}
		size_t claimed = 0;
		bool again = false;
		for (size_t i = 0; i < n && !again; i++) {
			int64_t next;
			/* the claim: only the transaction that sets fired_at writes the effects */
			if ((rc = db_execf(db, err, "UPDATE sla_timers SET fired_at = ? WHERE id = ? AND fired_at IS NULL",
					   "ii", yw_now(), tm[i].id)))
				goto fail;
			if (db_changes(db) != 1)
				continue;
			if ((rc = effects(&f, &tm[i], &next, err)))
				goto fail;
			claimed++;
			/*
			 * The clock's next timer is due already, before the rest of
			 * this list (a server catching up): read the list again, so
			 * that everything fires in due order.
			 */
			again = next && next <= now && i + 1 < n && next < tm[i + 1].due_at;
		}
		if ((rc = db_commit(db, err)))
			goto fail;
		*fired += claimed;
		if (n < want && !again)
			break;
	}
	sla_cals_release(&f.cals);
	return rc;
fail:
	db_rollback(db);
	sla_cals_release(&f.cals);
	return rc;
}
