/*
 * sla_clock.c - the arithmetic of one SLA clock on a business calendar.
 *
 * A clock is (consumed working seconds, start of the running segment,
 * target); everything else follows through cal_add_seconds and
 * cal_between_seconds, so a computation costs the days it spans.
 */
#include "../../core/yw.h"
#include "../calendar/cal.h"
#include "sla.h"

const char *const sla_target_names[SLA_NTARGETS] = { "response", "onsite", "resolution" };
const char *const sla_state_names[] = { "running", "paused", "warning", "breached", "met", "cancelled" };

static int64_t target_seconds(const struct sla_clock *c)
{
	return c->target_minutes * 60;
}

/* The working seconds of pct percent of the target, rounded up. */
static int64_t pct_seconds(const struct sla_clock *c, int pct)
{
	return (target_seconds(c) * pct + 99) / 100;
}

int64_t sla_floor_minutes(int64_t seconds)
{
	return seconds >= 0 ? seconds / 60 : -((-seconds + 59) / 60);
}

int sla_clock_consumed(const struct sla_clock *c, const struct cal *cal, int64_t now, int64_t *out,
		       struct yw_err *err)
{
	int64_t s = 0;
	int rc;

	*out = c->consumed;
	if (!c->running_since || now <= c->running_since)
		return 0;
	if ((rc = cal_between_seconds(cal, c->running_since, now, &s, err)))
		return rc;
	*out += s;
	return 0;
}

int sla_clock_threshold_at(const struct sla_clock *c, const struct cal *cal, int pct, int64_t *out,
			   struct yw_err *err)
{
	int64_t need = pct_seconds(c, pct);

	if (!c->running_since)
		return yw_errf(err, YW_EINTERNAL, "", "the clock is not running");
	if (need <= c->consumed) {
		*out = c->running_since;
		return 0;
	}
	return cal_add_seconds(cal, c->running_since, need - c->consumed, out, err);
}

int sla_clock_deadlines(struct sla_clock *c, const struct cal *cal, int warn, struct yw_err *err)
{
	int rc;

	c->due_at = c->warn_at = 0;
	if (!c->running_since)
		return 0;
	if ((rc = sla_clock_threshold_at(c, cal, SLA_BREACH, &c->due_at, err)))
		return rc;
	if (warn > 0 && warn < SLA_BREACH)
		return sla_clock_threshold_at(c, cal, warn, &c->warn_at, err);
	return 0;
}

int sla_clock_start(struct sla_clock *c, const struct cal *cal, int64_t t, int warn, struct yw_err *err)
{
	c->started_at = c->running_since = t;
	c->consumed = 0;
	c->paused = false;
	c->stopped_at = 0;
	c->result = SLA_RUNNING;
	return sla_clock_deadlines(c, cal, warn, err);
}

int sla_clock_pause(struct sla_clock *c, const struct cal *cal, int64_t t, struct yw_err *err)
{
	int rc;

	if (!c->running_since || c->stopped_at)
		return 0;
	if ((rc = sla_clock_consumed(c, cal, t, &c->consumed, err)))
		return rc;
	c->running_since = 0;
	c->paused = true;
	c->due_at = c->warn_at = 0;
	return 0;
}

int sla_clock_resume(struct sla_clock *c, const struct cal *cal, int64_t t, int warn, struct yw_err *err)
{
	if (!c->paused || c->stopped_at)
		return 0;
	c->paused = false;
	c->running_since = t;
	return sla_clock_deadlines(c, cal, warn, err);
}

int sla_clock_stop(struct sla_clock *c, const struct cal *cal, int64_t t, bool cancel, struct yw_err *err)
{
	int rc;

	if (c->stopped_at)
		return 0;
	if ((rc = sla_clock_consumed(c, cal, t, &c->consumed, err)))
		return rc;
	c->running_since = 0;
	c->paused = false;
	c->due_at = c->warn_at = 0;
	c->stopped_at = t;
	/* reaching the target is the breach: the breach timer fires at that instant */
	c->result = cancel ? SLA_CANCELLED : c->consumed >= target_seconds(c) ? SLA_BREACHED : SLA_MET;
	return 0;
}

int sla_clock_retarget(struct sla_clock *c, const struct cal *old_cal, const struct cal *new_cal, int64_t t,
		       int64_t minutes, int64_t calendar_id, int warn, struct yw_err *err)
{
	int rc;

	if (c->stopped_at)
		return 0;
	if (c->running_since) {
		if ((rc = sla_clock_consumed(c, old_cal, t, &c->consumed, err)))
			return rc;
		c->running_since = t;
	}
	c->target_minutes = minutes;
	c->calendar_id = calendar_id;
	return sla_clock_deadlines(c, new_cal, warn, err);
}

enum sla_state sla_clock_state_now(const struct sla_clock *c, int64_t now)
{
	if (c->stopped_at)
		return c->result;
	if (c->paused)
		return c->consumed >= target_seconds(c) ? SLA_BREACHED : SLA_PAUSED;
	if (now >= c->due_at)
		return SLA_BREACHED;
	return c->warn_at && now >= c->warn_at ? SLA_WARNING : SLA_RUNNING;
}

int sla_clock_state(const struct sla_clock *c, const struct cal *cal, int64_t now, enum sla_state *state,
		    int64_t *remaining, struct yw_err *err)
{
	int64_t used;
	int rc;

	if (c->stopped_at) {
		*state = c->result;
		*remaining = target_seconds(c) - c->consumed;
		return 0;
	}
	if ((rc = sla_clock_consumed(c, cal, now, &used, err)))
		return rc;
	*remaining = target_seconds(c) - used;
	if (*remaining <= 0)
		*state = SLA_BREACHED;
	else if (c->paused)
		*state = SLA_PAUSED;
	else if (c->warn_at && now >= c->warn_at)
		*state = SLA_WARNING;
	else
		*state = SLA_RUNNING;
	return 0;
}
