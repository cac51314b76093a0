/* jobs.c - the job registry: a thread per job, its turns, its lease. */
#include "../core/yw.h"
#include "../core/log.h"
#include "../core/ytime.h"
#include "../store/db.h"
#include "jobs.h"
#include <pthread.h>
#include <signal.h>

struct runner {
	const struct job *job;
	struct jobs *reg;
	struct db *db;
	pthread_t thread;
	bool ready, started;     /* mu and cond initialised; thread running */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool woken, stopping;
	int64_t until;           /* while it naps: when it wakes (yw_now_ms()), else 0 */
	int64_t lease_until;     /* until when this registry holds the job's lease; 0: it does not */
};

struct jobs {
	char *db_path;
	char holder[128];
	char host[64];
	struct runner *v;        /* does not move once started: jobs_add() is refused then */
	size_t n, alloc;
	bool started;
	struct jobs *next;       /* in the list of started registries */
};

/* The started registries, for jobs_wake() from any thread. */
static struct jobs *started;
static pthread_mutex_t started_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned registries;

struct jobs *jobs_new(const char *db_path)
{
	struct jobs *j = yw_calloc(1, sizeof(*j));

	j->db_path = yw_strdup(db_path);
	if (gethostname(j->host, sizeof(j->host)))
		snprintf(j->host, sizeof(j->host), "localhost");
	j->host[sizeof(j->host) - 1] = '\0';
	snprintf(j->holder, sizeof(j->holder), "%s:%ld:%u", j->host, (long)getpid(),
		 __atomic_add_fetch(&registries, 1, __ATOMIC_RELAXED));
	return j;
}

void jobs_add(struct jobs *j, const struct job *job)
{
	if (j->started)
		BUG("jobs_add after jobs_start");
	ALLOC_GROW(j->v, j->n + 1, j->alloc);
	memset(&j->v[j->n], 0, sizeof(j->v[j->n]));
	j->v[j->n].job = job;
	j->v[j->n].reg = j;
	j->n++;
}

const char *jobs_holder(const struct jobs *j)
{
	return j->holder;
}

/* Whether holder (host:pid:n) is a process of this host that no longer exists. */
static bool holder_gone(const struct jobs *j, const char *holder)
{
	size_t len = strlen(j->host);
	char *end;
	long pid;

	if (strncmp(holder, j->host, len) || holder[len] != ':')
		return false;
	pid = strtol(holder + len + 1, &end, 10);
	if (*end != ':' || pid <= 0)
		return false;
	return kill((pid_t)pid, 0) && errno == ESRCH;
}

/*
 * Whether this registry holds r's lease for the turn about to run. A
 * lease with more than half of its time left is not claimed again.
 */
static int lease(struct runner *r, bool *held, struct yw_err *err)
{
	struct db_lease l = { .name = r->job->name, .holder = r->reg->holder };
	char gone[sizeof(l.other)];
	int64_t now = yw_now_ms();
	int rc;

	*held = r->lease_until - now > JOBS_LEASE_MS / 2;
	if (*held)
		return 0;
	l.now = now;
	l.until = now + JOBS_LEASE_MS;
	rc = db_lease_claim(r->db, &l, err);
	if (!rc && !l.held && holder_gone(r->reg, l.other)) {
		snprintf(gone, sizeof(gone), "%s", l.other);
		l.stale = gone;
		rc = db_lease_claim(r->db, &l, err);
	}
	r->lease_until = !rc && l.held ? l.until : 0;
	*held = r->lease_until != 0;
	return rc;
}

/* Runs r's job if this registry holds its lease; *ran says whether it did. */
static int run_held(struct runner *r, bool *ran, struct yw_err *err)
{
	int rc = lease(r, ran, err);

	if (rc || !*ran)
		return rc;
	return r->job->run(r->db, err);
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* One turn of r's job: how long to wait before the next (ms; 0 or less: at once). */
static int64_t turn(struct runner *r)
{
	const struct job *job = r->job;
	struct yw_err err = YW_ERR_INIT;
	int64_t wait = 0;
	bool ran = false;
	int rc = 0;

	if (job->next) {
		rc = job->next(r->db, &wait, &err);
		if (rc == YW_ENOTFOUND)
			return job->period_ms;
		if (!rc && wait > 0)
			return min64(wait, job->period_ms);
	}
	if (!rc)
		rc = run_held(r, &ran, &err);
	if (rc) {
		yw_log_error("job %s: %s", job->name, err.msg);
		return min64(job->period_ms, JOBS_RETRY_MS);
	}
	return job->next && ran ? 0 : job->period_ms;
}

/* Waits up to ms, or until woken or stopped. */
static void nap(struct runner *r, int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&r->mu);
	r->until = yw_now_ms() + ms;
	while (!r->woken && !r->stopping)
		if (pthread_cond_timedwait(&r->cond, &r->mu, &ts) == ETIMEDOUT)
			break;
	r->woken = false;
	r->until = 0;
	pthread_mutex_unlock(&r->mu);
}

static bool stopping(struct runner *r)
{
	bool v;

	pthread_mutex_lock(&r->mu);
	v = r->stopping;
	pthread_mutex_unlock(&r->mu);
	return v;
}

static void *runner_main(void *arg)
{
	struct runner *r = arg;
	/* a job that ran at start waits for its next turn */
	int64_t wait = r->job->at_start ? r->job->period_ms : 0;

	for (;;) {
		if (wait > 0)
			nap(r, wait);
		if (stopping(r))
			break;
		wait = turn(r);
	}
	return NULL;
}

void jobs_wake(const char *name, int64_t at_ms)
{
	pthread_mutex_lock(&started_mu);
	for (struct jobs *j = started; j; j = j->next) {
		for (size_t i = 0; i < j->n; i++) {
			struct runner *r = &j->v[i];
			if (strcmp(r->job->name, name))
				continue;
			pthread_mutex_lock(&r->mu);
			/* awake, it may have read what is due before this was committed */
			if (!at_ms || !r->until || at_ms < r->until) {
				r->woken = true;
				pthread_cond_signal(&r->cond);
			}
			pthread_mutex_unlock(&r->mu);
		}
	}
	pthread_mutex_unlock(&started_mu);
}

static int runner_open(struct jobs *j, struct runner *r, struct yw_err *err)
{
	pthread_condattr_t ca;
	int rc;

	/* checkpoints are the checkpoint job's: no commit of a job pays for one */
	if ((rc = db_open(&r->db, j->db_path, err)) || (rc = db_defer_checkpoints(r->db, err)))
		return rc;
	pthread_mutex_init(&r->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);
	r->ready = true;
	return 0;
}

static int runners_start(struct jobs *j, struct yw_err *err)
{
	sigset_t all, old;
	int rc = 0;

	/* the threads take no signals: SIGINT/SIGTERM belong to the server's main thread (sigwait) */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (size_t i = 0; i < j->n && !rc; i++) {
		if (pthread_create(&j->v[i].thread, NULL, runner_main, &j->v[i]))
			rc = yw_errf(err, YW_EINTERNAL, "", "cannot start the thread of job %s", j->v[i].job->name);
		else
			j->v[i].started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int jobs_start(struct jobs *j, struct yw_err *err)
{
	bool ran;
	int rc = 0;

	j->started = true;
	for (size_t i = 0; i < j->n && !rc; i++)
		rc = runner_open(j, &j->v[i], err);
	for (size_t i = 0; i < j->n && !rc; i++)
		if (j->v[i].job->at_start)
			rc = run_held(&j->v[i], &ran, err);
	if (rc)
		return rc;
	pthread_mutex_lock(&started_mu);
	j->next = started;
	started = j;
	pthread_mutex_unlock(&started_mu);
	return runners_start(j, err);
}

static void unlist(struct jobs *j)
{
	pthread_mutex_lock(&started_mu);
	for (struct jobs **p = &started; *p; p = &(*p)->next) {
		if (*p == j) {
			*p = j->next;
			break;
		}
	}
	pthread_mutex_unlock(&started_mu);
}

static void runner_stop(struct runner *r)
{
	struct yw_err err = YW_ERR_INIT;

	if (r->started) {
		pthread_mutex_lock(&r->mu);
		r->stopping = true;
		pthread_cond_signal(&r->cond);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thread, NULL);
	}
	if (r->lease_until && db_lease_release(r->db, r->job->name, r->reg->holder, &err))
		yw_log_error("job %s: %s", r->job->name, err.msg);
	if (r->ready) {
		pthread_cond_destroy(&r->cond);
		pthread_mutex_destroy(&r->mu);
	}
	db_close(r->db);
}

void jobs_stop(struct jobs *j)
{
	if (!j)
		return;
	unlist(j);
	for (size_t i = 0; i < j->n; i++)
		runner_stop(&j->v[i]);
	free(j->v);
	free(j->db_path);
	free(j);
}
