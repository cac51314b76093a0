/* serve.c - the jobs of `yunwei serve`, as one table. */
#include "../core/yw.h"
#include "../core/log.h"
#include "../core/ytime.h"
#include "../store/db.h"
#include "../domain/sla/sla.h"
#include "../domain/ticket/tk.h"
#include "../domain/ticket/upload.h"
#include "jobs.h"

#define SLA_MAX_SLEEP_MS 60000     /* re-read the next deadline at least this often (another process moves them) */
#define FLUSH_PERIOD_MS 200
#define CHECKPOINT_PERIOD_MS 200
#define UPLOAD_SWEEP_MS 60000

/* <database dir>/attachments/.uploads (upload.h), set once by jobs_serve() */
static char upload_dir[4200];

/*
 * SLA timers: the wait until the earliest unfired timer. Each turn reads
 * it first and fires only when one is due: every committed ticket
 * creation with an earlier deadline wakes the job, and most wake-ups
 * have nothing to do, so they must not take the write lock or load the
 * policies. Timers are rows: what fell due while the server was down
 * fires on its first turn, in due order, once.
 */
static int sla_next(struct db *db, int64_t *wait_ms, struct yw_err *err)
{
	int64_t due = 0;
	int rc = sla_next_due(db, &due, err);

	if (!rc)
		*wait_ms = (due - yw_now()) * 1000;
	return rc;
}

static int sla_run(struct db *db, struct yw_err *err)
{
	int64_t t0 = yw_now_ms();
	size_t fired = 0;
	int rc = sla_fire_due(db, yw_now(), SIZE_MAX, &fired, err);

	if (fired)
		yw_log_info("scheduler fired %zu SLA timer%s in %" PRId64 " ms", fired, fired == 1 ? "" : "s",
			    yw_now_ms() - t0);
	return rc;
}

/* A commit that wrote a deadline (sla_after_commit) wakes the job if it sleeps past it. */
static void sla_wake(int64_t due)
{
	jobs_wake(JOBS_SLA, due ? yw_now_ms() + (due - yw_now()) * 1000 : 0);
}

/*
 * The search index catches up with what was marked (tk.h, tk_fts_flush)
 * five times a second, and at start, before the server serves, with what
 * a crash or another process left. The writer of batches flushes after
 * its commits too (src/http/batch.c).
 */
static int flush_run(struct db *db, struct yw_err *err)
{
	return tk_fts_flush_all(db, err);
}

/*
 * The write-ahead log is checkpointed five times a second on the job's
 * connection, so that no request pays for it, and so that under a
 * steady stream of writes the log starts over before it outgrows the
 * file it has (db.h, db_checkpoint).
 */
static int checkpoint_run(struct db *db, struct yw_err *err)
{
	return db_checkpoint(db, err);
}

/* Unfinished uploads expire (upload.h). */
static int upload_run(struct db *db, struct yw_err *err)
{
	upload_sweep(upload_dir, yw_now());
	return 0;
}

static const struct job serve_jobs[] = {
	{ JOBS_SLA, sla_run, SLA_MAX_SLEEP_MS, sla_next, false },
	{ "search-flush", flush_run, FLUSH_PERIOD_MS, NULL, true },
	{ "wal-checkpoint", checkpoint_run, CHECKPOINT_PERIOD_MS, NULL, false },
	{ "upload-sweep", upload_run, UPLOAD_SWEEP_MS, NULL, false },
};

int jobs_serve(const char *db_path, struct jobs **out, struct yw_err *err)
{
	const char *slash = strrchr(db_path, '/');
	struct jobs *j = jobs_new(db_path);
	int rc;

	if (!slash)
		snprintf(upload_dir, sizeof(upload_dir), "./attachments/.uploads");
	else
		snprintf(upload_dir, sizeof(upload_dir), "%.*s/attachments/.uploads",
			 (int)(slash == db_path ? 1 : slash - db_path), db_path);
	for (size_t i = 0; i < ARRAY_SIZE(serve_jobs); i++)
		jobs_add(j, &serve_jobs[i]);
	if ((rc = jobs_start(j, err))) {
		jobs_stop(j);
		return rc;
	}
	sla_set_wake(sla_wake);
	*out = j;
	return 0;
}
