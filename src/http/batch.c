/*
 * batch.c - group commit of the writes that come in bursts.
 *
 * A commit of SQLite costs about the same for one ticket as for fifty
 * (the log pages of the table's last leaf and of each index, the search
 * index's new segment), and ticket creation comes in bursts: an alarm
 * storm, the desk at nine in the morning. So a request on a route
 * flagged HR_BATCH is not run when it arrives. Its worker decodes and
 * authenticates it as usual, then queues it; at the end of the event
 * loop's turn (h2o's zero timeout, after every socket that was ready has
 * been read) it hands its queue to the writer thread. The writer takes
 * everything queued, by every worker, and runs it in one write
 * transaction, each request in a part of its own (db.h), so that a
 * request that fails undoes only its own changes. (Should one fail after
 * it has written, which validation before the first write makes rare,
 * the whole batch is undone and runs again, each part a savepoint: so a
 * handler's writing run may come twice, and must leave nothing but its
 * result in the request.) After the commit each
 * request goes back to the worker that owns its connection, which runs
 * the handler again with r->replying set to send the answer: the one
 * the write run rendered (r->answer), or else what it reads back in a
 * read transaction it shares with the other answers that came back to
 * it together. If the commit fails,
 * every request of the batch gets the error: nothing of it was written.
 *
 * The writer's connection has SQLite's foreign-key checks off
 * (db_trust_references). What it writes references either the ticket
 * the same transaction has just inserted (history, SLA clocks and
 * timers, the search mark) or rows the domain looked up in that write
 * transaction before it wrote (tk_create checks the category, requester,
 * organisation, group and assignee, which no other writer can delete
 * before the commit; the creator is the caller, and users are disabled,
 * never deleted; the SLA policy and calendar come from caches checked in
 * the same transaction). SQLite's own check of the same references, a
 * search of the parent table for each, was 7% of the writer's work per
 * ticket. Every other connection keeps the checks, so nothing can delete
 * a row that a ticket references; and the API tests check every key of
 * their databases when they finish (tests/api/lib.mjs).
 *
 * The workers never wait for the writer, so while it writes they read,
 * decode and answer. Requests are only ever touched by their own
 * worker's thread but for the writing run of the handler, which sees
 * the decoded request (body, query, actor, arena) and nothing of h2o's.
 */
#include "../core/yw.h"
#include "../core/log.h"
#include "../store/db.h"
#include "../domain/sla/sla.h"
#include "../domain/ticket/tk.h"
#include "http.h"
#include <pthread.h>

#define BATCH_MAX 256   /* requests in one transaction */

struct batch_job {
	h2o_multithread_message_t msg;   /* first: the message is the job */
	struct batch_job *next;
	struct batch_worker *owner;
	struct batch_job **guard;        /* in the request's pool, until it is freed */
	struct http_req r;
	int rc;
	bool gone;                       /* the connection closed under the request */
};

/* One per worker thread. */
struct batch_worker {
	h2o_context_t *ctx;
	struct db *db;
	h2o_timeout_entry_t flush;
	h2o_multithread_receiver_t done;
	struct batch_job *head, **tail;
	size_t inflight;
};

static __thread struct batch_worker *self;

/* the writer thread and the queue it takes its batches from */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static struct batch_job *queue_head, **queue_tail = &queue_head;
static bool stopping;
static pthread_t writer;
static struct db *writer_db;

/* Runs the jobs in one transaction on db and sends each back to its worker. */
static void run_jobs(struct db *db, struct batch_job *jobs)
{
	/* after a spoiling failure the rest would run only to be undone */
	for (struct batch_job *j = jobs; j && !db_batch_spoiled(db); j = j->next) {
		j->r.db = db;
		yw_err_clear(&j->r.err);
		j->rc = j->r.route->fn(&j->r);
		db_rollback(db);   /* undoes a part the handler left open */
		if (j->r.touch_token)
			acct_token_touch(db, j->r.touch_token);
	}
}

static void run_batch(struct db *db, struct batch_job *jobs)
{
	struct yw_err err = YW_ERR_INIT;
	struct batch_job *j, *next;
	int rc;

	if (!(rc = db_batch_begin(db, &err))) {
		run_jobs(db, jobs);
		/* one failed after it had written: the batch again, each request undoable alone */
		if (db_batch_spoiled(db) && !(rc = db_batch_redo(db, &err)))
			run_jobs(db, jobs);
		if (!rc)
			rc = db_batch_commit(db, &err);
		sla_after_commit();
	}
	if (rc)
		yw_log_error("a batch of writes was not committed: %s", err.msg);
	for (j = jobs; j; j = next) {
		next = j->next;
		if (rc && !j->rc) {
			j->rc = rc;
			yw_err_clear(&j->r.err);
			yw_err_copy(&j->r.err, &err);
		}
		h2o_multithread_send_message(&j->owner->done, &j->msg);
	}
	yw_err_clear(&err);
}

/* Zero timeout: this worker's turn of the loop is over; hand its queue to the writer. */
static void on_flush(h2o_timeout_entry_t *entry)
{
	struct batch_worker *w = self;

	(void)entry;
	if (!w->head)
		return;
	pthread_mutex_lock(&queue_lock);
	*queue_tail = w->head;
	queue_tail = w->tail;
	w->head = NULL;
	w->tail = &w->head;
	pthread_cond_signal(&queue_cond);
	pthread_mutex_unlock(&queue_lock);
}

/*
 * The search entries of what the batches wrote (tk.h, tk_fts_flush) are
 * rebuilt here, TK_FTS_CHUNK tickets to a transaction, after a batch
 * when a chunk's worth is waiting: under a steady stream the backlog
 * (which a search flushes before it runs) stays under a chunk and a
 * batch. The search-flush job (src/jobs/serve.c) flushes the rest five
 * times a second: the last few tickets of a burst, and what other
 * connections and processes marked. (Flushing whenever the writer found its queue empty
 * flushed after nearly every batch: one segment per few tickets again.)
 */
static uint64_t search_seen;   /* tk_fts_marks() at the last flush that left less than a chunk */

static void flush_search(void)
{
	struct yw_err err = YW_ERR_INIT;
	uint64_t marks = tk_fts_marks();
	int n;

	if (marks - search_seen < TK_FTS_CHUNK)
		return;
	if (tk_fts_flush(writer_db, TK_FTS_CHUNK, &n, &err)) {
		yw_log_error("search index: %s", err.msg);
		n = 0;   /* the search-flush job tries again */
	}
	if (n < TK_FTS_CHUNK)
		search_seen = marks;
	yw_err_clear(&err);
}

static void *writer_main(void *arg)
{
	struct batch_job *jobs, **tail;
	size_t n;

	(void)arg;
	pthread_setname_np(pthread_self(), "yw-writer");
	pthread_mutex_lock(&queue_lock);
	for (;;) {
		while (!queue_head && !stopping)
			pthread_cond_wait(&queue_cond, &queue_lock);
		if (!queue_head)
			break;
		jobs = queue_head;
		tail = &jobs->next;
		for (n = 1; *tail && n < BATCH_MAX; n++)
			tail = &(*tail)->next;
		queue_head = *tail;
		if (!queue_head)
			queue_tail = &queue_head;
		*tail = NULL;
		pthread_mutex_unlock(&queue_lock);
		run_batch(writer_db, jobs);
		flush_search();
		pthread_mutex_lock(&queue_lock);
	}
	pthread_mutex_unlock(&queue_lock);
	return NULL;
}

int http_batch_start(const char *db_path, struct yw_err *err)
{
	int rc;

	if ((rc = db_open(&writer_db, db_path, err)) || (rc = db_defer_checkpoints(writer_db, err)) ||
	    (rc = db_trust_references(writer_db, err))) {
		db_close(writer_db);
		writer_db = NULL;
		return rc;
	}
	stopping = false;
	if (pthread_create(&writer, NULL, writer_main, NULL)) {
		db_close(writer_db);
		writer_db = NULL;
		return yw_errf(err, YW_EINTERNAL, "", "cannot start the writer thread");
	}
	return 0;
}

void http_batch_stop(void)
{
	if (!writer_db)
		return;
	pthread_mutex_lock(&queue_lock);
	stopping = true;
	pthread_cond_signal(&queue_cond);
	pthread_mutex_unlock(&queue_lock);
	pthread_join(writer, NULL);
	db_close(writer_db);
	writer_db = NULL;
}

/* h2o frees the request's pool when its connection closes under it. */
static void on_dispose(void *p)
{
	struct batch_job **guard = p;

	if (*guard) {
		(*guard)->gone = true;
		(*guard)->guard = NULL;
	}
}

/*
 * Back on the owning worker: answer, and free the jobs. The jobs that
 * came back together were all committed before they were sent, so one
 * read transaction, the turn's, begun anew here, serves all their
 * answers: beginning and ending one per answer was a tenth of the
 * worker's time on a create.
 */
static void on_done(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
	struct batch_worker *w = self;
	struct yw_err err = YW_ERR_INIT;
	bool reading = false;

	(void)receiver;
	http_read_end();   /* an older snapshot would not hold what the batches committed */
	while (!h2o_linklist_is_empty(messages)) {
		struct batch_job *j = H2O_STRUCT_FROM_MEMBER(struct batch_job, msg.link, messages->next);
		h2o_linklist_unlink(&j->msg.link);
		w->inflight--;
		if (!j->gone) {
			*j->guard = NULL;
			if (!reading && !j->rc && !j->r.answer.len) {
				http_read_begin(w->ctx, w->db, &err);
				reading = true;
			}
			http_batch_reply(&j->r, w->db, j->rc, &err);
		} else {
			http_req_release(&j->r);
		}
		free(j);
	}
	yw_err_clear(&err);
}

void http_batch_add(struct http_req *r)
{
	struct batch_worker *w = self;
	struct batch_job *j = yw_calloc(1, sizeof(*j));

	j->r = *r;
	j->owner = w;
	j->guard = h2o_mem_alloc_shared(&r->h->pool, sizeof(*j->guard), on_dispose);
	*j->guard = j;
	*w->tail = j;
	w->tail = &j->next;
	w->inflight++;
	if (!h2o_timeout_is_linked(&w->flush))
		h2o_timeout_link(w->ctx->loop, &w->ctx->zero_timeout, &w->flush);
}

void http_batch_thread_init(h2o_context_t *ctx, struct db *db)
{
	struct batch_worker *w = yw_calloc(1, sizeof(*w));

	w->ctx = ctx;
	w->db = db;
	w->tail = &w->head;
	w->flush.cb = on_flush;
	h2o_multithread_register_receiver(ctx->queue, &w->done, on_done);
	self = w;
}

size_t http_batch_inflight(void)
{
	return self ? self->inflight : 0;
}

void http_batch_thread_done(void)
{
	struct batch_worker *w = self;

	if (!w)
		return;
	if (h2o_timeout_is_linked(&w->flush))
		h2o_timeout_unlink(&w->flush);
	h2o_multithread_unregister_receiver(w->ctx->queue, &w->done);
	free(w);
	self = NULL;
}
