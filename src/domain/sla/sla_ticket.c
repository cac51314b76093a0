/*
 * sla_ticket.c - the clocks of tickets: starting, stopping, pausing and
 * re-targeting them from the ticket module's hooks, their timers, the
 * "sla" array of the ticket JSON, the list filters, and maintenance.
 */
#include "../../core/yw.h"
#include "../../core/jw.h"
#include "../../core/jx.h"
#include "../../core/log.h"
#include "../../core/strbuf.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "../account/perm.h"
#include "../calendar/cal.h"
#include "sla_int.h"
#include <pthread.h>

/* ---- calendars ---- */

/*
 * Each thread keeps the calendars it loaded, each with the 'sla' cache
 * generation it was loaded at; every write to a calendar, its windows or
 * its days changes that generation (migration 0010), whoever writes. So
 * a calendar loaded at the current generation is used as it is, with no
 * statement at all, and any other is loaded again. (It was checked
 * against the calendar's version instead, a statement per use, and a
 * change that left the version alone was not seen.) A call borrows them
 * through its struct sla_cals; a calendar that no cache slot can take
 * without evicting one the call still holds is owned by the call.
 */
#define TCACHE_SLOTS 16
struct tcache {
	struct { int64_t id, gen; struct cal *cal; } v[TCACHE_SLOTS];
	size_t next;
};
static __thread struct tcache *tcache;
static pthread_key_t tcache_key;
static pthread_once_t tcache_once = PTHREAD_ONCE_INIT;

static void tcache_free(void *p)
{
	struct tcache *tc = p;
	for (size_t i = 0; i < TCACHE_SLOTS; i++)
		cal_free(tc->v[i].cal);
	free(tc);
}

static void tcache_init(void)
{
	pthread_key_create(&tcache_key, tcache_free);
}

static bool borrowed(const struct sla_cals *cs, const struct cal *c)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].cal == c)
			return true;
	return false;
}

int sla_cal_get(struct db *db, struct sla_cals *cs, int64_t id, const struct cal **out, struct yw_err *err)
{
	struct tcache *tc;
	struct cal *c;
	int64_t gen;
	size_t slot = TCACHE_SLOTS;
	int rc;

	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].id == id) {
			*out = cs->v[i].cal;
			return 0;
		}
	if (!tcache) {
		pthread_once(&tcache_once, tcache_init);
		tcache = yw_calloc(1, sizeof(*tcache));
		pthread_setspecific(tcache_key, tcache);
	}
	tc = tcache;
	gen = db_cache_gen(db, "sla");
	for (size_t i = 0; i < TCACHE_SLOTS; i++)
		if (tc->v[i].cal && tc->v[i].id == id) {
			if (gen && tc->v[i].gen == gen) {
				c = tc->v[i].cal;
				goto found;
			}
			if (!borrowed(cs, tc->v[i].cal))
				slot = i;
		}
	rc = cal_load(db, id, &c, err);
	if (rc == YW_ENOTFOUND) {
		yw_err_clear(err);
		return yw_errf(err, YW_ENOTFOUND, "calendar_id", "no calendar %" PRId64, id);
	}
	if (rc)
		return rc;
	for (size_t k = 0; slot == TCACHE_SLOTS && k < TCACHE_SLOTS; k++) {
		size_t i = (tc->next + k) % TCACHE_SLOTS;
		if (!tc->v[i].cal || !borrowed(cs, tc->v[i].cal)) {
			slot = i;
			tc->next = i + 1;
		}
	}
	ALLOC_GROW(cs->v, cs->n + 1, cs->alloc);
	cs->v[cs->n].owned = slot == TCACHE_SLOTS;
	if (slot < TCACHE_SLOTS) {
		cal_free(tc->v[slot].cal);
		tc->v[slot].id = id;
		tc->v[slot].gen = gen;
		tc->v[slot].cal = c;
	}
	cs->v[cs->n].id = id;
	cs->v[cs->n++].cal = c;
	*out = c;
	return 0;
found:
	ALLOC_GROW(cs->v, cs->n + 1, cs->alloc);
	cs->v[cs->n].owned = false;
	cs->v[cs->n].id = id;
	cs->v[cs->n++].cal = c;
	*out = c;
	return 0;
}

void sla_cals_release(struct sla_cals *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].owned)
			cal_free(cs->v[i].cal);
	FREE_AND_NULL(cs->v);
	cs->n = cs->alloc = 0;
}

/* ---- waking the scheduler ---- */

static void (*wake_fn)(int64_t due);
static __thread int64_t wake_due;   /* the earliest timer this thread wrote, 0: none */

void sla_set_wake(void (*fn)(int64_t due))
{
	__atomic_store_n(&wake_fn, fn, __ATOMIC_RELEASE);
}

void sla_note_due(int64_t due)
{
	if (!wake_due || due < wake_due)
		wake_due = due;
}

int sla_commit(struct db *db, struct yw_err *err)
{
	bool batch = db_in_batch(db);
	int rc = db_commit(db, err);

	/* in a batch the deadlines are visible only after the batch's commit, whose caller wakes */
	if (!rc && !batch)
		sla_after_commit();
	return rc;
}

void sla_after_commit(void)
{
	void (*fn)(int64_t) = __atomic_load_n(&wake_fn, __ATOMIC_ACQUIRE);

	if (wake_due && fn)
		fn(wake_due);
	wake_due = 0;
}

/* ---- clock rows ---- */


static enum sla_state result_parse(const char *s)
{
	return !strcmp(s, "met") ? SLA_MET : !strcmp(s, "breached") ? SLA_BREACHED :
	       !strcmp(s, "cancelled") ? SLA_CANCELLED : SLA_RUNNING;
}

void sla_clock_read(struct db_stmt *st, struct sla_clock *c)
{
	const char *t = db_col_text(st, 2);

	memset(c, 0, sizeof(*c));
	c->id = db_col_int(st, 0);
	c->ticket_id = db_col_int(st, 1);
	c->target = !strcmp(t, "response") ? SLA_RESPONSE : !strcmp(t, "onsite") ? SLA_ONSITE : SLA_RESOLUTION;
	c->cycle = (int)db_col_int(st, 3);
	c->policy_id = db_col_int(st, 4);
	c->calendar_id = db_col_int(st, 5);
	c->target_minutes = db_col_int(st, 6);
	c->started_at = db_col_int(st, 7);
	c->running_since = db_col_int(st, 8);
	c->consumed = db_col_int(st, 9);
	c->paused = db_col_int(st, 10) != 0;
	c->due_at = db_col_int(st, 11);
	c->warn_at = db_col_int(st, 12);
	c->stopped_at = db_col_int(st, 13);
	c->result = result_parse(db_col_text(st, 14));
}

static const char *result_name(const struct sla_clock *c)
{
	return c->stopped_at ? sla_state_names[c->result] : NULL;
}

int sla_clock_insert(struct db *db, struct sla_clock *c, struct yw_err *err)
{
	return db_insert(db, &c->id, err,
			 "INSERT INTO sla_clocks (ticket_id, target, cycle, current, policy_id, calendar_id,"
			 " target_minutes, started_at, running_since, consumed, paused, due_at, warn_at, stopped_at,"
			 " result) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			 "isididiiiiddds", c->ticket_id, sla_target_names[c->target], (int64_t)c->cycle, c->policy_id,
			 c->calendar_id, c->target_minutes, c->started_at, c->running_since, c->consumed,
			 (int64_t)c->paused, c->due_at, c->warn_at, c->stopped_at, result_name(c));
}

int sla_clock_update(struct db *db, const struct sla_clock *c, struct yw_err *err)
{
	return db_execf(db, err,
			"UPDATE sla_clocks SET policy_id = ?, calendar_id = ?, target_minutes = ?, running_since = ?,"
			" consumed = ?, paused = ?, due_at = ?, warn_at = ?, stopped_at = ?, result = ? WHERE id = ?",
			"diidiidddsi", c->policy_id, c->calendar_id, c->target_minutes, c->running_since, c->consumed,
			(int64_t)c->paused, c->due_at, c->warn_at, c->stopped_at, result_name(c), c->id);
}

int sla_clocks_of(struct db *db, int64_t ticket_id, struct sla_clock out[SLA_NTARGETS], bool found[SLA_NTARGETS],
		  struct yw_err *err)
{
	static const char sql[] = "SELECT " SLA_CLOCK_COLS " FROM sla_clocks WHERE ticket_id = ? AND current = 1";
	struct db_stmt *st;
	int rc;

	memset(found, 0, sizeof(bool) * SLA_NTARGETS);
	if ((rc = db_prepare(db, sql, &st, err)))
		return rc;
	db_bind_int(st, 1, ticket_id);
	while ((rc = db_step(st, err)) == DB_ROW) {
		struct sla_clock c;
		sla_clock_read(st, &c);
		out[c.target] = c;
		found[c.target] = true;
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

int sla_first_warn(const struct sla_target_def *def)
{
	return def && def->set && def->nthr ? def->thr[0] : 0;
}

/*
 * A running clock has one pending timer: that of its lowest threshold (the
 * breach last) that has no row yet. Thresholds ascend and so do their
 * times; when the pending one fires, the scheduler asks for the next. A
 * threshold's row stays once it fired, so it never fires twice. A clock
 * just written (fresh) has no rows to look at; after a timer fired, only
 * thresholds above it (above) are looked at.
 */
static int timer_next(struct db *db, const struct sla_clock *c, const struct sla_target_def *def,
		      const struct cal *cal, bool fresh, int above, int64_t *next_due, struct yw_err *err)
{
	int rc;

	*next_due = 0;
	if (!c->running_since || c->stopped_at)
		return 0;
	for (int i = 0; i <= (def ? def->nthr : 0); i++) {
		int pct = def && i < def->nthr ? def->thr[i] : SLA_BREACH;
		int64_t due;
		bool had = false;
		if (pct <= above)
			continue;
		if (!fresh && (rc = db_exists(db, &had, err, "SELECT 1 FROM sla_timers WHERE clock_id = ? AND threshold = ?",
					      "ii", c->id, (int64_t)pct)))
			return rc;
		if (had)
			continue;
		if ((rc = sla_clock_threshold_at(c, cal, pct, &due, err)))
			return rc;
		*next_due = due;
		sla_note_due(due);
		return db_execf(db, err, "INSERT INTO sla_timers (clock_id, ticket_id, threshold, due_at) VALUES (?, ?, ?, ?)",
				"iiii", c->id, c->ticket_id, (int64_t)pct, due);
	}
	return 0;
}

int sla_timer_next(struct db *db, const struct sla_clock *c, const struct sla_target_def *def,
		   const struct cal *cal, int fired, int64_t *next_due, struct yw_err *err)
{
	return timer_next(db, c, def, cal, false, fired, next_due, err);
}

int sla_timers_sync(struct db *db, const struct sla_clock *c, const struct sla_target_def *def,
		    const struct cal *cal, struct yw_err *err)
{
	int64_t due;
	int rc;

	if ((rc = db_execf(db, err, "DELETE FROM sla_timers WHERE clock_id = ? AND fired_at IS NULL", "i", c->id)))
		return rc;
	return timer_next(db, c, def, cal, false, 0, &due, err);
}

/* ---- tickets as the SLA sees them ---- */

int sla_ticket_load(struct db *db, int64_t id, struct sla_ticket *t, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = db_prepare(db, "SELECT id, COALESCE(org_id, 0), COALESCE(group_id, 0), COALESCE(assignee_id, 0),"
			     " COALESCE(fault_level, 0), priority, COALESCE(category_id, 0), created_at, type, status,"
			     " number, title FROM tickets WHERE id = ?", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	if ((rc = db_step(st, err)) == DB_ROW) {
		t->id = db_col_int(st, 0);
		t->org_id = db_col_int(st, 1);
		t->group_id = db_col_int(st, 2);
		t->assignee_id = db_col_int(st, 3);
		t->fault_level = db_col_int(st, 4);
		t->priority = db_col_int(st, 5);
		t->category_id = db_col_int(st, 6);
		t->created_at = db_col_int(st, 7);
		snprintf(t->type, sizeof(t->type), "%s", db_col_text(st, 8));
		snprintf(t->status, sizeof(t->status), "%s", db_col_text(st, 9));
		snprintf(t->number, sizeof(t->number), "%s", db_col_text(st, 10));
		t->title = yw_strdup(db_col_text(st, 11));
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = yw_errf(err, YW_ENOTFOUND, "id", "no such ticket");
	}
	db_done(st);
	return rc;
}

void sla_ticket_release(struct sla_ticket *t)
{
	FREE_AND_NULL(t->title);
}

int sla_subject_of(struct db *db, const struct sla_ticket *t, struct sla_subject *s, struct yw_err *err)
{
	int64_t id = t->category_id;

	memset(s, 0, sizeof(*s));
	s->type = t->type;
	s->fault_level = t->fault_level;
	s->priority = t->priority;
	s->org_id = t->org_id;
	while (id && s->ncategory < ARRAY_SIZE(s->category_path)) {
		int64_t parent = 0;
		int rc;
		s->category_path[s->ncategory++] = id;
		rc = db_queryint(db, &parent, err, "SELECT COALESCE(parent_id, 0) FROM categories WHERE id = ?", "i", id);
		if (rc && rc != YW_ENOTFOUND)
			return rc;
		id = parent;
	}
	return 0;
}

int sla_hist(struct db *db, int64_t ticket_id, const struct yw_actor *a, const char *field, const char *old_value,
	     const char *new_value, const char *note, struct yw_err *err)
{
	return db_execf(db, err,
			"INSERT INTO ticket_history(ticket_id, at, actor_id, field, old_value, new_value, note)"
			" VALUES (?, ?, ?, ?, ?, ?, ?)", "iidssss",
			ticket_id, yw_now(), a ? a->user_id : 0, field, old_value, new_value, note);
}

/* Statuses in which the clocks no longer run. */
static bool status_done(const char *s)
{
	static const char *const done[] = { "resolved", "closed", "cancelled", "rejected" };
	for (size_t i = 0; i < ARRAY_SIZE(done); i++)
		if (!strcmp(done[i], s))
			return true;
	return false;
}

/* Everything one hook needs, loaded once. */
struct ctx {
	struct db *db;
	const struct yw_actor *a;
	const struct sla_policy *pol;   /* the connection's cache: not ours to free */
	size_t npol;
	struct sla_cals cals;
	int64_t now;
};

static int ctx_init(struct ctx *x, struct db *db, const struct yw_actor *a, struct yw_err *err)
{
	memset(x, 0, sizeof(*x));
	x->db = db;
	x->a = a;
	x->now = yw_now();
	return sla_policies_cached(db, &x->pol, &x->npol, err);
}

static void ctx_release(struct ctx *x)
{
	sla_cals_release(&x->cals);
}

static const struct sla_policy *policy_by_id(const struct ctx *x, int64_t id)
{
	for (size_t i = 0; id && i < x->npol; i++)
		if (x->pol[i].id == id)
			return &x->pol[i];
	return NULL;
}

static const struct sla_target_def *def_of(const struct ctx *x, const struct sla_clock *c)
{
	const struct sla_policy *p = policy_by_id(x, c->policy_id);
	return p && p->t[c->target].set ? &p->t[c->target] : NULL;
}

/* Saves c and its timers after a change. */
static int save(struct ctx *x, const struct sla_clock *c, struct yw_err *err)
{
	const struct cal *cal;
	int rc;

	if ((rc = sla_clock_update(x->db, c, err)) || (rc = sla_cal_get(x->db, &x->cals, c->calendar_id, &cal, err)))
		return rc;
	return sla_timers_sync(x->db, c, def_of(x, c), cal, err);
}

static void minutes_text(int64_t min, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRId64 " min", min);
}

/* Stops c (met/breached, or cancelled) with its history row. */
static int stop_clock(struct ctx *x, struct sla_clock *c, bool cancel, const char *note, struct yw_err *err)
{
	const struct cal *cal;
	char field[32];
	int rc;

	if (c->stopped_at)
		return 0;
	if ((rc = sla_cal_get(x->db, &x->cals, c->calendar_id, &cal, err)) ||
	    (rc = sla_clock_stop(c, cal, x->now, cancel, err)) || (rc = save(x, c, err)))
		return rc;
	snprintf(field, sizeof(field), "sla_%s", sla_target_names[c->target]);
	char used[64];
	snprintf(used, sizeof(used), "%" PRId64 " of %" PRId64 " working min", c->consumed / 60, c->target_minutes);
	return sla_hist(x->db, c->ticket_id, x->a, field, "running", sla_state_names[c->result], note ? note : used, err);
}

/*
 * Starts a clock for target of policy p on ticket t at start (a new
 * ticket: its creation; a target the ticket gains later: now).
 */
static int start_clock(struct ctx *x, const struct sla_ticket *t, const struct sla_policy *p, enum sla_target tg,
		       int cycle, int64_t start, struct sla_clocks *started, struct yw_err *err)
{
	const struct sla_target_def *d = &p->t[tg];
	const struct cal *cal;
	struct sla_clock c;
	int64_t due;
	int rc;

	memset(&c, 0, sizeof(c));
	c.ticket_id = t->id;
	c.target = tg;
	c.cycle = cycle;
	c.policy_id = p->id;
	c.calendar_id = d->calendar_id;
	c.target_minutes = d->minutes;
	if ((rc = sla_cal_get(x->db, &x->cals, d->calendar_id, &cal, err)) ||
	    (rc = sla_clock_start(&c, cal, start, sla_first_warn(d), err)))
		return rc;
	c.started_at = start;
	if ((rc = sla_clock_insert(x->db, &c, err)))
		return rc;
	if (started) {
		started->clk[tg] = c;
		started->found[tg] = true;
	}
	return timer_next(x->db, &c, d, cal, true, 0, &due, err);
}

/* Was there a first response (a public reply or in_progress) on the ticket? */
static bool responded(struct db *db, int64_t ticket_id)
{
	struct yw_err e = YW_ERR_INIT;
	int64_t v = 0;
	db_queryint(db, &v, &e, "SELECT COALESCE(first_response_at, 0) FROM tickets WHERE id = ?", "i", ticket_id);
	return v != 0;
}

/*
 * Brings a ticket's clocks in line with the policy it matches now: open
 * clocks whose policy or target differ are re-targeted (keeping what they
 * consumed), targets the policy no longer has are cancelled, targets it
 * gains start at start (0: now). force re-syncs the timers of clocks of
 * that policy (its thresholds may have changed). *did says whether
 * anything changed.
 */
static int retarget(struct ctx *x, int64_t ticket_id, int64_t start, int64_t force, bool *did, struct yw_err *err)
{
	struct sla_ticket t;
	struct sla_subject s;
	struct sla_clock clk[SLA_NTARGETS];
	bool found[SLA_NTARGETS], any = false;
	const struct sla_policy *p, *old = NULL;
	struct strbuf note = STRBUF_INIT;
	int rc;

	*did = false;
	if ((rc = sla_ticket_load(x->db, ticket_id, &t, err)))
		return rc;
	if (status_done(t.status))
		goto out;
	if ((rc = sla_subject_of(x->db, &t, &s, err)) || (rc = sla_clocks_of(x->db, ticket_id, clk, found, err)))
		goto out;
	p = sla_policy_match(x->pol, x->npol, &s);
	for (int g = 0; g < SLA_NTARGETS; g++) {
		struct sla_clock *c = &clk[g];
		const struct sla_target_def *d = p && p->t[g].set ? &p->t[g] : NULL;
		if (found[g] && !c->stopped_at) {
			const struct cal *oc, *nc;
			char a[32], b[32];
			if (!old)
				old = policy_by_id(x, c->policy_id);
			any = true;
			if (!d) {
				if ((rc = stop_clock(x, c, true, "the policy has no such target", err)) ||
				    (rc = db_execf(x->db, err, "UPDATE sla_clocks SET current = 0 WHERE id = ?", "i", c->id)))
					goto out;
				strbuf_addf(&note, "%s%s: dropped", note.len ? "; " : "", sla_target_names[g]);
				*did = true;
				continue;
			}
			if (c->policy_id == p->id && c->target_minutes == d->minutes && c->calendar_id == d->calendar_id) {
				if (force && force == p->id) {
					if ((rc = save(x, c, err)))
						goto out;
				}
				continue;
			}
			minutes_text(c->target_minutes, a, sizeof(a));
			minutes_text(d->minutes, b, sizeof(b));
			if ((rc = sla_cal_get(x->db, &x->cals, c->calendar_id, &oc, err)) ||
			    (rc = sla_cal_get(x->db, &x->cals, d->calendar_id, &nc, err)) ||
			    (rc = sla_clock_retarget(c, oc, nc, x->now, d->minutes, d->calendar_id, sla_first_warn(d), err)))
				goto out;
			c->policy_id = p->id;
			if ((rc = save(x, c, err)))
				goto out;
			strbuf_addf(&note, "%s%s: %s -> %s", note.len ? "; " : "", sla_target_names[g], a, b);
			*did = true;
		} else if (!found[g] && d) {
			/* a target the ticket gains; no response clock once it was answered */
			if (g == SLA_RESPONSE && responded(x->db, ticket_id))
				continue;
			if ((rc = start_clock(x, &t, p, g, 1, start ? start : x->now, NULL, err)))
				goto out;
			strbuf_addf(&note, "%s%s: %" PRId64 " min", note.len ? "; " : "", sla_target_names[g], d->minutes);
			*did = true;
		}
	}
	if (*did)
		rc = sla_hist(x->db, ticket_id, x->a, "sla_policy", any && old ? old->name : NULL, p ? p->name : NULL,
			      note.buf, err);
out:
	strbuf_release(&note);
	sla_ticket_release(&t);
	return rc;
}

/* ---- the hooks ---- */

int sla_ticket_created(struct db *db, const struct yw_actor *a, const struct sla_ticket *t,
		       struct sla_clocks *started, struct yw_err *err)
{
	struct sla_subject s;
	const struct sla_policy *p;
	struct ctx x;
	int rc;

	if (started)
		memset(started, 0, sizeof(*started));
	if ((rc = ctx_init(&x, db, a, err)))
		return rc;
	if ((rc = sla_subject_of(db, t, &s, err)))
		goto out;
	if (!(p = sla_policy_match(x.pol, x.npol, &s)))
		goto out;
	/* no history row: the clocks show in the ticket's "sla" array from the start */
	for (int g = 0; g < SLA_NTARGETS && !rc; g++)
		if (p->t[g].set)
			rc = start_clock(&x, t, p, g, 1, t->created_at, started, err);
out:
	ctx_release(&x);
	return rc;
}

/* Stops the current clock of target g if it is open. */
static int stop_target(struct ctx *x, int64_t ticket_id, enum sla_target g, bool cancel, const char *note,
		       struct yw_err *err)
{
	struct sla_clock clk[SLA_NTARGETS];
	bool found[SLA_NTARGETS];
	int rc;

	if ((rc = sla_clocks_of(x->db, ticket_id, clk, found, err)))
		return rc;
	if (!found[g] || clk[g].stopped_at)
		return 0;
	return stop_clock(x, &clk[g], cancel, note, err);
}

int sla_ticket_responded(struct db *db, const struct yw_actor *a, int64_t ticket_id, struct yw_err *err)
{
	struct ctx x;
	int rc;

	if ((rc = ctx_init(&x, db, a, err)))
		return rc;
	rc = stop_target(&x, ticket_id, SLA_RESPONSE, false, NULL, err);
	ctx_release(&x);
	return rc;
}

int sla_ticket_moved(struct db *db, const struct yw_actor *a, int64_t ticket_id, const char *from,
		     const char *to, struct yw_err *err)
{
	struct sla_clock clk[SLA_NTARGETS];
	bool found[SLA_NTARGETS];
	struct ctx x;
	int rc;

	if ((rc = ctx_init(&x, db, a, err)))
		return rc;
	if ((rc = sla_clocks_of(db, ticket_id, clk, found, err)))
		goto out;
	if (!strcmp(to, "in_progress") && found[SLA_RESPONSE] && (rc = stop_clock(&x, &clk[SLA_RESPONSE], false, NULL, err)))
		goto out;
	if (!strcmp(from, "pending") && strcmp(to, "pending")) {
		for (int g = 0; g < SLA_NTARGETS; g++) {
			const struct cal *cal;
			if (!found[g] || !clk[g].paused || clk[g].stopped_at)
				continue;
			if ((rc = sla_cal_get(db, &x.cals, clk[g].calendar_id, &cal, err)) ||
			    (rc = sla_clock_resume(&clk[g], cal, x.now, sla_first_warn(def_of(&x, &clk[g])), err)) ||
			    (rc = save(&x, &clk[g], err)) ||
			    (rc = sla_hist(db, ticket_id, a, "sla_clock", "paused", "running", sla_target_names[g], err)))
				goto out;
		}
	}
	if (!strcmp(to, "pending")) {
		for (int g = 0; g < SLA_NTARGETS; g++) {
			const struct sla_policy *p;
			const struct cal *cal;
			if (!found[g] || !clk[g].running_since || clk[g].stopped_at)
				continue;
			if (!(p = policy_by_id(&x, clk[g].policy_id)) || !p->pause_on_pending)
				continue;
			if ((rc = sla_cal_get(db, &x.cals, clk[g].calendar_id, &cal, err)) ||
			    (rc = sla_clock_pause(&clk[g], cal, x.now, err)) || (rc = save(&x, &clk[g], err)) ||
			    (rc = sla_hist(db, ticket_id, a, "sla_clock", "running", "paused", sla_target_names[g], err)))
				goto out;
		}
	} else if (!strcmp(to, "resolved")) {
		for (int g = 0; g < SLA_NTARGETS; g++)
			if (found[g] && (rc = stop_clock(&x, &clk[g], false, NULL, err)))
				goto out;
	} else if (!strcmp(to, "reopened")) {
		struct sla_ticket t;
		const struct sla_policy *p;
		struct sla_subject s;
		int cycle = found[SLA_RESOLUTION] ? clk[SLA_RESOLUTION].cycle + 1 : 1;
		if ((rc = sla_ticket_load(db, ticket_id, &t, err)))
			goto out;
		if (!(rc = sla_subject_of(db, &t, &s, err)) && (p = sla_policy_match(x.pol, x.npol, &s))) {
			if (found[SLA_RESOLUTION])
				rc = db_execf(db, err, "UPDATE sla_clocks SET current = 0 WHERE id = ?", "i",
					      clk[SLA_RESOLUTION].id);
			if (!rc)
				rc = start_clock(&x, &t, p, SLA_RESOLUTION, cycle, x.now, NULL, err);
			if (!rc)
				rc = sla_hist(db, ticket_id, a, "sla_resolution", NULL, "running", "restarted on reopen", err);
		}
		sla_ticket_release(&t);
	} else if (!strcmp(to, "cancelled") || !strcmp(to, "rejected") || !strcmp(to, "closed")) {
		for (int g = 0; g < SLA_NTARGETS; g++)
			if (found[g] && !clk[g].stopped_at && (rc = stop_clock(&x, &clk[g], true, to, err)))
				goto out;
	}
out:
	ctx_release(&x);
	return rc;
}

int sla_ticket_changed(struct db *db, const struct yw_actor *a, int64_t ticket_id, struct yw_err *err)
{
	struct ctx x;
	bool did;
	int rc;

	if ((rc = ctx_init(&x, db, a, err)))
		return rc;
	rc = retarget(&x, ticket_id, 0, 0, &did, err);
	ctx_release(&x);
	return rc;
}

int sla_onsite_arrived(struct db *db, const struct yw_actor *a, int64_t ticket_id, struct yw_err *err)
{
	struct sla_ticket t;
	struct sla_clock clk[SLA_NTARGETS];
	bool found[SLA_NTARGETS];
	struct ctx x;
	int rc;

	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = sla_ticket_load(db, ticket_id, &t, err)))
		goto fail_norow;
	/* it stops the on-site clock: the ticket's workers' to record, no other group's */
	if ((rc = perm_request(db, a, P_TICKET_ONSITE, ticket_id, err)))
		goto fail;
	if ((rc = sla_clocks_of(db, ticket_id, clk, found, err)))
		goto fail;
	if (!found[SLA_ONSITE] || clk[SLA_ONSITE].stopped_at) {
		rc = yw_errf(err, YW_ESTATE, "", "the ticket has no on-site clock running");
		goto fail;
	}
	if ((rc = ctx_init(&x, db, a, err)))
		goto fail;
	rc = stop_clock(&x, &clk[SLA_ONSITE], false, "arrived on site", err);
	ctx_release(&x);
	if (rc || (rc = db_execf(db, err, "UPDATE tickets SET updated_at = ?, version = version + 1 WHERE id = ?",
				 "ii", yw_now(), ticket_id)))
		goto fail;
	sla_ticket_release(&t);
	if ((rc = db_commit(db, err)))
		return rc;
	sla_after_commit();
	return 0;
fail:
	sla_ticket_release(&t);
fail_norow:
	db_rollback(db);
	return rc;
}

/* ---- maintenance ---- */

int sla_retarget_all(struct db *db, const struct yw_actor *a, int64_t force, size_t *retargeted,
		     struct yw_err *err)
{
	struct ctx x;
	struct db_stmt *st;
	int64_t *ids = NULL;
	size_t n = 0, alloc = 0, did_n = 0;
	int rc;

	if ((rc = ctx_init(&x, db, a, err)))
		return rc;
	if ((rc = db_prepare(db, "SELECT DISTINCT ticket_id FROM sla_clocks WHERE current = 1 AND stopped_at IS NULL"
			     " ORDER BY ticket_id", &st, err)))
		goto out;
	while ((rc = db_step(st, err)) == DB_ROW) {
		ALLOC_GROW(ids, n + 1, alloc);
		ids[n++] = db_col_int(st, 0);
	}
	db_done(st);
	if (rc < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		bool did;
		rc = retarget(&x, ids[i], 0, force, &did, err);
		did_n += did;
	}
	if (retargeted)
		*retargeted = did_n;
out:
	free(ids);
	ctx_release(&x);
	return rc;
}

int sla_calendar_changed(struct db *db, const struct yw_actor *a, int64_t calendar_id, struct yw_err *err)
{
	struct ctx x;
	struct db_stmt *st;
	int64_t *ids = NULL;
	size_t n = 0, alloc = 0;
	int rc;

	if ((rc = ctx_init(&x, db, a, err)))
		return rc;
	if ((rc = db_prepare(db, "SELECT DISTINCT ticket_id FROM sla_clocks WHERE calendar_id = ? AND current = 1"
			     " AND stopped_at IS NULL AND paused = 0 ORDER BY ticket_id", &st, err)))
		goto out;
	db_bind_int(st, 1, calendar_id);
	while ((rc = db_step(st, err)) == DB_ROW) {
		ALLOC_GROW(ids, n + 1, alloc);
		ids[n++] = db_col_int(st, 0);
	}
	db_done(st);
	if (rc < 0)
		goto out;
	rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		struct sla_clock clk[SLA_NTARGETS];
		bool found[SLA_NTARGETS];
		if ((rc = sla_clocks_of(db, ids[i], clk, found, err)))
			break;
		for (int g = 0; g < SLA_NTARGETS && !rc; g++) {
			struct sla_clock *c = &clk[g];
			const struct cal *cal;
			int64_t old_due = c->due_at;
			char before[32], after[32], field[32];
			if (!found[g] || c->stopped_at || c->paused || c->calendar_id != calendar_id)
				continue;
			if ((rc = sla_cal_get(db, &x.cals, calendar_id, &cal, err)) ||
			    (rc = sla_clock_deadlines(c, cal, sla_first_warn(def_of(&x, c)), err)) ||
			    (rc = save(&x, c, err)))
				break;
			if (c->due_at == old_due)
				continue;
			snprintf(field, sizeof(field), "sla_%s", sla_target_names[g]);
			rc = sla_hist(db, c->ticket_id, a, field, yw_fmt_iso(old_due, before, sizeof(before)),
				      yw_fmt_iso(c->due_at, after, sizeof(after)), "the business calendar changed", err);
		}
	}
out:
	free(ids);
	ctx_release(&x);
	return rc;
}

void sla_init(void)
{
	cal_on_change(sla_calendar_changed, sla_after_commit);
}

int sla_rebuild(struct db *db, const struct yw_actor *a, size_t *started, size_t *retargeted, struct yw_err *err)
{
	struct ctx x;
	struct db_stmt *st;
	int64_t *ids = NULL, *created = NULL;
	size_t n = 0, alloc = 0, alloc2 = 0, did_n = 0;
	int rc;

	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = ctx_init(&x, db, a, err)))
		goto fail;
	if ((rc = db_prepare(db, "SELECT t.id, t.created_at FROM tickets t WHERE t.status NOT IN ('resolved', 'closed',"
			     " 'cancelled', 'rejected') AND NOT EXISTS (SELECT 1 FROM sla_clocks c WHERE c.ticket_id = t.id)"
			     " ORDER BY t.id", &st, err)))
		goto fail_ctx;
	while ((rc = db_step(st, err)) == DB_ROW) {
		ALLOC_GROW(ids, n + 1, alloc);
		ALLOC_GROW(created, n + 1, alloc2);
		ids[n] = db_col_int(st, 0);
		created[n++] = db_col_int(st, 1);
	}
	db_done(st);
	if (rc < 0)
		goto fail_ctx;
	rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		bool did;
		rc = retarget(&x, ids[i], created[i], 0, &did, err);
		did_n += did;
	}
	if (rc || (rc = sla_retarget_all(db, a, 0, retargeted, err)))
		goto fail_ctx;
	ctx_release(&x);
	free(ids);
	free(created);
	if (started)
		*started = did_n;
	if ((rc = db_commit(db, err)))
		return rc;
	sla_after_commit();
	return 0;
fail_ctx:
	ctx_release(&x);
fail:
	free(ids);
	free(created);
	db_rollback(db);
	return rc;
}

/* ---- reading ---- */

int sla_count_states(struct db *db, int64_t now, bool remaining, size_t counts[SLA_CANCELLED + 1], size_t *tickets,
		     struct yw_err *err)
{
	static const char sql[] = "SELECT " SLA_CLOCK_COLS " FROM sla_clocks WHERE current = 1 ORDER BY ticket_id";
	struct ctx x;
	struct db_stmt *st;
	int64_t last = 0;
	int rc;

	memset(counts, 0, sizeof(size_t) * (SLA_CANCELLED + 1));
	*tickets = 0;
	if ((rc = ctx_init(&x, db, &acct_system, err)))
		return rc;
	x.now = now;
	if ((rc = db_prepare(db, sql, &st, err)))
		goto out;
	while ((rc = db_step(st, err)) == DB_ROW) {
		struct sla_clock c;
		const struct cal *cal;
		enum sla_state s;
		int64_t rem;
		sla_clock_read(st, &c);
		if (!remaining) {
			s = sla_clock_state_now(&c, now);
		} else if ((rc = sla_cal_get(db, &x.cals, c.calendar_id, &cal, err)) ||
			   (rc = sla_clock_state(&c, cal, now, &s, &rem, err))) {
			break;
		}
		counts[s]++;
		if (c.ticket_id != last)
			(*tickets)++;
		last = c.ticket_id;
	}
	db_done(st);
	rc = rc < 0 ? rc : 0;
out:
	ctx_release(&x);
	return rc;
}

int sla_ticket_write(struct db *db, const struct yw_actor *a, int64_t ticket_id, bool coordinated,
		     struct jw *w, struct yw_err *err)
{
	struct sla_clocks c;
	int rc;

	if ((rc = sla_clocks_of(db, ticket_id, c.clk, c.found, err)))
		return rc;
	return sla_ticket_write_clocks(db, a, ticket_id, coordinated, &c, w, err);
}

int sla_ticket_write_clocks(struct db *db, const struct yw_actor *a, int64_t ticket_id, bool coordinated,
			    const struct sla_clocks *clocks, struct jw *w, struct yw_err *err)
{
	struct sla_clock clk[SLA_NTARGETS];
	struct sla_cals cals = SLA_CALS_INIT;
	bool found[SLA_NTARGETS];
	enum sla_state state[SLA_NTARGETS];
	int64_t rem[SLA_NTARGETS], now = yw_now();
	json_t *co = NULL;
	bool staff = false;
	int rc = 0;

	memcpy(clk, clocks->clk, sizeof(clk));
	memcpy(found, clocks->found, sizeof(found));
	for (int g = 0; g < SLA_NTARGETS; g++) {
		const struct cal *cal = NULL;
		if (!found[g] || (clk[g].stopped_at && clk[g].result == SLA_CANCELLED)) {
			found[g] = false;
			continue;
		}
		/* only a running clock needs its calendar to tell the time left */
		if ((clk[g].running_since && (rc = sla_cal_get(db, &cals, clk[g].calendar_id, &cal, err))) ||
		    (rc = sla_clock_state(&clk[g], cal, now, &state[g], &rem[g], err)))
			goto out;
	}
	staff = acct_is_staff(a);
	if (staff && coordinated) {
		struct db_stmt *st;
		if ((rc = db_prepare(db, "SELECT id, target, opened_at, participants FROM sla_coordinations"
				     " WHERE ticket_id = ? ORDER BY id", &st, err)))
			goto out;
		db_bind_int(st, 1, ticket_id);
		while ((rc = db_step(st, err)) == DB_ROW) {
			json_t *who = json_loads(db_col_text(st, 3), 0, NULL);
			if (!co)
				co = json_array();   /* most tickets have none: no tree for them */
			json_array_append_new(co, json_pack("{s:I, s:s, s:o, s:o}", "id", (json_int_t)db_col_int(st, 0),
				"target", db_col_text(st, 1), "opened_at", jx_time_or_null(db_col_int(st, 2)),
				"participants", who ? who : json_array()));
		}
		db_done(st);
		if (rc < 0)
			goto out;
		rc = 0;
	}
	/* everything is read: now write */
	if (staff) {
		jw_key(w, "coordinations");
		if (co) {
			jw_json(w, co);
		} else {
			jw_arr(w);
			jw_end_arr(w);
		}
	}
	jw_key(w, "sla");
	jw_arr(w);
	for (int g = 0; g < SLA_NTARGETS; g++) {
		if (!found[g])
			continue;
		jw_obj(w);
		jw_key(w, "target");
		jw_str(w, sla_target_names[g]);
		jw_key(w, "due_at");
		jw_time(w, clk[g].due_at);
		jw_key(w, "state");
		jw_str(w, sla_state_names[state[g]]);
		jw_key(w, "remaining_minutes");
		jw_int(w, sla_floor_minutes(rem[g]));
		jw_key(w, "policy_id");
		jw_id(w, clk[g].policy_id);
		jw_key(w, "paused");
		jw_bool(w, clk[g].paused);
		jw_key(w, "target_minutes");
		jw_int(w, clk[g].target_minutes);
		jw_key(w, "started_at");
		jw_time(w, clk[g].started_at);
		jw_key(w, "stopped_at");
		jw_time(w, clk[g].stopped_at);
		jw_end_obj(w);
	}
	jw_end_arr(w);
out:
	json_decref(co);
	sla_cals_release(&cals);
	return rc;
}

/* ---- list filters ---- */

static const struct {
	const char *name;
	const char *cond;   /* over sla_clocks c; ? = now */
	int nnow;
} state_conds[] = {
	{ "running", "c.stopped_at IS NULL AND c.paused = 0 AND c.due_at > ? AND (c.warn_at IS NULL OR c.warn_at > ?)", 2 },
	{ "warning", "c.stopped_at IS NULL AND c.paused = 0 AND c.due_at > ? AND c.warn_at <= ?", 2 },
	{ "paused", "c.stopped_at IS NULL AND c.paused = 1 AND c.consumed < c.target_minutes * 60", 0 },
	{ "breached", "((c.stopped_at IS NULL AND c.paused = 0 AND c.due_at <= ?) OR (c.stopped_at IS NULL AND"
		      " c.paused = 1 AND c.consumed >= c.target_minutes * 60) OR c.result = 'breached')", 1 },
	{ "met", "c.result = 'met'", 0 },
};

int sla_filter_sql(const char *sla_state, const char *breach_before, const char *id_expr, int64_t now,
		   struct strbuf *sql, int64_t *binds, int *nbinds, int max, struct yw_err *err)
{
	if (sla_state) {
		const char *p = sla_state;
		int n = 0;
		strbuf_addf(sql, " AND %s IN (SELECT c.ticket_id FROM sla_clocks c WHERE c.current = 1 AND (", id_expr);
		while (1) {
			const char *end = strchr(p, ',');
			size_t len = end ? (size_t)(end - p) : strlen(p), i;
			for (i = 0; i < ARRAY_SIZE(state_conds); i++)
				if (strlen(state_conds[i].name) == len && !memcmp(state_conds[i].name, p, len))
					break;
			if (i == ARRAY_SIZE(state_conds) || n >= 5)
				return yw_errf(err, YW_EINVAL, "sla_state", "sla_state must be a list of: running, paused,"
					       " warning, breached, met");
			if (*nbinds + state_conds[i].nnow > max)
				return yw_errf(err, YW_EINVAL, "sla_state", "too many filter values");
			strbuf_addf(sql, "%s(%s)", n++ ? " OR " : "", state_conds[i].cond);
			for (int k = 0; k < state_conds[i].nnow; k++)
				binds[(*nbinds)++] = now;
			if (!end)
				break;
			p = end + 1;
		}
		strbuf_addstr(sql, "))");
	}
	if (breach_before) {
		int64_t t;
		if (yw_parse_iso(breach_before, &t))
			return yw_errf(err, YW_EINVAL, "breach_before",
				       "breach_before must be an ISO 8601 time, e.g. 2026-11-25T10:00:00Z");
		if (*nbinds + 1 > max)
			return yw_errf(err, YW_EINVAL, "breach_before", "too many filter values");
		if (*nbinds + 2 > max)
			return yw_errf(err, YW_EINVAL, "breach_before", "too many filter values");
		/* clocks that will breach by then: one already breached is sla_state=breached */
		strbuf_addf(sql, " AND %s IN (SELECT c.ticket_id FROM sla_clocks c WHERE c.current = 1 AND"
			    " c.stopped_at IS NULL AND c.paused = 0 AND c.due_at > ? AND c.due_at < ?)", id_expr);
		binds[(*nbinds)++] = now;
		binds[(*nbinds)++] = t;
	}
	return 0;
}
