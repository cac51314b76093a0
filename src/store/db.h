/*
 * db.h - the one interface to the store.
 *
 * Everything above src/store/ talks SQL through these calls, with '?'
 * placeholders, so that the same statements run on SQLite and (later)
 * PostgreSQL. Dialect-specific SQL (full-text search, upserts that differ)
 * lives behind functions here, not in the domain.
 *
 * A struct db is one connection, used by one thread at a time: each HTTP
 * worker and the CLI open their own. Prepared statements are cached per
 * connection, keyed by the SQL text, so callers prepare on every use and
 * pay for the parse once:
 *
 *	struct db_stmt *st;
 *	if (db_prepare(db, "SELECT title FROM tickets WHERE id = ?", &st, err))
 *		return err->code;
 *	db_bind_int(st, 1, id);
 *	if (db_step(st) == DB_ROW)
 *		title = db_col_text(st, 0);
 *	db_done(st);
 *
 * db_done() resets the statement and clears its bindings; a statement
 * must be done before the same SQL is prepared again.
 */
#ifndef YW_DB_H
#define YW_DB_H

#include "../core/err.h"

struct db;
struct db_stmt;

enum { DB_DONE = 0, DB_ROW = 1 };

/*
 * Opens path (a file name, or ":memory:") and applies the connection
 * settings (WAL, foreign keys, busy timeout). Does not migrate.
 */
int db_open(struct db **out, const char *path, struct yw_err *err);
void db_close(struct db *db);

/*
 * Brings the schema up to the newest migration, each in its own
 * transaction, recording it in schema_migrations. A database whose
 * version is newer than this binary knows is refused with YW_ENEWER.
 * *applied (optional) gets the number of migrations run.
 */
int db_migrate(struct db *db, int *applied, struct yw_err *err);
int db_schema_version(struct db *db);
int db_latest_version(void);

int db_prepare(struct db *db, const char *sql, struct db_stmt **out, struct yw_err *err);
void db_bind_int(struct db_stmt *st, int idx, int64_t v);
/* NULL s binds SQL NULL. The text is copied. */
void db_bind_text(struct db_stmt *st, int idx, const char *s);
void db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t len);
void db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len);
void db_bind_null(struct db_stmt *st, int idx);
/* 0 binds NULL: for optional foreign keys */
void db_bind_id(struct db_stmt *st, int idx, int64_t id);

/* Returns DB_ROW, DB_DONE or YW_ECONFLICT (constraint) / YW_EDB, with err set. */
int db_step(struct db_stmt *st, struct yw_err *err);
void db_done(struct db_stmt *st);

int64_t db_col_int(struct db_stmt *st, int col);
/* Valid until the next step or done; NULL for SQL NULL. */
const char *db_col_text(struct db_stmt *st, int col);
const void *db_col_blob(struct db_stmt *st, int col, size_t *len);
bool db_col_null(struct db_stmt *st, int col);
int db_col_count(struct db_stmt *st);

/* Runs SQL with no parameters and no rows (may hold several statements). */
int db_exec(struct db *db, const char *sql, struct yw_err *err);
/* Runs a one-shot statement: prepare, bind from fmt ('i' int64, 'd' id or NULL, 's' text or NULL), step, done. */
int db_execf(struct db *db, struct yw_err *err, const char *sql, const char *fmt, ...);
/* Like db_execf for a statement returning one integer (e.g. RETURNING id); YW_ENOTFOUND for no row. */
int db_queryint(struct db *db, int64_t *out, struct yw_err *err, const char *sql, const char *fmt, ...);
/* Sets *found to whether the statement returns a row; a failure is returned, never taken for "none". */
int db_exists(struct db *db, bool *found, struct yw_err *err, const char *sql, const char *fmt, ...);
int64_t db_changes(struct db *db);
/*
 * Like db_execf for an INSERT of one row, storing the new row's id: on
 * SQLite the connection's last rowid, which spares the temporary table
 * that "RETURNING id" costs it on every call.
 */
int db_insert(struct db *db, int64_t *id, struct yw_err *err, const char *sql, const char *fmt, ...);

/*
 * Write transactions take the write lock at BEGIN (BEGIN IMMEDIATE on
 * SQLite), so two writers never deadlock upgrading a read lock.
 */
int db_begin(struct db *db, struct yw_err *err);
int db_begin_read(struct db *db, struct yw_err *err);
int db_commit(struct db *db, struct yw_err *err);
void db_rollback(struct db *db);
/* Whether a write transaction (or a batch) is open on db. */
bool db_in_write(struct db *db);

/*
 * Group commit. A batch is one write transaction that holds the changes
 * of several requests: between db_batch_begin() and db_batch_commit(),
 * db_begin() opens a part, db_commit() keeps it and db_rollback() undoes
 * that part alone, so each request still changes all or nothing. The
 * batch's commit makes every kept part durable at once; a failed commit
 * (or db_batch_rollback) loses them all, so callers answer the requests
 * of a batch only after it.
 *
 * A batch begins optimistic: its parts are not savepoints, because a
 * savepoint copies every page a part touches before it writes it, which
 * cost a fifth of the writer's work, and parts nearly always succeed.
 * A part rolled back before it wrote anything undoes nothing; one rolled
 * back after it wrote spoils the batch (db_batch_spoiled), and then only
 * db_batch_redo() or db_batch_rollback() may follow: the redo undoes the
 * whole transaction and opens it again, keeping the write lock, with
 * savepoints for parts, and the caller runs every part again.
 * db_batch_commit() refuses a spoiled batch.
 */
int db_batch_begin(struct db *db, struct yw_err *err);
int db_batch_commit(struct db *db, struct yw_err *err);
void db_batch_rollback(struct db *db);
bool db_in_batch(struct db *db);
bool db_batch_spoiled(struct db *db);
int db_batch_redo(struct db *db, struct yw_err *err);

/*
 * Full-text search. The index holds, per ticket id, two columns of
 * tokenizer output (core/tok.h): what everyone who sees the ticket may
 * read, and what only staff may read (internal notes). Inside a write
 * transaction db_fts_put() keeps the entry and writes it at the commit.
 */
int db_fts_put(struct db *db, int64_t id, const char *pub, const char *priv, struct yw_err *err);
/*
 * Appends to sql a condition "<id_expr> IN (...)" matching the query
 * terms, and returns the text to bind as the one placeholder it adds.
 * staff chooses whether the internal column is searched too.
 */
struct tok_term;
struct strbuf;
char *db_fts_condition(struct db *db, struct strbuf *sql, const char *id_expr,
		       const struct tok_term *terms, size_t n, bool staff);
/*
 * Merges the index into one segment. A bulk load ends with it: loaded
 * in large transactions, the index is left in a few huge segments that
 * every later small commit would merge into again and again.
 */
int db_fts_optimize(struct db *db, struct yw_err *err);
/*
 * The index as the driving table of a query, for a search whose first
 * page must not depend on how many tickets match: db_fts_from() is the
 * FROM item to list first, db_fts_id() the ticket id it yields (join it to
 * the ticket, order and page by it: the index hands out matches in id
 * order, newest first, without collecting them), and db_fts_match()
 * appends the condition with one placeholder, returning the text to bind.
 */
const char *db_fts_from(struct db *db);
const char *db_fts_id(struct db *db);
char *db_fts_match(struct db *db, struct strbuf *sql, const struct tok_term *terms, size_t n, bool staff);

const char *db_backend_name(struct db *db);

/*
 * Per-connection caches of the layers above (one connection is one
 * thread's, so a cache needs no lock). A slot holds one value and the
 * function that frees it, called when the value is replaced or the
 * connection closes. Each cache checks its own generation (cache_gen,
 * migration 0007) before it trusts what it holds.
 */
enum db_cache_slot { DB_CACHE_SLA, DB_CACHE_DIRECTORY, DB_CACHE_AUTH, DB_CACHE_NAMES, DB_CACHE_NSLOTS };
void *db_cache_get(struct db *db, enum db_cache_slot slot);
void db_cache_set(struct db *db, enum db_cache_slot slot, void *value, void (*free_fn)(void *));
/*
 * A number that stays the same for the whole of one read transaction
 * (db_begin_read) and differs for every other; 0 outside one, or in a
 * write transaction, where the caller's own writes may change anything.
 */
uint64_t db_read_serial(struct db *db);
/*
 * The current generation of name ("sla", "directory", "auth"); 0 when
 * unknown. Inside a write transaction that changed it, one of that
 * transaction's own, which no other transaction, committed or undone, has.
 */
int64_t db_cache_gen(struct db *db, const char *name);

/*
 * Checkpoints. By default a commit that grows the write-ahead log past a
 * threshold copies it back into the database, fsync and all, inside that
 * request. A server's connections call db_defer_checkpoints() so that
 * they never do, and the wal-checkpoint job (src/jobs/serve.c) calls
 * db_checkpoint() five times a second: a passive checkpoint, which never
 * blocks readers or writers, and when the log has grown long, a short one
 * that holds this process's writers until the log can start over.
 */
int db_defer_checkpoints(struct db *db, struct yw_err *err);
/*
 * Turns SQLite's foreign-key checks off on this connection, for a writer
 * whose every reference is checked by the domain in the same write
 * transaction (see src/http/batch.c). Every other connection keeps them.
 */
int db_trust_references(struct db *db, struct yw_err *err);
int db_checkpoint(struct db *db, struct yw_err *err);

/*
 * Leases: a named lease (a background job's, src/jobs/jobs.h) held by one
 * holder at a time, until it expires, so that several servers on one
 * database run each job once. db_lease_claim() gives l->holder the lease
 * until l->until (milliseconds, like l->now) when it is free, expired
 * before l->now, already l->holder's, or l->stale's (NULL: none), a holder
 * the caller knows is gone. l->held tells whether it did; when not,
 * l->other and l->other_until say who holds it and until when. The claim
 * is a write transaction of its own: the caller holds none.
 */
struct db_lease {
	const char *name, *holder, *stale;
	int64_t now, until;
	bool held;               /* out */
	char other[128];         /* out, when not held */
	int64_t other_until;     /* out, when not held */
};
int db_lease_claim(struct db *db, struct db_lease *l, struct yw_err *err);
/* Gives up holder's lease of name, if it has it, so that another may claim it at once. */
int db_lease_release(struct db *db, const char *name, const char *holder, struct yw_err *err);

#endif
