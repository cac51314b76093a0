/* prio.c - the priority matrix (see prio.h). */
#include "../../core/yw.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "prio.h"
#include "../account/perm.h"

const int prio_default_matrix[3][3] = {
	{ 1, 2, 3 },
	{ 2, 3, 4 },
	{ 3, 4, 4 },
};

static const char *const prio_names[] = { NULL, "P1", "P2", "P3", "P4" };

const char *prio_name(int prio)
{
	return prio >= 1 && prio <= 4 ? prio_names[prio] : NULL;
}

int prio_parse(const char *s)
{
	if (s && (s[0] == 'P' || s[0] == 'p') && s[1] >= '1' && s[1] <= '4' && !s[2])
		return s[1] - '0';
	return 0;
}

int prio_fault_level(int prio)
{
	static const int level[] = { 3, 1, 2, 3, 3 };
	return prio >= 1 && prio <= 4 ? level[prio] : 3;
}

int prio_of(struct db *db, int impact, int urgency, int *prio, struct yw_err *err)
{
	int64_t p;
	int rc;

	if (impact < 1 || impact > 3)
		return yw_errf(err, YW_EINVAL, "impact", "impact must be between 1 and 3");
	if (urgency < 1 || urgency > 3)
		return yw_errf(err, YW_EINVAL, "urgency", "urgency must be between 1 and 3");
	rc = db_queryint(db, &p, err, "SELECT priority FROM priority_matrix WHERE impact = ? AND urgency = ?",
			 "ii", (int64_t)impact, (int64_t)urgency);
	if (rc == YW_ENOTFOUND) {
		/* a row deleted by hand: fall back to the shipped default */
		THIS_SHOULD_NEVER_HAPPEN;
		p = prio_default_matrix[impact - 1][urgency - 1];
		rc = 0;
	}
	if (!rc)
		*prio = (int)p;
	return rc;
}

int prio_matrix_get(struct db *db, int m[3][3], struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	memcpy(m, prio_default_matrix, sizeof(prio_default_matrix));
	if ((rc = db_prepare(db, "SELECT impact, urgency, priority FROM priority_matrix", &st, err)))
		return rc;
	while ((rc = db_step(st, err)) == DB_ROW) {
		int64_t i = db_col_int(st, 0), u = db_col_int(st, 1);
		if (i >= 1 && i <= 3 && u >= 1 && u <= 3)
			m[i - 1][u - 1] = (int)db_col_int(st, 2);
	}
	db_done(st);
	return rc < 0 ? rc : 0;
}

static json_t *matrix_json(const int m[3][3])
{
	json_t *rows = json_array();
	for (int i = 0; i < 3; i++)
		json_array_append_new(rows, json_pack("[i,i,i]", m[i][0], m[i][1], m[i][2]));
	return rows;
}

int prio_matrix_set(struct db *db, const struct yw_actor *a, const int m[3][3], struct yw_err *err)
{
	int old[3][3];
	json_t *detail;
	int rc;

	if ((rc = perm_check(a, P_PRIORITY_MATRIX_UPDATE, NULL, err)))
		return rc;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if (m[i][j] < 1 || m[i][j] > 4) {
				char f[32];
				snprintf(f, sizeof(f), "matrix[%d][%d]", i, j);
				return yw_errf(err, YW_EINVAL, f, "%s must be a priority between 1 and 4", f);
			}
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = prio_matrix_get(db, old, err)))
		goto fail;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			if ((rc = db_execf(db, err, "INSERT INTO priority_matrix(impact, urgency, priority) VALUES (?, ?, ?)"
					   " ON CONFLICT(impact, urgency) DO UPDATE SET priority = excluded.priority",
					   "iii", (int64_t)i + 1, (int64_t)j + 1, (int64_t)m[i][j])))
				goto fail;
	detail = json_pack("{s:o, s:o}", "old", matrix_json((const int (*)[3])old), "new", matrix_json(m));
	rc = acct_audit(db, a, "priority_matrix.update", "priority_matrix", 0, detail, err);
	json_decref(detail);
	if (rc)
		goto fail;
	return db_commit(db, err);
fail:
	db_rollback(db);
	return rc;
}
