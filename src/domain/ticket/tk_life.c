/*
 * tk_life.c - the ticket life cycle: one table of from -> to, who may
 * take the step and what it needs, and the one function that takes it.
 */
#include "../../core/yw.h"
#include "../../core/jw.h"
#include "../../core/jx.h"
#include "../../core/strbuf.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "../account/perm.h"
#include "tk_int.h"
#include "../sla/sla.h"

const struct tk_state tk_states[TS_COUNT] = {
	[TS_NEW] = { "new", NULL, false },
	[TS_PENDING_APPROVAL] = { "pending_approval", NULL, false },
	[TS_APPROVED] = { "approved", "approved_at", false },
	[TS_REJECTED] = { "rejected", "rejected_at", true },
	[TS_ASSIGNED] = { "assigned", "assigned_at", false },
	[TS_IN_PROGRESS] = { "in_progress", "in_progress_at", false },
	[TS_PENDING] = { "pending", "pending_at", false },
	[TS_RESOLVED] = { "resolved", "resolved_at", false },
	[TS_CLOSED] = { "closed", "closed_at", true },
	[TS_REOPENED] = { "reopened", "reopened_at", false },
	[TS_CANCELLED] = { "cancelled", "cancelled_at", true },
};

const char *const tk_status_names[] = {
	"new", "pending_approval", "approved", "rejected", "assigned", "in_progress", "pending",
	"resolved", "closed", "reopened", "cancelled", NULL
};

int tk_status_parse(const char *s)
{
	for (int i = 0; s && i < TS_COUNT; i++)
		if (tk_states[i].name[0] == s[0] && !strcmp(tk_states[i].name, s))
			return i;
	return -1;
}

/*
 * The life cycle. who: any of these relations may take the step (W_WORK:
 * the assignee, members and supervisor of the group, managers; W_ASSIGN:
 * supervisor or manager, or a member taking it himself). A customer may
 * cancel only before work starts, and confirm or reopen a resolution.
 */
const struct tk_rule tk_rules[] = {
	{ TS_NEW, TS_PENDING_APPROVAL, 0, N_CREATION },
	{ TS_NEW, TS_ASSIGNED, W_ASSIGN, N_ASSIGNEE },
	{ TS_NEW, TS_CANCELLED, W_WORK | R_CUSTOMER, 0 },
	{ TS_PENDING_APPROVAL, TS_APPROVED, R_MGR | R_APPROVER, 0 },
	{ TS_PENDING_APPROVAL, TS_REJECTED, R_MGR | R_APPROVER, N_NOTE },
	{ TS_PENDING_APPROVAL, TS_CANCELLED, W_WORK | R_CUSTOMER, 0 },
	{ TS_APPROVED, TS_ASSIGNED, W_ASSIGN, N_ASSIGNEE },
	{ TS_APPROVED, TS_CANCELLED, W_WORK, 0 },
	{ TS_ASSIGNED, TS_IN_PROGRESS, R_MGR | R_SUP | R_ASSIGNEE, 0 },
	{ TS_ASSIGNED, TS_CANCELLED, W_WORK, 0 },
	{ TS_IN_PROGRESS, TS_PENDING, W_WORK, N_NOTE },
	{ TS_IN_PROGRESS, TS_RESOLVED, W_WORK, N_RESOLUTION },
	{ TS_IN_PROGRESS, TS_CANCELLED, W_WORK, 0 },
	{ TS_PENDING, TS_IN_PROGRESS, W_WORK, 0 },
	{ TS_PENDING, TS_CANCELLED, W_WORK, 0 },
	{ TS_RESOLVED, TS_CLOSED, W_WORK | R_CUSTOMER, 0 },
	{ TS_RESOLVED, TS_REOPENED, W_WORK | R_CUSTOMER, N_NOTE },
	{ TS_REOPENED, TS_ASSIGNED, W_ASSIGN, N_ASSIGNEE },
	{ TS_REOPENED, TS_IN_PROGRESS, W_WORK, N_HAS_ASSIGNEE },
	{ TS_REOPENED, TS_CANCELLED, W_WORK, 0 },
};
const size_t tk_nrules = ARRAY_SIZE(tk_rules);

const struct tk_rule *tk_rule_find(enum tk_status from, enum tk_status to)
{
	for (size_t i = 0; i < tk_nrules; i++)
		if (tk_rules[i].from == from && tk_rules[i].to == to)
			return &tk_rules[i];
	return NULL;
}

bool tk_rule_allows(const struct tk_rule *r, unsigned rel, bool has_assignee)
{
	if (r->needs & N_CREATION)
		return false;
	if ((r->needs & N_HAS_ASSIGNEE) && !has_assignee)
		return false;
	return (r->who & rel) != 0;
}

static bool allowed(size_t i, const struct tk_row *t, unsigned rel)
{
	return tk_rules[i].from == t->status && tk_rule_allows(&tk_rules[i], rel, t->assignee_id != 0);
}

json_t *tk_allowed_json(const struct tk_row *t, unsigned rel)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < tk_nrules; i++)
		if (allowed(i, t, rel))
			json_array_append_new(arr, json_string(tk_states[tk_rules[i].to].name));
	return arr;
}

void tk_allowed_write(struct jw *w, const struct tk_row *t, unsigned rel)
{
	jw_arr(w);
	for (size_t i = 0; i < tk_nrules; i++)
		if (allowed(i, t, rel))
			jw_str(w, tk_states[tk_rules[i].to].name);
	jw_end_arr(w);
}

static json_t *requires_json(const struct tk_rule *r)
{
	json_t *req = json_array();
	if (r->needs & N_NOTE)
		json_array_append_new(req, json_string("note"));
	if (r->needs & N_RESOLUTION)
		json_array_append_new(req, json_string("resolution_code"));
	if (r->needs & N_ASSIGNEE)
		json_array_append_new(req, json_string("assignee_id"));
	return req;
}

int tk_transitions_json(struct db *db, const struct yw_actor *a, int64_t id, json_t **out,
			struct yw_err *err)
{
	struct tk_row t;
	unsigned rel;
	json_t *items;
	int rc;

	if ((rc = tk_load(db, a, id, &t, err)))
		return rc;
	rel = tk_rel(db, a, &t);
	items = json_array();
	for (size_t i = 0; i < tk_nrules; i++) {
		const struct tk_rule *r = &tk_rules[i];
		if (r->from == t.status && tk_rule_allows(r, rel, t.assignee_id != 0))
			json_array_append_new(items, json_pack("{s:s, s:o}", "to", tk_states[r->to].name,
							       "requires", requires_json(r)));
	}
	*out = json_pack("{s:s, s:o}", "status", tk_states[t.status].name, "items", items);
	tk_row_release(&t);
	return 0;
}

static int check_move(const struct tk_move *m, enum tk_status to, struct yw_err *err)
{
	int rc;

	if (m->note && (rc = jx_check_str("note", m->note, strlen(m->note), 0, TK_NOTE_MAX, true, err)))
		return rc;
	if (m->resolution_notes && (rc = jx_check_str("resolution_notes", m->resolution_notes,
						      strlen(m->resolution_notes), 0, TK_TEXT_MAX, true, err)))
		return rc;
	if (m->resolution_code) {
		bool ok = false;
		for (const char *const *c = tk_resolution_codes; *c; c++)
			ok = ok || !strcmp(*c, m->resolution_code);
		if (!ok)
			return yw_errf(err, YW_EINVAL, "resolution_code",
				       "resolution_code must be one of: fixed, workaround, no_fault_found, duplicate,"
				       " user_error, vendor_fixed, cancelled_by_user");
		if (to != TS_RESOLVED)
			return yw_errf(err, YW_EINVAL, "resolution_code", "resolution_code goes with a move to resolved");
	}
	if (m->resolution_notes && to != TS_RESOLVED)
		return yw_errf(err, YW_EINVAL, "resolution_notes", "resolution_notes go with a move to resolved");
	if (m->assignee_id && to != TS_ASSIGNED)
		return yw_errf(err, YW_EINVAL, "assignee_id", "assignee_id goes with a move to assigned");
	return 0;
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	while (*s && isspace((unsigned char)*s))
		s++;
	return !*s;
}

/*
 * Who a step tells (tk_notify.c): a new assignee (and the one it
 * replaces), the requester of a resolution, the people working a
 * reopened ticket. t is the ticket before the step.
 */
static int notify_moved(struct db *db, const struct yw_actor *a, const struct tk_row *t, enum tk_status to,
			int64_t assignee, int64_t group, const struct tk_move *m, struct yw_err *err)
{
	struct tk_row now = *t;   /* shares t's texts: read only */
	struct tk_notice n = { TN_ASSIGNED, &now, t->assignee_id, NULL };
	char name[256];
	int rc;

	now.status = to;
	now.assignee_id = assignee;
	now.group_id = group;
	if (assignee && assignee != t->assignee_id) {
		tk_user_name(db, assignee, name, sizeof(name));
		n.text = name;
		if ((rc = tk_notify(db, a, &n, err)))
			return rc;
	}
	if (to != TS_RESOLVED && to != TS_REOPENED)
		return 0;
	n.ev = to == TS_RESOLVED ? TN_RESOLVED : TN_REOPENED;
	n.text = m->note;
	return tk_notify(db, a, &n, err);
}

int tk_transition(struct db *db, const struct yw_actor *a, int64_t id, const struct tk_move *m,
		  struct yw_err *err)
{
	const struct tk_rule *r;
	struct tk_row t;
	struct strbuf sql = STRBUF_INIT;
	int64_t now = yw_now(), assignee, group;
	unsigned rel;
	int to, rc;
	char name[256];

	if (!m->to)
		return yw_errf(err, YW_EINVAL, "to", "to is required");
	if ((to = tk_status_parse(m->to)) < 0)
		return yw_errf(err, YW_EINVAL, "to", "to must be a status: new, pending_approval, approved,"
			       " rejected, assigned, in_progress, pending, resolved, closed, reopened, cancelled");
	if ((rc = check_move(m, to, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = tk_load(db, a, id, &t, err)))
		goto fail_norow;
	if ((rc = perm_request(db, a, P_TICKET_TRANSITION, id, err)))
		goto fail;
	if (m->version && m->version != t.version) {
		rc = yw_errf(err, YW_ESTALE, "If-Match", "the ticket was changed (now version %" PRId64
			     "); reload it and try again", t.version);
		goto fail;
	}
	rel = tk_rel(db, a, &t);
	r = tk_rule_find(t.status, to);
	if (!r || !tk_rule_allows(r, rel, t.assignee_id != 0)) {
		/* a step that exists but is not the caller's is forbidden; one that does not exist is a conflict */
		bool exists = r && !(r->needs & N_CREATION) &&
			      !((r->needs & N_HAS_ASSIGNEE) && !t.assignee_id);
		rc = yw_errf(err, exists ? YW_EPERM : YW_ESTATE, "to", exists ?
			     "you may not move this ticket from %s to %s" : "a ticket in status %s cannot move to %s",
			     tk_states[t.status].name, tk_states[to].name);
		err->detail = json_pack("{s:o}", "allowed", tk_allowed_json(&t, rel));
		goto fail;
	}
	if ((r->needs & N_NOTE) && blank(m->note)) {
		rc = yw_errf(err, YW_EINVAL, "note", "note is required to move a ticket to %s", tk_states[to].name);
		goto fail;
	}
	if ((r->needs & N_RESOLUTION) && !m->resolution_code) {
		rc = yw_errf(err, YW_EINVAL, "resolution_code", "resolution_code is required to resolve a ticket");
		goto fail;
	}
	assignee = t.assignee_id;
	group = t.group_id;
	if (r->needs & N_ASSIGNEE) {
		if (m->assignee_id) {
			/* someone of another group takes the ticket there, when the caller may move it */
			if (m->assignee_id != t.assignee_id && (rel & (R_MGR | R_SUP)) &&
			    (rc = tk_follow_assignee(db, m->assignee_id, &group, err)))
				goto fail;
			if (m->assignee_id != t.assignee_id &&
			    (rc = tk_check_assignee(db, a, rel, group, m->assignee_id, err)))
				goto fail;
			assignee = m->assignee_id;
		} else if (!assignee) {
			rc = yw_errf(err, YW_EINVAL, "assignee_id", "assignee_id is required to assign a ticket");
			goto fail;
		}
	}

	/* the milestone columns come from the status table, never from input */
	strbuf_addstr(&sql, "UPDATE tickets SET status = ?, updated_at = ?, version = version + 1,"
		      " assignee_id = ?, group_id = ?");
	if (tk_states[to].at_col)
		strbuf_addf(&sql, ", %s = ?", tk_states[to].at_col);
	if (to == TS_IN_PROGRESS)
		strbuf_addstr(&sql, ", first_response_at = COALESCE(first_response_at, ?)");
	if (to == TS_REOPENED)
		strbuf_addstr(&sql, ", reopen_count = reopen_count + 1");
	if (to == TS_RESOLVED)
		strbuf_addstr(&sql, ", resolution_code = ?, resolution_notes = ?");
	strbuf_addstr(&sql, " WHERE id = ?");
	{
		struct db_stmt *st;
		int i = 1;
		if ((rc = db_prepare(db, sql.buf, &st, err)))
			goto fail;
		db_bind_text(st, i++, tk_states[to].name);
		db_bind_int(st, i++, now);
		db_bind_id(st, i++, assignee);
		db_bind_id(st, i++, group);
		if (tk_states[to].at_col)
			db_bind_int(st, i++, now);
		if (to == TS_IN_PROGRESS)
			db_bind_int(st, i++, now);
		if (to == TS_RESOLVED) {
			db_bind_text(st, i++, m->resolution_code);
			db_bind_text(st, i++, blank(m->resolution_notes) ? NULL : m->resolution_notes);
		}
		db_bind_int(st, i, id);
		rc = db_step(st, err);
		db_done(st);
		if (rc < 0)
			goto fail;
		rc = 0;
	}
	if ((rc = tk_hist(db, id, a, "status", tk_states[t.status].name, tk_states[to].name,
			  blank(m->note) ? NULL : m->note, err)))
		goto fail;
	if (group != t.group_id) {
		char old[256];
		tk_group_name(db, t.group_id, old, sizeof(old));
		tk_group_name(db, group, name, sizeof(name));
		if ((rc = tk_hist(db, id, a, "group", old[0] ? old : NULL, name, NULL, err)))
			goto fail;
	}
	if (assignee != t.assignee_id) {
		char old[256];
		tk_user_name(db, t.assignee_id, old, sizeof(old));
		tk_user_name(db, assignee, name, sizeof(name));
		if ((rc = tk_hist(db, id, a, "assignee", old[0] ? old : NULL, name, NULL, err)))
			goto fail;
	}
	if (to == TS_RESOLVED &&
	    ((rc = tk_hist(db, id, a, "resolution_code", t.resolution_code, m->resolution_code, NULL, err)) ||
	     (!blank(m->resolution_notes) &&
	      (rc = tk_hist(db, id, a, "resolution_notes", NULL, m->resolution_notes, NULL, err)))))
		goto fail;
	if ((rc = notify_moved(db, a, &t, to, assignee, group, m, err)))
		goto fail;
	/* SLA hook (sla.h): stop, pause, resume or restart the clocks */
	if ((rc = sla_ticket_moved(db, a, id, tk_states[t.status].name, tk_states[to].name, err)) ||
	    (group != t.group_id && (rc = sla_ticket_changed(db, a, id, err))))
		goto fail;
	strbuf_release(&sql);
	tk_row_release(&t);
	return sla_commit(db, err);
fail:
	tk_row_release(&t);
fail_norow:
	strbuf_release(&sql);
	db_rollback(db);
	return rc;
}
