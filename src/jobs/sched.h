/*
 * sched.h - the scheduler: one thread in `yunwei serve` that fires SLA
 * timers (sla.h) when they fall due.
 *
 * It sleeps until the earliest unfired timer (pthread_cond_timedwait on
 * CLOCK_MONOTONIC), never polling the tickets: idle, it costs one indexed
 * query per wake-up. A transaction that writes a deadline earlier than
 * the one it sleeps until wakes it through sla_after_commit(), which calls
 * sched_wake(); a ticket created with a later one does not. It also re-reads
 * at least every SCHED_MAX_SLEEP seconds, for deadlines moved by another
 * process (the CLI on the same database, or later another server).
 *
 * Timers are rows, so nothing is lost across restarts: what fell due
 * while the server was down fires on start, in due order, once (each
 * timer is claimed in the database with its effects).
 *
 * The thread has its own database connection; it calls the domain, never
 * the HTTP layer.
 */
#ifndef YW_SCHED_H
#define YW_SCHED_H

#include "../core/err.h"

#define SCHED_MAX_SLEEP 60
#define SCHED_RETRY 5          /* seconds before retrying after a store error */

struct sched;

/* Opens its own connection to db_path and starts the thread. */
int sched_start(const char *db_path, struct sched **out, struct yw_err *err);
/* Stops the thread (finishing the batch in hand) and frees s; NULL is fine. */
void sched_stop(struct sched *s);
/* Makes the running scheduler re-read the next deadline now if it would
 * sleep past due (a time in seconds; 0: in any case). */
void sched_wake(int64_t due);

#endif
