/*
 * tk_assign.c - whom the caller may assign a ticket to: the people the
 * assign control offers, grouped by support group, the ticket's own
 * group first. It offers exactly whom PATCH assignee_id accepts from the
 * caller (tk_check_assignee, and the move to the assignee's group that
 * tk_update makes for a supervisor or manager).
 */
#include "../../core/yw.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "../account/perm.h"
#include "tk_int.h"

int tk_assignees_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err)
{
	static const char sql[] =
		"SELECT g.id, g.name, u.id, u.display_name, u.login FROM group_members m"
		" JOIN groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id"
		" WHERE u.disabled = 0 AND u.role <> 'customer' AND (? = 0 OR g.id = ?) AND (? = 0 OR u.id = ?)"
		" ORDER BY g.id <> ?, g.id, u.id";
	struct tk_row t;
	struct db_stmt *st;
	json_t *groups, *members = NULL;
	int64_t only_group = 0, only_user = 0, last = 0;
	unsigned rel;
	int rc;

	/* the same row as PATCH, whose assignee_id this lists */
	if ((rc = perm_request(db, a, P_TICKET_UPDATE, id, err)) || (rc = tk_load(db, a, id, &t, err)))
		return rc;
	rel = tk_rel(db, a, &t);
	tk_row_release(&t);
	groups = json_array();
	/* nobody is assigned a closed ticket, nor a request before its approval */
	if (tk_states[t.status].final || t.status == TS_PENDING_APPROVAL || !(rel & W_ASSIGN))
		goto done;
	if (!(rel & (R_MGR | R_SUP))) {
		/* an engineer takes a ticket of his group himself */
		only_group = t.group_id;
		only_user = a->user_id;
	}
	if ((rc = db_prepare(db, sql, &st, err))) {
		json_decref(groups);
		return rc;
	}
	db_bind_int(st, 1, only_group);
	db_bind_int(st, 2, only_group);
	db_bind_int(st, 3, only_user);
	db_bind_int(st, 4, only_user);
	db_bind_int(st, 5, t.group_id);
	while ((rc = db_step(st, err)) == DB_ROW) {
		if (db_col_int(st, 0) != last) {
			last = db_col_int(st, 0);
			members = json_array();
			json_array_append_new(groups, json_pack("{s:I, s:s, s:o}", "id", (json_int_t)last,
								"name", db_col_text(st, 1), "members", members));
		}
		json_array_append_new(members, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_col_int(st, 2),
							 "name", db_col_text(st, 3), "login", db_col_text(st, 4)));
	}
	db_done(st);
	if (rc < 0) {
		json_decref(groups);
		return rc;
	}
done:
	*out = json_pack("{s:o}", "groups", groups);
	return 0;
}
