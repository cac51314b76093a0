/*
 * lease.c - named leases in the job_leases table (migration 0013), in
 * SQL that SQLite and PostgreSQL both run.
 */
#include "../core/yw.h"
#include "db.h"

static int lease_read(struct db *db, struct db_lease *l, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT holder, expires_at FROM job_leases WHERE name = ?", &st, err)))
		return rc;
	db_bind_text(st, 1, l->name);
	rc = db_step(st, err);
	if (rc == DB_ROW) {
		snprintf(l->other, sizeof(l->other), "%s", db_col_text(st, 0));
		l->other_until = db_col_int(st, 1);
		rc = 0;
	}
	db_done(st);
	return rc;
}

int db_lease_claim(struct db *db, struct db_lease *l, struct yw_err *err)
{
	int rc;

	l->held = false;
	l->other[0] = '\0';
	l->other_until = 0;
	if ((rc = db_begin(db, err)))
		return rc;
	rc = db_execf(db, err, "INSERT INTO job_leases(name, holder, expires_at) VALUES (?, '', 0) "
			       "ON CONFLICT (name) DO NOTHING", "s", l->name);
	if (!rc)
		rc = db_execf(db, err, "UPDATE job_leases SET holder = ?, expires_at = ? WHERE name = ? "
				       "AND (expires_at < ? OR holder = ? OR holder = ?)", "sisiss",
			      l->holder, l->until, l->name, l->now, l->holder, l->stale);
	if (!rc && !(l->held = db_changes(db) == 1))
		rc = lease_read(db, l, err);
	if (rc) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, err);
}

int db_lease_release(struct db *db, const char *name, const char *holder, struct yw_err *err)
{
	int rc;

	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = db_execf(db, err, "UPDATE job_leases SET expires_at = 0 WHERE name = ? AND holder = ?", "ss",
			   name, holder))) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db, err);
}
