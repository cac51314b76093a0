/*
 * sla.h - service levels (服务级别协议): policies, the clocks of each
 * ticket, warnings and escalation, and the SLA report.
 *
 * Policies. An ordered list; the first policy whose match fields all fit
 * a ticket (type, fault level, priority, organisation, category — unset
 * means any; a category matches its whole subtree) sets the ticket's
 * targets: response, optionally onsite, and resolution, each a number of
 * working minutes in a business calendar (cal.h), with warning thresholds
 * in percent (ascending, 1..99) plus the breach at 100. Each threshold
 * may have an escalation step: notify the assignee, the group's
 * supervisor and/or the managers, and (a level-1 fault only) open a
 * technical coordination record (技术协调会) naming who was called in.
 *
 * Clocks. A ticket has one clock per target. A clock is stored as what
 * it consumed (working seconds) before its current running segment, the
 * segment's start, and its target; its state at any instant follows
 * from those and the calendar in O(days spanned) (cal_between_seconds),
 * never per minute. Running clocks also store due_at (target reached)
 * and warn_at (first threshold reached) so that lists can filter on them
 * in SQL. The rules:
 *   - all clocks start when the ticket is created;
 *   - response stops at the first public reply by staff or the move to
 *     in_progress (acknowledgement); onsite stops when staff record the
 *     arrival on site (sla_onsite_arrived) or at resolution;
 *     resolution stops at resolved;
 *   - while a ticket is pending, its running clocks pause if its policy
 *     says so, and resume when it leaves pending;
 *   - a reopen starts a new resolution clock (a new cycle; the old one is
 *     kept for the report) and writes a history row;
 *   - cancel, reject or close stop what still runs as "cancelled";
 *   - a change of what the ticket matches (fault level, priority,
 *     category, organisation) or of the policies re-targets the open
 *     clocks, keeping what they consumed, with a history row.
 * A stopped clock is met when it consumed less than its target, else
 * breached. The state shown: met/breached for stopped clocks; breached,
 * paused, warning (first threshold passed) or running otherwise.
 *
 * Timers. Each running clock has one row pending in sla_timers: that of
 * its lowest threshold (the breach last) that has none yet, with its due
 * instant; pausing or re-targeting moves or drops it. The sla-timers
 * job (jobs/jobs.h) fires timers with sla_fire_due(): each is claimed
 * (fired_at set where it was NULL) in the same transaction as its effects
 * — history rows, notifications (notify.h), coordination records, and the
 * clock's next timer — so it fires exactly once, across crashes and, later,
 * several servers sharing a PostgreSQL database. A server catching up
 * fires what fell due in due order. Writing one timer per clock, not one
 * per threshold, halves the SLA rows a new ticket costs.
 *
 * The ticket hooks run inside the caller's transaction and change nothing
 * but SLA rows and ticket history. A caller that committed a transaction
 * in which a hook ran calls sla_after_commit(), which wakes the scheduler
 * so that it re-reads the next deadline.
 */
#ifndef YW_SLA_H
#define YW_SLA_H

#include "../../core/err.h"
#include <jansson.h>

struct db;
struct cal;
struct yw_actor;

enum sla_target { SLA_RESPONSE, SLA_ONSITE, SLA_RESOLUTION, SLA_NTARGETS };
extern const char *const sla_target_names[SLA_NTARGETS];   /* "response", "onsite", "resolution" */

enum sla_state { SLA_RUNNING, SLA_PAUSED, SLA_WARNING, SLA_BREACHED, SLA_MET, SLA_CANCELLED };
extern const char *const sla_state_names[];                /* indexed by enum sla_state */

/* Who an escalation step tells: bits. */
enum { SLA_NOTIFY_ASSIGNEE = 1 << 0, SLA_NOTIFY_SUPERVISOR = 1 << 1, SLA_NOTIFY_MANAGER = 1 << 2 };

#define SLA_MAX_THRESHOLDS 5
#define SLA_BREACH 100
#define SLA_MAX_MINUTES (366 * 24 * 60)
#define SLA_NAME_MAX 100
#define SLA_MAX_POLICIES 200

struct sla_step {
	int at;               /* a threshold, or SLA_BREACH */
	unsigned notify;      /* SLA_NOTIFY_* */
	bool coordination;    /* open a coordination record (level-1 faults only) */
};

struct sla_target_def {
	bool set;
	int64_t minutes, calendar_id;
	int nthr;
	int thr[SLA_MAX_THRESHOLDS];             /* ascending, 1..99 */
	int nsteps;
	struct sla_step steps[SLA_MAX_THRESHOLDS + 1];
};

struct sla_policy {
	int64_t id, position, version, created_at, updated_at;
	char name[SLA_NAME_MAX * 4 + 1];
	char *description;                       /* owned, may be NULL */
	char match_type[16];                     /* "" = any */
	int64_t match_fault_level, match_priority, match_org_id, match_category_id;   /* 0 = any */
	bool pause_on_pending;
	struct sla_target_def t[SLA_NTARGETS];   /* response and resolution always set */
};

/* The step of target def at threshold at, or NULL. */
const struct sla_step *sla_step_at(const struct sla_target_def *def, int at);

/* ---- clock arithmetic (sla_clock.c): pure, on a loaded calendar ---- */

struct sla_clock {
	int64_t id, ticket_id, policy_id, calendar_id;
	int64_t target_minutes;
	int64_t started_at;
	int64_t running_since;   /* 0: not running */
	int64_t consumed;        /* working seconds before running_since */
	int64_t due_at, warn_at; /* running only, else 0 */
	int64_t stopped_at;      /* 0: not stopped */
	enum sla_target target;
	int cycle;
	bool paused;
	enum sla_state result;   /* stopped only: SLA_MET, SLA_BREACHED or SLA_CANCELLED */
};

/*
 * Starts c at t with nothing consumed; warn is the first warning
 * threshold in percent (0: none). Sets due_at and warn_at.
 */
int sla_clock_start(struct sla_clock *c, const struct cal *cal, int64_t t, int warn, struct yw_err *err);
/* Working seconds consumed by c up to now (stopped: what it consumed). */
int sla_clock_consumed(const struct sla_clock *c, const struct cal *cal, int64_t now, int64_t *out,
		       struct yw_err *err);
/* Pauses a running clock at t; a no-op for one that is not running. */
int sla_clock_pause(struct sla_clock *c, const struct cal *cal, int64_t t, struct yw_err *err);
/* Resumes a paused clock at t; a no-op for one that is not paused. */
int sla_clock_resume(struct sla_clock *c, const struct cal *cal, int64_t t, int warn, struct yw_err *err);
/* Stops a running or paused clock at t: met, breached, or cancelled when cancel. */
int sla_clock_stop(struct sla_clock *c, const struct cal *cal, int64_t t, bool cancel, struct yw_err *err);
/*
 * Re-targets an open clock at t to minutes in cal (which may differ from
 * the calendar it ran in so far: what it consumed stays, the rest is
 * measured in the new one).
 */
int sla_clock_retarget(struct sla_clock *c, const struct cal *old_cal, const struct cal *new_cal, int64_t t,
		       int64_t minutes, int64_t calendar_id, int warn, struct yw_err *err);
/* Recomputes due_at and warn_at of a running clock from running_since. */
int sla_clock_deadlines(struct sla_clock *c, const struct cal *cal, int warn, struct yw_err *err);
/*
 * The state at now and the working seconds left (negative: overdue). A
 * running clock is in warning from warn_at on. cal is only read for a
 * running clock (may be NULL otherwise).
 */
int sla_clock_state(const struct sla_clock *c, const struct cal *cal, int64_t now, enum sla_state *state,
		    int64_t *remaining, struct yw_err *err);
/*
 * The instant a running clock reaches pct percent of its target (100:
 * the breach); the working seconds of a threshold are rounded up. An
 * instant already past (the threshold was crossed) is returned as is.
 */
int sla_clock_threshold_at(const struct sla_clock *c, const struct cal *cal, int pct, int64_t *out,
			   struct yw_err *err);
/*
 * The state alone, from the stored deadlines: O(1), no calendar (a running
 * clock is breached from due_at on, in warning from warn_at on).
 */
enum sla_state sla_clock_state_now(const struct sla_clock *c, int64_t now);
/* Seconds rounded down to whole minutes, towards minus infinity. */
int64_t sla_floor_minutes(int64_t seconds);

/* ---- policies (sla_policy.c) ---- */

/* All policies in position order; release with sla_policies_free. */
int sla_policies_load(struct db *db, struct sla_policy **out, size_t *n, struct yw_err *err);
void sla_policies_free(struct sla_policy *p, size_t n);
/*
 * The same, kept with the connection while the policies are unchanged
 * (their generation, migration 0007): valid until the next call on db.
 */
int sla_policies_cached(struct db *db, const struct sla_policy **out, size_t *n, struct yw_err *err);

/* What a policy is matched against. category_path: the category and its ancestors. */
struct sla_subject {
	const char *type;
	int64_t fault_level, priority, org_id;
	int64_t category_path[8];
	size_t ncategory;
};
/* The first policy that matches s, or NULL. */
const struct sla_policy *sla_policy_match(const struct sla_policy *p, size_t n, const struct sla_subject *s);

/*
 * The API's records. Staff read; admins write, each write one transaction
 * with its audit row, after which every open clock is re-targeted (and the
 * tickets whose targets changed get a history row). The body is the JSON
 * of a policy (see sla_policy_json) without id/version/times; on PATCH
 * every field is optional. Errors name the field, e.g.
 * "targets.response.calendar_id".
 */
json_t *sla_policy_json(const struct sla_policy *p);
int sla_policy_list_json(struct db *db, const struct yw_actor *a, json_t **out, struct yw_err *err);
int sla_policy_get_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err);
int sla_policy_create(struct db *db, const struct yw_actor *a, json_t *body, int64_t *id, struct yw_err *err);
int sla_policy_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version, json_t *body,
		      struct yw_err *err);
int sla_policy_delete(struct db *db, const struct yw_actor *a, int64_t id, struct yw_err *err);
/* Sets the order: ids lists every policy exactly once. */
int sla_policy_reorder(struct db *db, const struct yw_actor *a, const int64_t *ids, size_t n, struct yw_err *err);
/* Finds a policy by id (all digits) or name. */
int sla_policy_lookup(struct db *db, const char *s, int64_t *id, struct yw_err *err);

/* ---- ticket hooks (sla_ticket.c): inside the caller's transaction ---- */

/*
 * A ticket as the SLA sees it. Loaded (sla_ticket_load), title is owned;
 * handed to sla_ticket_created, it is the caller's.
 */
struct sla_ticket {
	int64_t id, org_id, group_id, assignee_id, fault_level, priority, category_id, created_at;
	char type[16], status[24], number[32];
	char *title;
};
/* A ticket's current clocks, by target (found: the ticket has one). */
struct sla_clocks {
	struct sla_clock clk[SLA_NTARGETS];
	bool found[SLA_NTARGETS];
};
/*
 * Starts the clocks of a new ticket from its matching policy. The caller
 * has just written the ticket and hands over what it wrote (0 for an
 * unset id), rather than have it read back. started, if not NULL, gets
 * the clocks as written: what sla_ticket_write() would read back.
 */
int sla_ticket_created(struct db *db, const struct yw_actor *a, const struct sla_ticket *t,
		       struct sla_clocks *started, struct yw_err *err);
/* A first public reply by staff: stops the response clock. */
int sla_ticket_responded(struct db *db, const struct yw_actor *a, int64_t ticket_id, struct yw_err *err);
/* A life-cycle move from -> to (status names): stops, pauses, resumes, restarts. */
int sla_ticket_moved(struct db *db, const struct yw_actor *a, int64_t ticket_id, const char *from,
		     const char *to, struct yw_err *err);
/* Fields changed: re-targets the open clocks if the matching policy or its targets differ. */
int sla_ticket_changed(struct db *db, const struct yw_actor *a, int64_t ticket_id, struct yw_err *err);
/* Staff record the arrival on site: stops the onsite clock (its own transaction). */
int sla_onsite_arrived(struct db *db, const struct yw_actor *a, int64_t ticket_id, struct yw_err *err);

/* Wakes the scheduler if a hook changed a deadline in this thread. */
void sla_after_commit(void);
/*
 * db_commit(), then sla_after_commit() when it succeeded: ends a
 * transaction that ran a hook. In a batch (db_batch_begin) it ends the
 * part only, and whoever commits the batch calls sla_after_commit().
 */
int sla_commit(struct db *db, struct yw_err *err);
/* The scheduler registers its wake function (NULL: none), called with the
 * earliest deadline a committed transaction wrote. */
void sla_set_wake(void (*fn)(int64_t due));

/*
 * Writes into a ticket's JSON object, for staff, "coordinations": [{id,
 * target, opened_at, participants}], then "sla": [{target, due_at, state,
 * remaining_minutes, policy_id, paused, target_minutes, started_at,
 * stopped_at}] of its current clocks. It reads everything before it
 * writes: on an error it writes nothing. coordinated false says the
 * ticket has had no meeting (its coordination_count): none is looked for.
 */
struct jw;
int sla_ticket_write(struct db *db, const struct yw_actor *a, int64_t ticket_id, bool coordinated,
		     struct jw *w, struct yw_err *err);
/* The same from clocks the caller has (sla_ticket_created's), instead of reading them. */
int sla_ticket_write_clocks(struct db *db, const struct yw_actor *a, int64_t ticket_id, bool coordinated,
			    const struct sla_clocks *clocks, struct jw *w, struct yw_err *err);

/*
 * The list filters: sla_state (a comma list of running, paused, warning,
 * breached, met) and breach_before (ISO time: a running clock not yet
 * breached that falls due before it). Appends " AND <id_expr> IN (SELECT ...)" with '?' placeholders to
 * sql and their values to binds (at most max); YW_EINVAL naming the
 * parameter. NULL parameters add nothing.
 */
struct strbuf;
int sla_filter_sql(const char *sla_state, const char *breach_before, const char *id_expr, int64_t now,
		   struct strbuf *sql, int64_t *binds, int *nbinds, int max, struct yw_err *err);

/* ---- timers (sla_fire.c) ---- */

/* The due instant of the earliest unfired timer; YW_ENOTFOUND when none. */
int sla_next_due(struct db *db, int64_t *due, struct yw_err *err);
/*
 * Fires up to max timers due at or before now, in due order, each claimed
 * with its effects in one transaction (batched). *fired gets how many
 * this call fired (claims lost to another server are not counted).
 */
int sla_fire_due(struct db *db, int64_t now, size_t max, size_t *fired, struct yw_err *err);

/* ---- maintenance (sla_ticket.c) ---- */

/*
 * Starts clocks for open tickets that have none (tickets older than the
 * SLA module, or that matched no policy before) and re-targets every open
 * clock to the current policies. One transaction. *started, *retargeted
 * may be NULL.
 */
/*
 * Registers the SLA module's interest in calendar changes (cal_on_change):
 * when a calendar's windows, days or zone change, the deadlines and timers
 * of every running clock on it are computed again in the same transaction,
 * keeping the working time each has used, with a history row on each
 * ticket whose due time moved. Called once at start by the program.
 */
void sla_init(void);
int sla_calendar_changed(struct db *db, const struct yw_actor *a, int64_t calendar_id, struct yw_err *err);

int sla_rebuild(struct db *db, const struct yw_actor *a, size_t *started, size_t *retargeted,
		struct yw_err *err);
/*
 * Counts the current clocks by state at now (enum sla_state), from their
 * stored deadlines; with remaining, also computes each running clock's
 * working time left through its calendar (what the ticket JSON shows),
 * which costs the days between its segment start and now.
 */
int sla_count_states(struct db *db, int64_t now, bool remaining, size_t counts[SLA_CANCELLED + 1], size_t *tickets,
		     struct yw_err *err);

/* ---- report (sla_report.c) ---- */

/*
 * GET /sla/report: tickets created in [from, to) grouped by level, group,
 * organization or policy, each row with tickets, met, breached,
 * compliance (percent of met among met + breached, null when none) and
 * mean / p90 of the response and resolution times in working minutes
 * (stopped clocks only). Managers and admins see everything; supervisors
 * the tickets of the groups they lead; others get YW_EPERM.
 */
int sla_report_json(struct db *db, const struct yw_actor *a, int64_t from, int64_t to, const char *by,
		    json_t **out, struct yw_err *err);

#endif
