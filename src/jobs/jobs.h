/*
 * jobs.h - background work: a registry of jobs, each run on a thread of
 * its own with its own database connection, beside the HTTP workers.
 *
 * A job is a name, a function and when to run it: every period_ms, or,
 * for a job with a next() function, when next() says its work falls due
 * (the SLA timers: it sleeps until the earliest timer, at most period_ms,
 * or until jobs_wake() after a commit that wrote an earlier one).
 *
 * Before a turn runs, the registry takes the job's lease through the
 * store (db_lease_claim, table job_leases), so that several servers on
 * one database run each job once: a job whose lease another holder has
 * skips its turn. A registry keeps a lease it holds by claiming it again
 * when less than half of JOBS_LEASE_MS is left, so a job that runs five
 * times a second writes its lease every few seconds, not every turn. A
 * holder is "host:pid:n"; a lease held by a process of this host that is
 * gone (killed) is taken at once rather than when it expires, and
 * jobs_stop() gives its leases up.
 *
 * A failing turn logs its error and the job runs again at its next turn
 * (after at most JOBS_RETRY_MS); it never stops the other jobs.
 *
 * The registry calls the domain and the store, never the HTTP layer.
 */
#ifndef YW_JOBS_H
#define YW_JOBS_H

#include "../core/err.h"

#define JOBS_LEASE_MS 15000    /* how long a claimed lease lasts */
#define JOBS_RETRY_MS 5000     /* the longest wait before a failed job runs again */

struct db;

struct job {
	const char *name;           /* unique in a registry: the lease's name, and in the log */
	int (*run)(struct db *db, struct yw_err *err);
	int64_t period_ms;          /* between turns; with next(), the longest sleep */
	/*
	 * NULL: the job runs every period_ms. Else it runs when next() sets
	 * *wait_ms to 0 or less, and again at once after each turn; a wait
	 * is capped by period_ms; YW_ENOTFOUND: nothing to do, sleep period_ms.
	 */
	int (*next)(struct db *db, int64_t *wait_ms, struct yw_err *err);
	bool at_start;              /* jobs_start() runs a first turn before it returns, failing with it */
};

struct jobs;

/* A registry of jobs on the database at db_path (already migrated). */
struct jobs *jobs_new(const char *db_path);
/* Adds a job (the struct must outlive the registry); before jobs_start() only. */
void jobs_add(struct jobs *j, const struct job *job);
/* Opens a connection per job, runs the at_start turns, then starts the threads. */
int jobs_start(struct jobs *j, struct yw_err *err);
/* Stops the threads (each finishes the turn in hand), gives up the leases and frees j; NULL is fine. */
void jobs_stop(struct jobs *j);
/* This registry's name in job_leases.holder. */
const char *jobs_holder(const struct jobs *j);
/*
 * Makes the job called name, in every started registry, take its next
 * turn now if it would sleep past at_ms (a yw_now_ms() instant; 0: in
 * any case). Safe from any thread; does nothing when none runs it.
 */
void jobs_wake(const char *name, int64_t at_ms);

/*
 * The jobs of `yunwei serve` (serve.c): SLA timers, the search-index
 * flush (also at start, before the server serves), the WAL checkpoint
 * and the expiry of unfinished uploads. Started once by the command.
 */
#define JOBS_SLA "sla-timers"
int jobs_serve(const char *db_path, struct jobs **out, struct yw_err *err);

#endif
