/*
 * sqlite.c - the SQLite backend of db.h.
 */
#include "../core/yw.h"
#include "../core/embed.h"
#include "../core/log.h"
#include "../core/strbuf.h"
#include "../core/tok.h"
#include "../core/ytime.h"
#include "db.h"
#include "walbuf.h"
#include <pthread.h>
#include <sqlite3.h>

extern const struct embed_file migrations_sqlite_files[];

struct db_stmt {
	sqlite3_stmt *st;
	struct db *db;
	const char *sql;     /* key: the caller's text */
	bool busy;
};

#define STMT_CACHE 256   /* open addressing; a power of two */
#define BUSY_TIMEOUT_MS 10000   /* how long to wait for another process's lock */

/* A search-index entry written at commit (see db_fts_put). */
struct fts_put {
	int64_t id;
	char *pub, *priv;
};

struct db {
	sqlite3 *h;
	bool writing;        /* holds write_lock: a write transaction is open */
	bool batch;          /* the write transaction is a batch (db_batch_begin) */
	bool part;           /* a batch's part is open */
	bool careful;        /* the batch's parts are savepoints (db_batch_redo) */
	bool spoiled;        /* a part that had written was rolled back, in an optimistic batch */
	int64_t part_changes;  /* sqlite3_total_changes64() when the part began */
	uint64_t read_serial;  /* of the open read transaction, or 0 */
	uint64_t serials;
	struct {
		char name[16];
		int64_t gen;
	} gens[8];           /* cache_gen as read in the read transaction gens_serial */
	size_t ngens;
	uint64_t gens_serial;
	bool wgens;          /* gens hold in the open write transaction (see db_cache_gen) */
	bool gens_own;       /* the open write transaction (a batch: its open part) changed cache_gen */
	bool gens_own_kept;  /* a kept part of the open batch did */
	uint64_t gens_undo;  /* write transactions and undone parts that changed it */
	bool gens_read;      /* gens were read in a read transaction, when these held: */
	int64_t gens_version;   /* PRAGMA data_version */
	int64_t gens_changes;   /* sqlite3_total_changes64() */
	struct db_stmt cache[STMT_CACHE];
	struct fts_put *fts; /* index entries waiting for the commit */
	size_t nfts, fts_alloc, fts_mark;
	struct {
		void *value;
		void (*free_fn)(void *);
	} caches[DB_CACHE_NSLOTS];
};

static void fts_drop(struct db *db, size_t from);

static int sql_error(struct db *db, int rc, struct yw_err *err, const char *what)
{
	int code = YW_EDB;

	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		code = YW_ECONFLICT;
	if (code == YW_EDB)
		yw_log_error("sqlite: %s: %s", what, sqlite3_errmsg(db->h));
	return yw_errf(err, code, "", "%s: %s", what, sqlite3_errmsg(db->h));
}

/*
 * Each connection is used by one thread at a time, so SQLite's own
 * serialisation is not needed; and memory statistics would take a global
 * mutex on every allocation, which two busy workers then fight over.
 */
static void configure_once(void)
{
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
	/* the log of a transaction in one write (walbuf.c); without it, SQLite's own */
	if (walbuf_install() != SQLITE_OK)
		yw_log_warn("cannot install the log-gathering VFS; using SQLite's unix VFS");
}

static int trace_stmt(unsigned type, void *ctx, void *p, void *x)
{
	char *sql = sqlite3_expanded_sql(p);
	(void)type, (void)ctx, (void)x;
	fprintf(stderr, "sql: %s\n", sql ? sql : (const char *)x);
	sqlite3_free(sql);
	return 0;
}

/*
 * In a write transaction no other connection can write (the write lock),
 * so the cache generations read in it hold until this connection changes
 * cache_gen itself: a trigger of migration 0007 updating a row, which
 * SQLite reports here, or a rollback (db_rollback). A batch of ticket
 * creations reads them once instead of once a ticket.
 */
static void on_update(void *arg, int op, const char *dbname, const char *table, sqlite3_int64 rowid)
{
	struct db *db = arg;

	(void)op, (void)dbname, (void)rowid;
	if (!strcmp(table, "cache_gen")) {
		db->wgens = false;
		db->gens_own |= db->writing;
	}
}

int db_open(struct db **out, const char *path, struct yw_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct db *db;
	int rc;

	pthread_once(&once, configure_once);
	db = yw_calloc(1, sizeof(*db));

	rc = sqlite3_open_v2(path, &db->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		yw_errf(err, YW_EDB, "", "cannot open database %s: %s", path,
			db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		sqlite3_close(db->h);
		free(db);
		return YW_EDB;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_update_hook(db->h, on_update, db);
	/* YW_SQL_TRACE=1 logs every statement run: for finding what a request costs */
	if (getenv("YW_SQL_TRACE"))
		sqlite3_trace_v2(db->h, SQLITE_TRACE_STMT, trace_stmt, NULL);
	sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
	rc = db_exec(db,
		     "PRAGMA journal_mode = WAL;"
		     "PRAGMA synchronous = NORMAL;"
		     "PRAGMA foreign_keys = ON;"
		     "PRAGMA temp_store = MEMORY;"
		     "PRAGMA cache_size = -16000;"
		     "PRAGMA journal_size_limit = 67108864;", err);
	if (rc) {
		db_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	/* SQLite undoes an open transaction at close; the process's write lock must go with it */
	if (db->writing || !sqlite3_get_autocommit(db->h)) {
		db->batch = db->part = false;
		db_rollback(db);
	}
	for (size_t i = 0; i < STMT_CACHE; i++)
		if (db->cache[i].st) {
			sqlite3_finalize(db->cache[i].st);
			free((char *)db->cache[i].sql);
		}
	fts_drop(db, 0);
	free(db->fts);
	for (int i = 0; i < DB_CACHE_NSLOTS; i++)
		db_cache_set(db, i, NULL, NULL);
	if (sqlite3_close(db->h) != SQLITE_OK)
		yw_log_error("sqlite: close: %s", sqlite3_errmsg(db->h));
	free(db);
}

void *db_cache_get(struct db *db, enum db_cache_slot slot)
{
	return db->caches[slot].value;
}

void db_cache_set(struct db *db, enum db_cache_slot slot, void *value, void (*free_fn)(void *))
{
	if (db->caches[slot].value && db->caches[slot].free_fn)
		db->caches[slot].free_fn(db->caches[slot].value);
	db->caches[slot].value = value;
	db->caches[slot].free_fn = free_fn;
}

/*
 * In a read transaction the generations cannot change, so they are read
 * once, all of them, on the first question: a request that consults two
 * caches runs one statement for both.
 *
 * Nor have they changed since the last read transaction that read them
 * if nothing was committed in between: PRAGMA data_version moves when
 * another connection commits, and this connection's own changes move
 * sqlite3_total_changes64(). Most reads then run the pragma, one step
 * that also takes the snapshot the request's next statement would take,
 * instead of stepping through the table.
 */
static bool gens_unchanged(struct db *db, int64_t *version)
{
	struct yw_err err = YW_ERR_INIT;
	struct db_stmt *st;

	*version = -1;
	if (db_prepare(db, "PRAGMA data_version", &st, &err)) {
		yw_err_clear(&err);
		return false;
	}
	if (db_step(st, &err) == DB_ROW)
		*version = db_col_int(st, 0);
	db_done(st);
	yw_err_clear(&err);
	return db->gens_read && *version >= 0 && *version == db->gens_version &&
	       sqlite3_total_changes64(db->h) == db->gens_changes;
}

/*
 * The triggers count the generations up by one (migration 0014), and a
 * count is undone with the transaction that made it, so the generation a
 * transaction gave itself comes round again when a later one commits.
 * A cache filled from what this connection's open transaction wrote must
 * not match it then: while the transaction has changed cache_gen, its
 * generations are negative (a committed one is not) and carry the number
 * of such transactions and undone parts so far, which the next one does
 * not share. 32 bits each: a generation counts configuration writes.
 */
static int64_t own_gen(const struct db *db, int64_t gen)
{
	if (!db->writing || !(db->gens_own || db->gens_own_kept))
		return gen;
	return -(int64_t)(((db->gens_undo & 0x7fffffff) << 32) | ((uint64_t)gen & 0xffffffff)) - 1;
}

int64_t db_cache_gen(struct db *db, const char *name)
{
	struct yw_err err = YW_ERR_INIT;
	uint64_t serial = db_read_serial(db);
	struct db_stmt *st;
	bool held = serial ? serial == db->gens_serial : db->writing && db->wgens;
	int64_t version = -1;

	if (!held && serial && gens_unchanged(db, &version)) {
		db->gens_serial = serial;
		held = true;
	}
	if (!held) {
		db->ngens = 0;
		db->gens_serial = 0;
		db->wgens = false;
		db->gens_read = false;
		if (db_prepare(db, "SELECT name, gen FROM cache_gen", &st, &err))
			goto out;
		while (db_step(st, &err) == DB_ROW && db->ngens < ARRAY_SIZE(db->gens)) {
			const char *n = db_col_text(st, 0);
			size_t len = strnlen(n, sizeof(db->gens[0].name) - 1);
			memcpy(db->gens[db->ngens].name, n, len);
			db->gens[db->ngens].name[len] = '\0';
			db->gens[db->ngens++].gen = db_col_int(st, 1);
		}
		db_done(st);
		db->gens_serial = serial;
		db->wgens = !serial && db->writing && !err.code;
		if (serial && version >= 0 && !err.code) {
			db->gens_read = true;
			db->gens_version = version;
			db->gens_changes = sqlite3_total_changes64(db->h);
		}
	}
out:
	yw_err_clear(&err);
	for (size_t i = 0; i < db->ngens; i++)
		if (!strcmp(db->gens[i].name, name))
			return own_gen(db, db->gens[i].gen);
	return 0;
}

const char *db_backend_name(struct db *db)
{
	(void)db;
	return "sqlite";
}

/*
 * FNV-1a over the length and the first and last 48 bytes: the texts of
 * ticket queries are a kilobyte long and share long runs, and hashing all
 * of it on every prepare cost more than the lookup; the full compare on
 * a hit tells the rare texts that share both ends apart.
 */
static uint32_t hash_sql(const char *s)
{
	size_t len = strlen(s);
	uint32_t h = 2166136261u ^ (uint32_t)len;

	for (size_t i = 0; i < len && i < 48; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	for (size_t i = len > 96 ? len - 48 : len < 48 ? len : 48; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int found(struct db_stmt *s, const char *sql, struct db_stmt **out)
{
	if (s->busy)
		BUG("statement prepared twice without db_done: %s", sql);
	s->busy = true;
	*out = s;
	return 0;
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out, struct yw_err *err)
{
	struct db_stmt *slot = NULL;
	uint32_t h = hash_sql(sql) & (STMT_CACHE - 1);

	for (uint32_t i = 0; i < STMT_CACHE; i++) {
		struct db_stmt *s = &db->cache[(h + i) & (STMT_CACHE - 1)];
		if (!s->st) {
			slot = s;
			break;
		}
		if (!strcmp(s->sql, sql))
			return found(s, sql, out);
	}
	if (!slot) {
		/*
		 * The cache is full of distinct statements (dynamic list queries
		 * can do that): evict the first idle one in probe order. Slots are
		 * replaced in place, never emptied, so no probe chain is broken.
		 */
		for (uint32_t i = 0; i < STMT_CACHE && !slot; i++) {
			struct db_stmt *s = &db->cache[(h + i) & (STMT_CACHE - 1)];
			if (!s->busy)
				slot = s;
		}
		if (!slot)
			BUG("statement cache full of busy statements");
		sqlite3_finalize(slot->st);
		free((char *)slot->sql);
		slot->st = NULL;
		slot->sql = NULL;
	}
	int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->st, NULL);
	if (rc != SQLITE_OK) {
		slot->st = NULL;
		return sql_error(db, rc, err, "prepare");
	}
	slot->sql = yw_strdup(sql);
	slot->db = db;
	return found(slot, sql, out);
}

void db_bind_int(struct db_stmt *st, int idx, int64_t v)
{
	sqlite3_bind_int64(st->st, idx, v);
}

void db_bind_text(struct db_stmt *st, int idx, const char *s)
{
	if (s)
		sqlite3_bind_text(st->st, idx, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st->st, idx);
}

void db_bind_textn(struct db_stmt *st, int idx, const char *s, size_t len)
{
	sqlite3_bind_text64(st->st, idx, s, len, SQLITE_TRANSIENT, SQLITE_UTF8);
}

void db_bind_blob(struct db_stmt *st, int idx, const void *p, size_t len)
{
	sqlite3_bind_blob64(st->st, idx, p, len, SQLITE_TRANSIENT);
}

void db_bind_null(struct db_stmt *st, int idx)
{
	sqlite3_bind_null(st->st, idx);
}

void db_bind_id(struct db_stmt *st, int idx, int64_t id)
{
	if (id)
		sqlite3_bind_int64(st->st, idx, id);
	else
		sqlite3_bind_null(st->st, idx);
}

int db_step(struct db_stmt *st, struct yw_err *err)
{
	int rc = sqlite3_step(st->st);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return sql_error(st->db, rc, err, "step");
}

void db_done(struct db_stmt *st)
{
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
	st->busy = false;
}

int64_t db_col_int(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(st->st, col);
}

const char *db_col_text(struct db_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st->st, col);
}

const void *db_col_blob(struct db_stmt *st, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(st->st, col);
	*len = sqlite3_column_bytes(st->st, col);
	return p;
}

bool db_col_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

int db_col_count(struct db_stmt *st)
{
	return sqlite3_column_count(st->st);
}

int db_exec(struct db *db, const char *sql, struct yw_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int code = (rc & 0xff) == SQLITE_CONSTRAINT ? YW_ECONFLICT : YW_EDB;
		yw_errf(err, code, "", "sql: %s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return code;
	}
	return 0;
}

static void bind_va(struct db_stmt *st, const char *fmt, va_list ap)
{
	for (int i = 0; fmt[i]; i++) {
		switch (fmt[i]) {
		case 'i': db_bind_int(st, i + 1, va_arg(ap, int64_t)); break;
		case 'd': db_bind_id(st, i + 1, va_arg(ap, int64_t)); break;
		case 's': db_bind_text(st, i + 1, va_arg(ap, const char *)); break;
		default: BUG("bad bind format %c", fmt[i]);
		}
	}
}

/* Prepares, binds, steps once and resets: the body of db_execf and db_insert. */
/*
 * Prepares, binds, steps once and finishes: DB_ROW (with the first
 * column's integer in *first, when asked), DB_DONE, or a failure.
 */
static int step_once(struct db *db, struct yw_err *err, int64_t *first, const char *sql, const char *fmt,
		     va_list ap)
{
	struct db_stmt *st;
	int rc;

	if ((rc = db_prepare(db, sql, &st, err)))
		return rc;
	bind_va(st, fmt, ap);
	rc = db_step(st, err);
	if (rc == DB_ROW && first)
		*first = db_col_int(st, 0);
	db_done(st);
	return rc;
}

static int exec_va(struct db *db, struct yw_err *err, const char *sql, const char *fmt, va_list ap)
{
	int rc = step_once(db, err, NULL, sql, fmt, ap);
	return rc < 0 ? rc : 0;
}

int db_execf(struct db *db, struct yw_err *err, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = exec_va(db, err, sql, fmt, ap);
	va_end(ap);
	return rc;
}

int db_queryint(struct db *db, int64_t *out, struct yw_err *err, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = step_once(db, err, out, sql, fmt, ap);
	va_end(ap);
	if (rc == DB_DONE)
		return yw_errf(err, YW_ENOTFOUND, "", "no row");
	return rc < 0 ? rc : 0;
}

int db_exists(struct db *db, bool *found, struct yw_err *err, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = step_once(db, err, NULL, sql, fmt, ap);
	va_end(ap);
	*found = rc == DB_ROW;
	return rc < 0 ? rc : 0;
}

int db_insert(struct db *db, int64_t *id, struct yw_err *err, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = exec_va(db, err, sql, fmt, ap);
	va_end(ap);
	if (!rc)
		*id = sqlite3_last_insert_rowid(db->h);
	return rc;
}

int64_t db_changes(struct db *db)
{
	return sqlite3_changes64(db->h);
}

/*
 * Writers of one process queue on a mutex before they ask SQLite for the
 * write lock. SQLite's own wait for a busy lock is a sleep of 1 to 100 ms
 * between tries, so with two workers writing, one of them slept on every
 * commit of the other: p99 of ticket creation was half a second. A mutex
 * hands the lock over the moment it is released. Other processes (the
 * CLI beside a running server) still meet the busy timeout.
 */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static void fts_drop(struct db *db, size_t from)
{
	while (db->nfts > from) {
		struct fts_put *f = &db->fts[--db->nfts];
		free(f->pub);
		free(f->priv);
	}
	if (db->fts_mark > db->nfts)
		db->fts_mark = db->nfts;
}

/*
 * Writes the search-index entries of the transaction, just before its
 * commit. SQLite's FTS5 (3.40) flushes what it holds in memory to a new
 * index segment whenever a later statement of the transaction opens a
 * savepoint, so an entry written in the middle of a ticket's changes
 * cost a segment (and its merges) per statement; written last, the
 * entries of a whole transaction make one segment.
 */
static int fts_flush(struct db *db, struct yw_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < db->nfts && !rc; i++)
		rc = db_execf(db, err, "DELETE FROM ticket_fts WHERE rowid = ?", "i", db->fts[i].id);
	for (size_t i = 0; i < db->nfts && !rc; i++)
		rc = db_execf(db, err, "INSERT INTO ticket_fts(rowid, pub, priv) VALUES (?, ?, ?)", "iss",
			      db->fts[i].id, db->fts[i].pub, db->fts[i].priv);
	fts_drop(db, 0);
	return rc;
}

int db_begin(struct db *db, struct yw_err *err)
{
	int rc;

	if (db->batch && !db->part) {
		/* statements run after SQLite rolled the batch back (a full disk) would each commit */
		if (sqlite3_get_autocommit(db->h))
			return yw_errf(err, YW_EDB, "", "the batch's transaction was rolled back");
		if (db->careful && (rc = db_execf(db, err, "SAVEPOINT part", "")))
			return rc;
		db->part = true;
		db->fts_mark = db->nfts;
		db->part_changes = sqlite3_total_changes64(db->h);
		return 0;
	}
	if (db->writing) {
		THIS_SHOULD_NEVER_HAPPEN;
		return yw_errf(err, YW_EINTERNAL, "", "a write transaction is already open");
	}
	pthread_mutex_lock(&write_lock);
	if ((rc = db_execf(db, err, "BEGIN IMMEDIATE", ""))) {
		pthread_mutex_unlock(&write_lock);
		return rc;
	}
	db->writing = true;
	db->wgens = false;
	return 0;
}

static void write_done(struct db *db)
{
	fts_drop(db, 0);
	db->batch = db->part = db->careful = db->spoiled = false;
	db->wgens = false;
	db->gens_undo += db->gens_own || db->gens_own_kept;
	db->gens_own = db->gens_own_kept = false;
	if (db->writing) {
		db->writing = false;
		pthread_mutex_unlock(&write_lock);
	}
}

int db_begin_read(struct db *db, struct yw_err *err)
{
	int rc = db_execf(db, err, "BEGIN", "");

	if (!rc)
		db->read_serial = ++db->serials;
	return rc;
}

bool db_in_write(struct db *db)
{
	return db->writing || sqlite3_txn_state(db->h, NULL) == SQLITE_TXN_WRITE;
}

uint64_t db_read_serial(struct db *db)
{
	if (db->writing || sqlite3_get_autocommit(db->h) || sqlite3_txn_state(db->h, NULL) == SQLITE_TXN_WRITE)
		return 0;
	return db->read_serial;
}

int db_commit(struct db *db, struct yw_err *err)
{
	int rc;

	if (db->batch) {
		if (!db->part) {
			THIS_SHOULD_NEVER_HAPPEN;
			return yw_errf(err, YW_EINTERNAL, "", "commit without a transaction");
		}
		if (db->careful && (rc = db_execf(db, err, "RELEASE part", ""))) {
			db_rollback(db);
			return rc;
		}
		db->part = false;
		db->gens_own_kept |= db->gens_own;
		db->gens_own = false;
		return 0;
	}
	if (!(rc = fts_flush(db, err)))
		rc = db_execf(db, err, "COMMIT", "");
	if (rc)
		db_rollback(db);
	write_done(db);
	return rc;
}

void db_rollback(struct db *db)
{
	struct yw_err err = YW_ERR_INIT;

	if (db->batch) {
		/*
		 * A part undoes only itself; the batch goes on. Without a
		 * savepoint that is possible only if it changed no row (a
		 * failed statement changes none: SQLite undoes it alone).
		 * With no part open there is nothing to undo, and the
		 * generations read in the batch still hold.
		 */
		if (db->part) {
			db->wgens = false;   /* what is undone may have changed them */
			if (!db->careful) {
				if (sqlite3_total_changes64(db->h) != db->part_changes)
					db->spoiled = true;
			} else if (db_execf(db, &err, "ROLLBACK TO part", "") ||
				   db_execf(db, &err, "RELEASE part", "")) {
				yw_log_error("sqlite: cannot undo a batch part: %s", err.msg);
				yw_err_clear(&err);
				db->spoiled = true;
			} else if (db->gens_own) {
				db->gens_own = false;
				db->gens_undo++;
			}
			fts_drop(db, db->fts_mark);
			db->part = false;
		}
		return;
	}
	db->wgens = false;
	db->read_serial = 0;
	if (!sqlite3_get_autocommit(db->h) && db_execf(db, &err, "ROLLBACK", "")) {
		yw_log_error("sqlite: rollback: %s", err.msg);
		yw_err_clear(&err);
	}
	write_done(db);
}

int db_batch_begin(struct db *db, struct yw_err *err)
{
	int rc = db_begin(db, err);

	if (!rc) {
		db->batch = true;
		db->careful = db->spoiled = false;
	}
	return rc;
}

bool db_in_batch(struct db *db)
{
	return db->batch;
}

bool db_batch_spoiled(struct db *db)
{
	return db->batch && db->spoiled;
}

int db_batch_redo(struct db *db, struct yw_err *err)
{
	int rc;

	if (!db->batch || db->part) {
		THIS_SHOULD_NEVER_HAPPEN;
		db_batch_rollback(db);
		return yw_errf(err, YW_EINTERNAL, "", "batch redo outside a batch or inside a part");
	}
	/* the process's write lock stays held: no writer of this process comes between */
	fts_drop(db, 0);
	db->wgens = false;
	db->gens_undo += db->gens_own || db->gens_own_kept;
	db->gens_own = db->gens_own_kept = false;
	db->spoiled = false;
	db->careful = true;
	if ((!sqlite3_get_autocommit(db->h) && (rc = db_execf(db, err, "ROLLBACK", ""))) ||
	    (rc = db_execf(db, err, "BEGIN IMMEDIATE", ""))) {
		db_batch_rollback(db);
		return rc;
	}
	return 0;
}

int db_batch_commit(struct db *db, struct yw_err *err)
{
	if (!db->batch || db->part || db->spoiled) {
		bool spoiled = db->spoiled;

		THIS_SHOULD_NEVER_HAPPEN;
		db_batch_rollback(db);
		if (spoiled)
			return yw_errf(err, YW_EINTERNAL, "", "batch commit of a spoiled batch");
		return yw_errf(err, YW_EINTERNAL, "", "batch commit with a part still open");
	}
	db->batch = false;
	return db_commit(db, err);
}

void db_batch_rollback(struct db *db)
{
	db->part = db->batch = false;
	db_rollback(db);
}

/* Migrations are files NNNN_name.sql, applied in order of NNNN. */
static int migration_version(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return atoi(base);
}

int db_latest_version(void)
{
	int v = 0;
	for (const struct embed_file *f = migrations_sqlite_files; f->path; f++)
		if (migration_version(f->path) > v)
			v = migration_version(f->path);
	return v;
}

int db_schema_version(struct db *db)
{
	int64_t v = 0;
	struct yw_err err = YW_ERR_INIT;

	if (db_queryint(db, &v, &err, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", ""))
		v = 0;
	return (int)v;
}

/*
 * A migration that rebuilds a table (https://sqlite.org/lang_altertable.html
 * #otheralter) starts with the line "-- yunwei: foreign_keys off": it runs
 * with foreign keys off, which SQLite allows to change only outside a
 * transaction, and every key is checked before it commits.
 */
static int migrate_one(struct db *db, const struct embed_file *f, int v, struct yw_err *err)
{
	static const char fk_off[] = "-- yunwei: foreign_keys off\n";
	bool rebuild = f->size >= sizeof(fk_off) - 1 && !memcmp(f->data, fk_off, sizeof(fk_off) - 1);
	int rc;

	if (rebuild && (rc = db_exec(db, "PRAGMA foreign_keys = OFF", err)))
		return rc;
	if ((rc = db_begin(db, err)))
		goto out;
	if ((rc = db_exec(db, (const char *)f->data, err)) ||
	    (rc = db_execf(db, err, "INSERT INTO schema_migrations VALUES (?, ?, ?)", "isi",
			   (int64_t)v, f->path, yw_now()))) {
		db_rollback(db);
		rc = yw_err_wrapf(err, rc, "", err, "migration %s failed: ", f->path);
		goto out;
	}
	if (rebuild) {
		bool bad;
		if (!(rc = db_exists(db, &bad, err, "SELECT 1 FROM pragma_foreign_key_check LIMIT 1", "")) && bad)
			rc = yw_errf(err, YW_EINTERNAL, "", "migration %s failed: it breaks a foreign key", f->path);
		if (rc) {
			db_rollback(db);
			goto out;
		}
	}
	rc = db_commit(db, err);
out:
	if (rebuild) {
		struct yw_err e = YW_ERR_INIT;
		if (db_exec(db, "PRAGMA foreign_keys = ON", &e)) {
			yw_log_error("sqlite: cannot turn foreign keys back on: %s", e.msg);
			if (!rc) {
				yw_err_copy(err, &e);
				rc = err->code = YW_EINTERNAL;
			}
		}
	}
	return rc;
}

int db_migrate(struct db *db, int *applied, struct yw_err *err)
{
	int rc, current, latest = db_latest_version(), n = 0;

	rc = db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			 "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
		     err);
	if (rc)
		return rc;
	current = db_schema_version(db);
	if (current > latest)
		return yw_errf(err, YW_ENEWER, "",
			       "database schema version %d is newer than this yunwei knows (%d); "
			       "use a newer yunwei", current, latest);
	/*
	 * Apply every migration newer than the schema, in version order. Gaps
	 * are allowed so that work on separate branches can number its own.
	 */
	for (int v = current + 1; v <= latest; v++) {
		const struct embed_file *f;
		for (f = migrations_sqlite_files; f->path; f++)
			if (migration_version(f->path) == v)
				break;
		if (!f->path)
			continue;
		if ((rc = migrate_one(db, f, v, err)))
			return rc;
		yw_log_info("applied migration %s", f->path);
		n++;
	}
	if (applied)
		*applied = n;
	return 0;
}

int db_fts_put(struct db *db, int64_t id, const char *pub, const char *priv, struct yw_err *err)
{
	ALLOC_GROW(db->fts, db->nfts + 1, db->fts_alloc);
	db->fts[db->nfts++] = (struct fts_put){ id, yw_strdup(pub), yw_strdup(priv) };
	return db->writing ? 0 : fts_flush(db, err);
}

/* The FTS5 query for the terms: every term, as a phrase, in the columns the caller may read. */
static char *fts_query(const struct tok_term *terms, size_t n, bool staff)
{
	struct strbuf q = STRBUF_INIT;

	if (!staff)
		strbuf_addstr(&q, "{pub} : (");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(&q, " AND ");
		/* terms hold only letters, digits and spaces, so quoting is safe */
		strbuf_addf(&q, "\"%s\"%s", terms[i].phrase, terms[i].prefix ? "*" : "");
	}
	if (!staff)
		strbuf_addch(&q, ')');
	return strbuf_detach(&q, NULL);
}

char *db_fts_condition(struct db *db, struct strbuf *sql, const char *id_expr,
		       const struct tok_term *terms, size_t n, bool staff)
{
	(void)db;
	strbuf_addf(sql, "%s IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?)", id_expr);
	return fts_query(terms, n, staff);
}

int db_fts_optimize(struct db *db, struct yw_err *err)
{
	return db_exec(db, "INSERT INTO ticket_fts(ticket_fts) VALUES ('optimize')", err);
}

const char *db_fts_from(struct db *db)
{
	(void)db;
	return "ticket_fts";
}

const char *db_fts_id(struct db *db)
{
	(void)db;
	return "ticket_fts.rowid";
}

char *db_fts_match(struct db *db, struct strbuf *sql, const struct tok_term *terms, size_t n, bool staff)
{
	(void)db;
	strbuf_addstr(sql, "ticket_fts MATCH ?");
	return fts_query(terms, n, staff);
}

int db_defer_checkpoints(struct db *db, struct yw_err *err)
{
	return db_exec(db, "PRAGMA wal_autocheckpoint = 0", err);
}

int db_trust_references(struct db *db, struct yw_err *err)
{
	return db_exec(db, "PRAGMA foreign_keys = OFF", err);
}

/*
 * A passive checkpoint copies what it can and never waits, but under a
 * steady stream of writes it never finds the log wholly copied with no
 * reader in it, so SQLite never starts the log over: it grew by every
 * page written (a gigabyte in ten seconds of ticket creation) and each
 * write went to new file space, which the kernel zeroes first. When the
 * log is past WAL_RESTART_FRAMES, the writers of this process are held
 * on the write lock while a RESTART checkpoint copies the few frames the
 * passive one left and waits for the readers (one request each) to
 * leave the log, so the next write starts it over, in file pages that
 * are already there. It waits for them at most WAL_RESTART_WAIT_MS: a
 * long read (a report) must not hold the writers; the next tick tries
 * again. journal_size_limit trims a log a burst left large.
 */
#define WAL_RESTART_FRAMES 4096
#define WAL_RESTART_WAIT_MS 20

int db_checkpoint(struct db *db, struct yw_err *err)
{
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);

	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return sql_error(db, rc, err, "checkpoint");
	if (rc == SQLITE_OK && log > WAL_RESTART_FRAMES) {
		pthread_mutex_lock(&write_lock);
		sqlite3_busy_timeout(db->h, WAL_RESTART_WAIT_MS);
		rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_RESTART, &log, &done);
		sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
		pthread_mutex_unlock(&write_lock);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			return sql_error(db, rc, err, "checkpoint");
	}
	return 0;
}
