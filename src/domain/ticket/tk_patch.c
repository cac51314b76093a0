/*
 * tk_patch.c - PATCH of a ticket: who may change which field, and the
 * history row of every field that changed.
 */
#include "../../core/yw.h"
#include "../../core/jx.h"
#include "../../core/strbuf.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "../account/perm.h"
#include "prio.h"
#include "tk_int.h"
#include "../sla/sla.h"

/* Which relation may change which fields; tables over branches. */
static const struct {
	unsigned bit;
	const char *field;
	unsigned who;
} patch_rules[] = {
	{ TKP_TITLE, "title", W_WORK },
	{ TKP_DESCRIPTION, "description", W_WORK },
	{ TKP_CATEGORY, "category_id", W_WORK },
	{ TKP_CHANNEL, "channel", W_WORK },
	{ TKP_IMPACT, "impact", W_WORK },
	{ TKP_URGENCY, "urgency", W_WORK },
	{ TKP_GROUP, "group_id", R_MGR | R_SUP },
	/* engineers may take a ticket; tk_check_assignee() says whom they may name */
	{ TKP_ASSIGNEE, "assignee_id", W_ASSIGN },
	{ TKP_FAULT_LEVEL, "fault_level", R_MGR | R_SUP },
	{ TKP_REGRADE_REASON, "regrade_reason", R_MGR | R_SUP },
};

static int check_values(struct db *db, const struct tk_row *t, const struct tk_patch *p, struct yw_err *err)
{
	int rc;

	if ((p->set & TKP_TITLE) &&
	    (!p->title || (rc = jx_check_str("title", p->title, strlen(p->title), 1, TK_TITLE_MAX, false, err))))
		return p->title ? rc : yw_errf(err, YW_EINVAL, "title", "title must not be null");
	if ((p->set & TKP_DESCRIPTION) && p->description &&
	    (rc = jx_check_str("description", p->description, strlen(p->description), 0, TK_TEXT_MAX, true, err)))
		return rc;
	if (p->set & TKP_CHANNEL) {
		bool ok = false;
		for (const char *const *c = tk_channels; p->channel && *c; c++)
			ok = ok || !strcmp(*c, p->channel);
		if (!ok)
			return yw_errf(err, YW_EINVAL, "channel",
				       "channel must be one of: phone, email, web, portal, monitoring, onsite");
	}
	if ((p->set & TKP_IMPACT) && (p->impact < 1 || p->impact > 3))
		return yw_errf(err, YW_EINVAL, "impact", "impact must be between 1 and 3");
	if ((p->set & TKP_URGENCY) && (p->urgency < 1 || p->urgency > 3))
		return yw_errf(err, YW_EINVAL, "urgency", "urgency must be between 1 and 3");
	if (p->set & TKP_FAULT_LEVEL) {
		if (!t->type->fault_level)
			return yw_errf(err, YW_EINVAL, "fault_level", "fault_level applies to incidents only");
		if (p->fault_level < 1 || p->fault_level > 3)
			return yw_errf(err, YW_EINVAL, "fault_level", "fault_level must be between 1 and 3");
		if (!(p->set & TKP_REGRADE_REASON) || !p->regrade_reason || !p->regrade_reason[0])
			return yw_errf(err, YW_EINVAL, "regrade_reason",
				       "regrade_reason is required to change the fault level");
		if ((rc = jx_check_str("regrade_reason", p->regrade_reason, strlen(p->regrade_reason), 1,
				       TK_NOTE_MAX, true, err)))
			return rc;
	} else if (p->set & TKP_REGRADE_REASON) {
		return yw_errf(err, YW_EINVAL, "regrade_reason", "regrade_reason goes with fault_level");
	}
	if (p->set & TKP_CATEGORY) {
		int64_t one;
		if (!p->category_id || db_queryint(db, &one, err, "SELECT 1 FROM categories WHERE id = ? AND active = 1",
						   "i", p->category_id))
			return yw_errf(err, YW_EINVAL, "category_id", "category_id names no active category");
	}
	if (p->set & TKP_GROUP) {
		int64_t one;
		if (!p->group_id || db_queryint(db, &one, err, "SELECT 1 FROM groups WHERE id = ?", "i", p->group_id))
			return yw_errf(err, YW_EINVAL, "group_id", "group_id names no group");
	}
	return 0;
}

static int hist_int(struct db *db, const struct tk_row *t, const struct yw_actor *a, const char *field,
		    int64_t old, int64_t new, const char *note, struct yw_err *err)
{
	char o[32], n[32];
	snprintf(o, sizeof(o), "%" PRId64, old);
	snprintf(n, sizeof(n), "%" PRId64, new);
	return tk_hist(db, t->id, a, field, old ? o : NULL, new ? n : NULL, note, err);
}

typedef void (*name_fn)(struct db *, int64_t, char *, size_t);

static int hist_ref(struct db *db, const struct tk_row *t, const struct yw_actor *a, const char *field,
		    int64_t old, int64_t new, name_fn fn, struct yw_err *err)
{
	char o[256], n[256];
	fn(db, old, o, sizeof(o));
	fn(db, new, n, sizeof(n));
	return tk_hist(db, t->id, a, field, o[0] ? o : NULL, n[0] ? n : NULL, NULL, err);
}

static void cat_name(struct db *db, int64_t id, char *buf, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	tk_cat_path(db, id, &sb);
	snprintf(buf, size, "%s", sb.buf);
	strbuf_release(&sb);
}

/*
 * Moving a request into a category that needs approval starts the
 * approval, exactly as creating it there does: the request waits for
 * approval with nobody assigned. Once resolved, nothing is left to
 * approve; one already waiting keeps waiting, for the new approver.
 */
static int approval_starts(struct db *db, const struct tk_row *t, int64_t cat, bool *starts, struct yw_err *err)
{
	int64_t needs = 0;
	int rc;

	*starts = false;
	if (cat == t->category_id || !t->type->approval || t->status == TS_PENDING_APPROVAL ||
	    t->status == TS_RESOLVED || tk_states[t->status].final)
		return 0;
	if ((rc = db_queryint(db, &needs, err, "SELECT requires_approval FROM categories WHERE id = ?", "i", cat)))
		return rc;
	*starts = needs != 0;
	return 0;
}

/* Who the change tells (tk_notify.c): a new assignee and the one it replaces, a new group's supervisor, the approvers. */
static int notify_patched(struct db *db, const struct yw_actor *a, const struct tk_row *t, const struct tk_row *now,
			  bool approval, struct yw_err *err)
{
	struct tk_notice n = { TN_ASSIGNED, now, t->assignee_id, NULL };
	struct strbuf path = STRBUF_INIT;
	char name[256];
	int rc = 0;

	if (now->assignee_id && now->assignee_id != t->assignee_id) {
		tk_user_name(db, now->assignee_id, name, sizeof(name));
		n.text = name;
		rc = tk_notify(db, a, &n, err);
	} else if (!now->assignee_id && now->group_id != t->group_id && !approval) {
		tk_group_name(db, now->group_id, name, sizeof(name));
		n.ev = TN_GROUP;
		n.text = name;
		rc = tk_notify(db, a, &n, err);
	}
	if (!rc && approval) {
		tk_cat_path(db, now->category_id, &path);
		n.ev = TN_APPROVAL;
		n.text = path.buf;
		rc = tk_notify(db, a, &n, err);
	}
	strbuf_release(&path);
	return rc;
}

static bool str_changed(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") != 0;
}

int tk_update(struct db *db, const struct yw_actor *a, int64_t id, int64_t version,
	      const struct tk_patch *p, struct yw_err *err)
{
	struct tk_row t;
	int64_t now = yw_now(), group, assignee, cat, impact, urgency, fault;
	const char *title, *desc, *channel;
	enum tk_status status;
	struct tk_row after;
	unsigned rel;
	bool approval;
	int prio, rc, nchanged = 0;

	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = tk_load(db, a, id, &t, err)))
		goto fail_norow;
	if ((rc = perm_request(db, a, P_TICKET_UPDATE, id, err)))
		goto fail;
	if (t.version != version) {
		rc = yw_errf(err, YW_ESTALE, "If-Match", "the ticket was changed (now version %" PRId64
			     "); reload it and apply your change again", t.version);
		goto fail;
	}
	if (tk_states[t.status].final) {
		rc = yw_errf(err, YW_ESTATE, "status", "a ticket in status %s cannot be changed", tk_states[t.status].name);
		goto fail;
	}
	if (!p->set) {
		rc = yw_errf(err, YW_EINVAL, "", "nothing to change: send at least one field");
		goto fail;
	}
	rel = tk_rel(db, a, &t);
	for (size_t i = 0; i < ARRAY_SIZE(patch_rules); i++) {
		if ((p->set & patch_rules[i].bit) && !(rel & patch_rules[i].who)) {
			rc = yw_errf(err, YW_EPERM, patch_rules[i].field, "you may not change %s of this ticket",
				     patch_rules[i].field);
			goto fail;
		}
	}
	if ((rc = check_values(db, &t, p, err)))
		goto fail;

	title = p->set & TKP_TITLE ? p->title : t.title;
	desc = p->set & TKP_DESCRIPTION ? (p->description ? p->description : "") : t.description;
	channel = p->set & TKP_CHANNEL ? p->channel : t.channel;
	cat = p->set & TKP_CATEGORY ? p->category_id : t.category_id;
	impact = p->set & TKP_IMPACT ? p->impact : t.impact;
	urgency = p->set & TKP_URGENCY ? p->urgency : t.urgency;
	fault = p->set & TKP_FAULT_LEVEL ? p->fault_level : t.fault_level;
	group = p->set & TKP_GROUP ? p->group_id : t.group_id;
	assignee = p->set & TKP_ASSIGNEE ? p->assignee_id : t.assignee_id;
	status = t.status;

	if ((p->set & TKP_ASSIGNEE) && !(p->set & TKP_GROUP) && (rel & (R_MGR | R_SUP)) && assignee != t.assignee_id &&
	    (rc = tk_follow_assignee(db, assignee, &group, err)))
		goto fail;
	if ((p->set & TKP_ASSIGNEE) && assignee && assignee != t.assignee_id &&
	    (rc = tk_check_assignee(db, a, rel, group, assignee, err)))
		goto fail;
	if ((p->set & TKP_ASSIGNEE) && !assignee && t.assignee_id) {
		if (t.status != TS_REOPENED && t.status != TS_APPROVED && t.status != TS_NEW) {
			rc = yw_errf(err, YW_EINVAL, "assignee_id",
				     "a ticket being worked keeps an assignee; name another one instead");
			goto fail;
		}
		if (!(rel & (R_MGR | R_SUP | R_ASSIGNEE))) {
			rc = yw_errf(err, YW_EPERM, "assignee_id", "you may not unassign this ticket");
			goto fail;
		}
	}
	if (group != t.group_id && assignee && assignee == t.assignee_id &&
	    !acct_in_group(db, assignee, group)) {
		rc = yw_errf(err, YW_EINVAL, "assignee_id",
			     "the assignee is not a member of the new group; name a new assignee_id");
		goto fail;
	}
	if (assignee && !t.assignee_id && t.status == TS_PENDING_APPROVAL) {
		rc = yw_errf(err, YW_ESTATE, "assignee_id", "a request is assigned after it is approved");
		goto fail;
	}
	if (assignee && (t.status == TS_NEW || t.status == TS_APPROVED || t.status == TS_REOPENED))
		status = TS_ASSIGNED;
	if ((rc = approval_starts(db, &t, cat, &approval, err)))
		goto fail;
	if (approval && (p->set & TKP_ASSIGNEE) && p->assignee_id) {
		rc = yw_errf(err, YW_EINVAL, "assignee_id", "a request that needs approval is assigned after it is approved");
		goto fail;
	}
	if (approval) {
		status = TS_PENDING_APPROVAL;
		assignee = 0;
	}
	if ((rc = prio_of(db, (int)impact, (int)urgency, &prio, err)))
		goto fail;

	/* history: one row per field that really changed */
#define CHANGED(cond, call) do { if (cond) { nchanged++; if ((rc = (call))) goto fail; } } while (0)
	CHANGED(str_changed(title, t.title), tk_hist(db, id, a, "title", t.title, title, NULL, err));
	CHANGED(str_changed(desc, t.description), tk_hist(db, id, a, "description", NULL, NULL, NULL, err));
	CHANGED(cat != t.category_id, hist_ref(db, &t, a, "category", t.category_id, cat, cat_name, err));
	CHANGED(str_changed(channel, t.channel), tk_hist(db, id, a, "channel", t.channel, channel, NULL, err));
	CHANGED(impact != t.impact, hist_int(db, &t, a, "impact", t.impact, impact, NULL, err));
	CHANGED(urgency != t.urgency, hist_int(db, &t, a, "urgency", t.urgency, urgency, NULL, err));
	CHANGED(prio != t.priority, tk_hist(db, id, a, "priority", prio_name((int)t.priority), prio_name(prio), NULL, err));
	CHANGED(fault != t.fault_level, hist_int(db, &t, a, "fault_level", t.fault_level, fault, p->regrade_reason, err));
	CHANGED(group != t.group_id, hist_ref(db, &t, a, "group", t.group_id, group, tk_group_name, err));
	CHANGED(assignee != t.assignee_id, hist_ref(db, &t, a, "assignee", t.assignee_id, assignee, tk_user_name, err));
	CHANGED(status != t.status, tk_hist(db, id, a, "status", tk_states[t.status].name, tk_states[status].name, NULL, err));
#undef CHANGED
	if (!nchanged) {
		/* nothing differs: no new version, no history */
		tk_row_release(&t);
		db_rollback(db);
		return 0;
	}
	rc = db_execf(db, err,
		      "UPDATE tickets SET title = ?, description = ?, category_id = ?, channel = ?, impact = ?,"
		      " urgency = ?, priority = ?, fault_level = ?, group_id = ?, assignee_id = ?, status = ?,"
		      " assigned_at = CASE WHEN ? = 1 THEN ? ELSE assigned_at END, updated_at = ?, version = version + 1"
		      " WHERE id = ?",
		      "ssdsiiidddsiiii", title, desc, cat, channel, impact, urgency, (int64_t)prio, fault, group,
		      assignee, tk_states[status].name, (int64_t)(assignee && assignee != t.assignee_id), now,
		      now, id);
	if (rc || (rc = tk_fts_mark(db, id, err)))
		goto fail;
	after = t;   /* shares t's texts: read only */
	after.category_id = cat;
	after.group_id = group;
	after.assignee_id = assignee;
	after.status = status;
	after.title = (char *)title;
	if ((rc = notify_patched(db, a, &t, &after, approval, err)))
		goto fail;
	/* SLA hook (sla.h): the clocks follow a status the change made, then re-target if what the ticket matches changed */
	if (approval && (rc = sla_ticket_moved(db, a, id, tk_states[t.status].name, tk_states[status].name, err)))
		goto fail;
	if ((rc = sla_ticket_changed(db, a, id, err)))
		goto fail;
	tk_row_release(&t);
	return sla_commit(db, err);
fail:
	tk_row_release(&t);
fail_norow:
	db_rollback(db);
	return rc;
}
