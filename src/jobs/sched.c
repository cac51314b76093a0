/* sched.c - the scheduler thread: sleep until the next SLA timer, fire. */
#include "../core/yw.h"
#include "../core/log.h"
#include "../core/ytime.h"
#include "../store/db.h"
#include "../domain/sla/sla.h"
#include "sched.h"
#include <pthread.h>
#include <signal.h>

struct sched {
	struct db *db;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool woken, stopping;
	int64_t until;   /* while it naps: when it wakes (yw_now() seconds), else 0 */
};

/* The one running scheduler, for sched_wake() from any thread. */
static struct sched *running;
static pthread_mutex_t running_mu = PTHREAD_MUTEX_INITIALIZER;

void sched_wake(int64_t due)
{
	pthread_mutex_lock(&running_mu);
	if (running) {
		pthread_mutex_lock(&running->mu);
		/* awake, it may have read the next deadline before this one was committed */
		if (!due || !running->until || due < running->until) {
			running->woken = true;
			pthread_cond_signal(&running->cond);
		}
		pthread_mutex_unlock(&running->mu);
	}
	pthread_mutex_unlock(&running_mu);
}

/* Waits up to seconds, or until woken or stopped. */
static void nap(struct sched *s, int64_t seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += seconds;
	pthread_mutex_lock(&s->mu);
	s->until = yw_now() + seconds;
	while (!s->woken && !s->stopping)
		if (pthread_cond_timedwait(&s->cond, &s->mu, &ts) == ETIMEDOUT)
			break;
	s->woken = false;
	s->until = 0;
	pthread_mutex_unlock(&s->mu);
}

static bool stopping(struct sched *s)
{
	bool v;
	pthread_mutex_lock(&s->mu);
	v = s->stopping;
	pthread_mutex_unlock(&s->mu);
	return v;
}

/*
 * Each turn reads the next deadline first and fires only when one is due:
 * every committed ticket creation wakes the scheduler, and most wake-ups
 * have nothing to do, so they must not take the write lock or load the
 * policies.
 */
static void *sched_main(void *arg)
{
	struct sched *s = arg;

	while (!stopping(s)) {
		struct yw_err err = YW_ERR_INIT;
		int64_t t0, due = 0, wait;
		size_t fired = 0;
		int rc = sla_next_due(s->db, &due, &err);

		if (!rc && due <= yw_now()) {
			t0 = yw_now_ms();
			rc = sla_fire_due(s->db, yw_now(), SIZE_MAX, &fired, &err);
			if (fired)
				yw_log_info("scheduler fired %zu SLA timer%s in %" PRId64 " ms", fired,
					    fired == 1 ? "" : "s", yw_now_ms() - t0);
			if (!rc)
				continue;
		}
		if (rc == YW_ENOTFOUND) {
			wait = SCHED_MAX_SLEEP;
		} else if (rc) {
			yw_log_error("scheduler: %s", err.msg);
			wait = SCHED_RETRY;
		} else {
			wait = due - yw_now();
			if (wait <= 0)
				continue;
			if (wait > SCHED_MAX_SLEEP)
				wait = SCHED_MAX_SLEEP;
		}
		nap(s, wait);
	}
	return NULL;
}

int sched_start(const char *db_path, struct sched **out, struct yw_err *err)
{
	struct sched *s = yw_calloc(1, sizeof(*s));
	pthread_condattr_t ca;
	int rc;

	if ((rc = db_open(&s->db, db_path, err))) {
		free(s);
		return rc;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_lock(&running_mu);
	running = s;
	pthread_mutex_unlock(&running_mu);
	sla_set_wake(sched_wake);
	/*
	 * The thread takes no signals: SIGINT/SIGTERM belong to the server's
	 * main thread (sigwait), which it may start after this one.
	 */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&s->thread, NULL, sched_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		sched_stop(s);
		return yw_errf(err, YW_EINTERNAL, "", "cannot start the scheduler thread");
	}
	*out = s;
	return 0;
}

void sched_stop(struct sched *s)
{
	if (!s)
		return;
	sla_set_wake(NULL);
	pthread_mutex_lock(&running_mu);
	if (running == s)
		running = NULL;
	pthread_mutex_unlock(&running_mu);
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->mu);
	if (s->thread)
		pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->mu);
	db_close(s->db);
	free(s);
}
