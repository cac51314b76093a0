/*
 * sla_int.h - what the sla_*.c files share: the calendar cache of one
 * call, reading and writing clock rows, keeping a clock's timers in step,
 * what a ticket is matched on, and the wake flag.
 */
#ifndef YW_SLA_INT_H
#define YW_SLA_INT_H

#include "sla.h"

struct db_stmt;

/*
 * The calendars one call uses, by id: borrowed from the thread's cache
 * (checked against the calendar's version once per call), released
 * together at the end of the call.
 */
struct sla_cals {
	struct { int64_t id; struct cal *cal; bool owned; } *v;
	size_t n, alloc;
};
#define SLA_CALS_INIT { NULL, 0, 0 }
int sla_cal_get(struct db *db, struct sla_cals *cs, int64_t id, const struct cal **out, struct yw_err *err);
void sla_cals_release(struct sla_cals *cs);

/* The column list sla_clock_read expects. */
/* The columns sla_clock_read() expects, in order; a macro so SQL is built at compile time. */
#define SLA_CLOCK_COLS \
	"id, ticket_id, target, cycle, COALESCE(policy_id, 0), calendar_id, target_minutes, started_at," \
	" COALESCE(running_since, 0), consumed, paused, COALESCE(due_at, 0), COALESCE(warn_at, 0)," \
	" COALESCE(stopped_at, 0), COALESCE(result, '')"
void sla_clock_read(struct db_stmt *st, struct sla_clock *c);
int sla_clock_insert(struct db *db, struct sla_clock *c, struct yw_err *err);
int sla_clock_update(struct db *db, const struct sla_clock *c, struct yw_err *err);
/* The current clocks of a ticket (at most one per target), by target; found[t] says which. */
int sla_clocks_of(struct db *db, int64_t ticket_id, struct sla_clock out[SLA_NTARGETS], bool found[SLA_NTARGETS],
		  struct yw_err *err);
/*
 * A running clock has one pending timer, for its lowest threshold of def
 * (the breach last) that has no row yet; a threshold that fired keeps its
 * row and does not fire again. sla_timers_sync() drops the unfired timer
 * of c and writes the one due now; sla_timer_next() writes the one after
 * the threshold that fired and sets *next_due to its time (0: none).
 */
int sla_timers_sync(struct db *db, const struct sla_clock *c, const struct sla_target_def *def,
		    const struct cal *cal, struct yw_err *err);
int sla_timer_next(struct db *db, const struct sla_clock *c, const struct sla_target_def *def,
		   const struct cal *cal, int fired, int64_t *next_due, struct yw_err *err);
/* The first warning threshold of def (0: none). */
int sla_first_warn(const struct sla_target_def *def);

int sla_ticket_load(struct db *db, int64_t id, struct sla_ticket *t, struct yw_err *err);
void sla_ticket_release(struct sla_ticket *t);
int sla_subject_of(struct db *db, const struct sla_ticket *t, struct sla_subject *s, struct yw_err *err);

/* One ticket_history row by a (the system when a is NULL). */
int sla_hist(struct db *db, int64_t ticket_id, const struct yw_actor *a, const char *field, const char *old_value,
	     const char *new_value, const char *note, struct yw_err *err);

/*
 * Re-targets every open clock to the current policies (after a policy
 * write); the timers of the clocks of policy force (0: none) are re-synced
 * even when their targets stay, as its thresholds may have changed.
 */
int sla_retarget_all(struct db *db, const struct yw_actor *a, int64_t force, size_t *retargeted,
		     struct yw_err *err);

/*
 * Notes a timer this thread wrote, due at due: sla_after_commit() wakes the
 * scheduler if it sleeps past the earliest. A timer dropped needs no wake:
 * the scheduler finds nothing due when it wakes, and reads again.
 */
void sla_note_due(int64_t due);

#endif
