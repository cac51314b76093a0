/*
 * tk_core.c - tickets: the type table, loading a ticket, who the caller
 * is to it, creating, reading and patching, history and the search index.
 */
#include "../../core/yw.h"
#include "../../core/jw.h"
#include "../../core/jx.h"
#include "../../core/strbuf.h"
#include "../../core/tok.h"
#include "../../core/utf8.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "../account/perm.h"
#include "../directory/dir.h"
#include "prio.h"
#include "../sla/sla.h"
#include "tk_int.h"
#include <stdatomic.h>

const struct tk_type tk_types[] = {
	/* name       prefix fault_level approval */
	{ "incident", "INC", true, false },
	{ "request", "REQ", false, true },
	{ NULL, NULL, false, false },
};

const char *const tk_type_names[] = { "incident", "request", NULL };
const char *const tk_channels[] = { "phone", "email", "web", "portal", "monitoring", "onsite", NULL };
const char *const tk_resolution_codes[] = {
	"fixed", "workaround", "no_fault_found", "duplicate", "user_error", "vendor_fixed",
	"cancelled_by_user", NULL
};

const struct tk_type *tk_type_find(const char *name)
{
	for (const struct tk_type *t = tk_types; name && t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

static bool in_list(const char *const *list, const char *s)
{
	for (; s && *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

#define TK_MILESTONES(X)                                                                   \
	X(assigned_at) X(first_response_at) X(in_progress_at) X(pending_at) X(approved_at) \
	X(rejected_at) X(resolved_at) X(closed_at) X(cancelled_at) X(reopened_at)
#define MS_NAME(m) #m,
#define MS_KEY(m) { "\"" #m "\":", sizeof("\"" #m "\":") - 1 },

const char *const tk_milestones[TK_NMS] = { TK_MILESTONES(MS_NAME) };

/* The same names as JSON keys, for jw_key_quoted() */
static const struct {
	const char *text;
	size_t len;
} ms_keys[TK_NMS] = { TK_MILESTONES(MS_KEY) };


static char *dup_or_null(const char *s)
{
	return s ? yw_strdup(s) : NULL;
}

void tk_row_read(struct db_stmt *st, struct tk_row *t)
{
	memset(t, 0, sizeof(*t));
	t->id = db_col_int(st, 0);
	const char *number = db_col_text(st, 1);
	size_t len = number ? strnlen(number, sizeof(t->number) - 1) : 0;
	if (len)
		memcpy(t->number, number, len);
	t->number[len] = '\0';
	t->type = tk_type_find(db_col_text(st, 2));
	if (!t->type) {
		THIS_SHOULD_NEVER_HAPPEN;
		t->type = &tk_types[0];
	}
	int s = tk_status_parse(db_col_text(st, 3));
	t->status = s < 0 ? TS_NEW : (enum tk_status)s;
	t->title = dup_or_null(db_col_text(st, 4));
	t->description = dup_or_null(db_col_text(st, 5));
	t->category_id = db_col_int(st, 6);
	t->channel = dup_or_null(db_col_text(st, 7));
	t->requester_id = db_col_int(st, 8);
	t->org_id = db_col_int(st, 9);
	t->impact = db_col_int(st, 10);
	t->urgency = db_col_int(st, 11);
	t->priority = db_col_int(st, 12);
	t->fault_level = db_col_int(st, 13);
	t->group_id = db_col_int(st, 14);
	t->assignee_id = db_col_int(st, 15);
	t->resolution_code = dup_or_null(db_col_text(st, 16));
	t->resolution_notes = dup_or_null(db_col_text(st, 17));
	t->created_by = db_col_int(st, 18);
	t->created_at = db_col_int(st, 19);
	t->updated_at = db_col_int(st, 20);
	t->reopen_count = db_col_int(st, 21);
	t->version = db_col_int(st, 22);
	for (int i = 0; i < TK_NMS; i++)
		t->ms[i] = db_col_int(st, 23 + i);
	t->link_count = db_col_int(st, 23 + TK_NMS);
	t->coordination_count = db_col_int(st, 24 + TK_NMS);
}

void tk_row_release(struct tk_row *t)
{
	FREE_AND_NULL(t->title);
	FREE_AND_NULL(t->description);
	FREE_AND_NULL(t->channel);
	FREE_AND_NULL(t->resolution_code);
	FREE_AND_NULL(t->resolution_notes);
}

bool tk_can_see(const struct yw_actor *a, int64_t org_id)
{
	struct perm_facts f = { .org_id = org_id };

	/* the read row's scopes are "any" and "own organisation": the organisation is enough */
	return perm_allows(a, P_TICKET_READ, &f);
}

int tk_load(struct db *db, const struct yw_actor *a, int64_t id, struct tk_row *t, struct yw_err *err)
{
	static const char sql[] = "SELECT " TK_ROW_COLS " FROM " TK_ROW_FROM " WHERE t.id = ?";
	struct db_stmt *st;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((rc = db_prepare(db, sql, &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	rc = db_step(st, err);
	if (rc == DB_ROW)
		tk_row_read(st, t);
	db_done(st);
	if (rc < 0)
		return rc;
	if (rc == DB_DONE || !tk_can_see(a, t->org_id)) {
		tk_row_release(t);
		return yw_errf(err, YW_ENOTFOUND, "id", "no such ticket");
	}
	return 0;
}

unsigned tk_rel(struct db *db, const struct yw_actor *a, const struct tk_row *t)
{
	struct yw_err err = YW_ERR_INIT;
	const struct dir *d;
	unsigned rel = 0;
	int64_t g;

	if (!acct_is_staff(a))
		return tk_can_see(a, t->org_id) ? R_CUSTOMER : 0;
	rel |= R_STAFF;
	if (a->role == ROLE_MANAGER || a->role == ROLE_ADMIN)
		rel |= R_MGR;
	if (!t->group_id)
		rel |= R_MEMBER;
	else if (acct_in_group(db, a->user_id, t->group_id))
		rel |= R_MEMBER;
	/*
	 * A supervisor leads the tickets of its groups; a ticket that no group
	 * holds yet (a call logged without a category) is any supervisor's to
	 * dispatch, or nobody but the manager could route it.
	 */
	if (t->group_id ? acct_supervises(db, a->user_id, t->group_id) : a->role == ROLE_SUPERVISOR)
		rel |= R_SUP;
	if (t->assignee_id && t->assignee_id == a->user_id)
		rel |= R_ASSIGNEE;
	if (t->category_id && !dir_get(db, &d, &err) && (g = dir_cat_group(d, t->category_id)) &&
	    dir_supervises(d, a->user_id, g))
		rel |= R_APPROVER;
	yw_err_clear(&err);
	return rel;
}

int tk_check_assignee(struct db *db, const struct yw_actor *a, unsigned rel, int64_t group_id,
		      int64_t assignee_id, struct yw_err *err)
{
	struct db_stmt *st;
	bool staff = false;
	int rc;

	if ((rc = db_prepare(db, "SELECT role FROM users WHERE id = ? AND disabled = 0", &st, err)))
		return rc;
	db_bind_int(st, 1, assignee_id);
	if ((rc = db_step(st, err)) == DB_ROW)
		staff = strcmp(db_col_text(st, 0), "customer") != 0;
	db_done(st);
	if (rc < 0)
		return rc;
	if (!staff)
		return yw_errf(err, YW_EINVAL, "assignee_id", "assignee_id must be an active staff member");
	if (group_id && !acct_in_group(db, assignee_id, group_id))
		return yw_errf(err, YW_EINVAL, "assignee_id", "the assignee is not a member of the ticket's group");
	if (rel & (R_MGR | R_SUP))
		return 0;
	if (group_id && acct_supervises(db, a->user_id, group_id))
		return 0;
	if ((rel & R_MEMBER) && assignee_id == a->user_id)
		return 0;
	return yw_errf(err, YW_EPERM, "assignee_id",
		       "engineers may only take a ticket of their own groups for themselves");
}

/*
 * One assign control picks anyone eligible (tk_assignees_json): an
 * assignee outside the ticket's group takes the ticket to a group of
 * theirs, the first by id, when the caller may move it (a manager or
 * the group's supervisor). Anyone else is left to tk_check_assignee.
 */
int tk_follow_assignee(struct db *db, int64_t assignee, int64_t *group, struct yw_err *err)
{
	int64_t g = 0;
	int rc;

	if (!assignee || !*group || acct_in_group(db, assignee, *group))
		return 0;
	rc = db_queryint(db, &g, err, "SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id LIMIT 1",
			 "i", assignee);
	if (rc == YW_ENOTFOUND) {
		yw_err_clear(err);
		return 0;
	}
	if (!rc)
		*group = g;
	return rc;
}

int tk_hist(struct db *db, int64_t ticket_id, const struct yw_actor *a, const char *field,
	    const char *old_value, const char *new_value, const char *note, struct yw_err *err)
{
	return db_execf(db, err,
			"INSERT INTO ticket_history(ticket_id, at, actor_id, field, old_value, new_value, note)"
			" VALUES (?, ?, ?, ?, ?, ?, ?)", "iidssss",
			ticket_id, yw_now(), a->user_id, field, old_value, new_value, note);
}

int tk_fts_refresh(struct db *db, int64_t id, struct yw_err *err)
{
	struct strbuf pub = STRBUF_INIT, priv = STRBUF_INIT;
	struct db_stmt *st;
	int rc;

	/* the requester's name too: the desk looks a caller's tickets up by who called (孙建国) */
	if ((rc = db_prepare(db, "SELECT t.number, t.title, t.description, COALESCE(u.display_name, '')"
			     " FROM tickets t LEFT JOIN users u ON u.id = t.requester_id WHERE t.id = ?", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	if ((rc = db_step(st, err)) == DB_ROW) {
		for (int c = 0; c < 4; c++) {
			const char *s = db_col_text(st, c);
			tok_index(s, strlen(s), &pub);
		}
	}
	db_done(st);
	if (rc < 0)
		goto out;
	if ((rc = db_prepare(db, "SELECT kind, body FROM ticket_entries WHERE ticket_id = ? ORDER BY id", &st, err)))
		goto out;
	db_bind_int(st, 1, id);
	while ((rc = db_step(st, err)) == DB_ROW) {
		const char *body = db_col_text(st, 1);
		tok_index(body, strlen(body), strcmp(db_col_text(st, 0), "comment") ? &priv : &pub);
	}
	db_done(st);
	if (rc < 0)
		goto out;
	rc = db_fts_put(db, id, pub.buf, priv.buf, err);
out:
	strbuf_release(&pub);
	strbuf_release(&priv);
	return rc;
}

static atomic_uint_fast64_t fts_marks;

int tk_fts_mark(struct db *db, int64_t id, struct yw_err *err)
{
	atomic_fetch_add_explicit(&fts_marks, 1, memory_order_relaxed);
	return db_execf(db, err, "INSERT INTO search_pending(ticket_id) VALUES (?) ON CONFLICT DO NOTHING", "i", id);
}

uint64_t tk_fts_marks(void)
{
	return atomic_load_explicit(&fts_marks, memory_order_relaxed);
}

int tk_fts_flush(struct db *db, int max, int *done, struct yw_err *err)
{
	struct db_stmt *st;
	int64_t *ids = NULL, marked = 0;
	size_t n = 0, alloc = 0;
	int rc;

	*done = 0;
	/* most calls find nothing: a read, not the write lock, tells */
	if ((rc = db_queryint(db, &marked, err, "SELECT EXISTS (SELECT 1 FROM search_pending)", "")))
		return rc;
	if (!marked)
		return 0;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = db_prepare(db, "SELECT ticket_id FROM search_pending ORDER BY ticket_id LIMIT ?", &st, err)))
		goto fail;
	db_bind_int(st, 1, max);
	while ((rc = db_step(st, err)) == DB_ROW) {
		ALLOC_GROW(ids, n + 1, alloc);
		ids[n++] = db_col_int(st, 0);
	}
	db_done(st);
	if (rc < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if ((rc = tk_fts_refresh(db, ids[i], err)))
			goto fail;
	/* the marks read were the lowest ids, so these are exactly them */
	if (n && (rc = db_execf(db, err, "DELETE FROM search_pending WHERE ticket_id <= ?", "i", ids[n - 1])))
		goto fail;
	free(ids);
	if ((rc = db_commit(db, err)))
		return rc;
	*done = (int)n;
	return 0;
fail:
	free(ids);
	db_rollback(db);
	return rc;
}

int tk_fts_flush_all(struct db *db, struct yw_err *err)
{
	int rc, n;

	do {
		if ((rc = tk_fts_flush(db, TK_FTS_CHUNK, &n, err)))
			return rc;
	} while (n == TK_FTS_CHUNK);
	return 0;
}

int tk_fts_sync(struct db *db, struct yw_err *err)
{
	int64_t marked = 0;
	int rc;

	if (db_in_write(db))
		return 0;
	if ((rc = db_queryint(db, &marked, err, "SELECT EXISTS (SELECT 1 FROM search_pending)", "")))
		return rc;
	if (!marked)
		return 0;
	db_rollback(db);
	if ((rc = tk_fts_flush_all(db, err)))
		return rc;
	return db_begin_read(db, err);
}

/* The per-connection caches the ticket's own answer reads names from (acct.h, dir.h). */
void tk_user_name(struct db *db, int64_t id, char *buf, size_t size)
{
	const char *name = acct_user_name(db, id);

	snprintf(buf, size, "%s", name ? name : "");
}

void tk_group_name(struct db *db, int64_t id, char *buf, size_t size)
{
	struct yw_err err = YW_ERR_INIT;
	const struct dir *d;
	const char *name = NULL;

	if (id && !dir_get(db, &d, &err))
		name = dir_group_name(d, id);
	yw_err_clear(&err);
	snprintf(buf, size, "%s", name ? name : "");
}

void tk_cat_path(struct db *db, int64_t id, struct strbuf *out)
{
	struct yw_err err = YW_ERR_INIT;
	const struct dir *d;

	if (id && !dir_get(db, &d, &err))
		dir_cat_path(d, id, out);
	yw_err_clear(&err);
}

json_t *tk_user_json(struct db *db, int64_t id)
{
	char name[256];

	if (!id)
		return json_null();
	tk_user_name(db, id, name, sizeof(name));
	return json_pack("{s:I, s:s}", "id", (json_int_t)id, "name", name);
}

void tk_excerpt(const char *s, size_t max, struct strbuf *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t n = 0;

	while (p < end && n < max) {
		const unsigned char *at = p;
		if (utf8_decode(&p, end) < 0)
			p = at + 1;
		n++;
	}
	strbuf_add(out, s, (const char *)p - s);
	if (p < end)
		strbuf_addstr(out, "…");
}

/* A name, or null when unset or gone (""). */
static void jw_name(struct jw *w, const char *s)
{
	if (s && s[0])
		jw_str(w, s);
	else
		jw_null(w);
}

void tk_row_write(struct jw *w, struct db *db, const struct yw_actor *a, const struct tk_row *t, bool full)
{
	struct strbuf path = STRBUF_INIT;
	const char *prio = prio_name((int)t->priority);
	struct yw_err derr = YW_ERR_INIT;
	const struct dir *d;

	/* the category's path and the group's and organisation's names (a failure is logged there) */
	if (dir_get(db, &d, &derr))
		d = NULL;
	yw_err_clear(&derr);
	jw_obj(w);
	jw_key(w, "id");
	jw_int(w, t->id);
	jw_key(w, "number");
	jw_str(w, t->number);
	jw_key(w, "type");
	jw_str(w, t->type->name);
	jw_key(w, "status");
	jw_str(w, tk_states[t->status].name);
	jw_key(w, "title");
	jw_str(w, t->title);
	/* lists carry the summary; the long texts come with the ticket itself */
	if (full) {
		jw_key(w, "description");
		jw_str(w, t->description ? t->description : "");
	}
	jw_key(w, "category_id");
	jw_id(w, t->category_id);
	if (d && t->category_id)
		dir_cat_path(d, t->category_id, &path);
	jw_key(w, "category_path");
	jw_name(w, path.buf);
	strbuf_release(&path);
	jw_key(w, "channel");
	jw_str(w, t->channel);
	jw_key(w, "requester_id");
	jw_id(w, t->requester_id);
	jw_key(w, "requester_name");
	jw_name(w, acct_user_name(db, t->requester_id));
	jw_key(w, "organization_id");
	jw_id(w, t->org_id);
	jw_key(w, "organization_name");
	jw_name(w, d ? dir_org_name(d, t->org_id) : NULL);
	jw_key(w, "impact");
	jw_int(w, t->impact);
	jw_key(w, "urgency");
	jw_int(w, t->urgency);
	jw_key(w, "priority");
	jw_str(w, prio ? prio : "P4");
	/* the fault level is the department's own grading: not for customers */
	if (acct_is_staff(a)) {
		jw_key(w, "fault_level");
		jw_id(w, t->fault_level);
	}
	jw_key(w, "group_id");
	jw_id(w, t->group_id);
	jw_key(w, "group_name");
	jw_name(w, d ? dir_group_name(d, t->group_id) : NULL);
	jw_key(w, "assignee_id");
	jw_id(w, t->assignee_id);
	jw_key(w, "assignee_name");
	jw_name(w, acct_user_name(db, t->assignee_id));
	jw_key(w, "resolution_code");
	jw_str(w, t->resolution_code);
	if (full) {
		jw_key(w, "resolution_notes");
		jw_str(w, t->resolution_notes);
	}
	jw_key(w, "created_by");
	jw_id(w, t->created_by);
	jw_key(w, "created_at");
	jw_time(w, t->created_at);
	jw_key(w, "updated_at");
	jw_time(w, t->updated_at);
	for (int i = 0; i < TK_NMS; i++) {
		jw_key_quoted(w, ms_keys[i].text, ms_keys[i].len);
		jw_time(w, t->ms[i]);
	}
	jw_key(w, "reopen_count");
	jw_int(w, t->reopen_count);
	jw_key(w, "version");
	jw_int(w, t->version);
	if (full) {
		struct yw_err err = YW_ERR_INIT;
		struct db_stmt *st;

		jw_key(w, "allowed_transitions");
		tk_allowed_write(w, t, tk_rel(db, a, t));
		jw_key(w, "related");
		jw_arr(w);
		/* in the key's order (ticket_id, other_id): no sort for each ticket read */
		if (t->link_count &&
		    !db_prepare(db, "SELECT o.id, o.number, o.title, o.status, o.org_id FROM ticket_links l"
				" JOIN tickets o ON o.id = l.other_id WHERE l.ticket_id = ?"
				" ORDER BY l.other_id", &st, &err)) {
			db_bind_int(st, 1, t->id);
			while (db_step(st, &err) == DB_ROW) {
				if (!tk_can_see(a, db_col_int(st, 4)))
					continue;
				jw_obj(w);
				jw_key(w, "id");
				jw_int(w, db_col_int(st, 0));
				jw_key(w, "number");
				jw_str(w, db_col_text(st, 1));
				jw_key(w, "title");
				jw_str(w, db_col_text(st, 2));
				jw_key(w, "status");
				jw_str(w, db_col_text(st, 3));
				jw_end_obj(w);
			}
			db_done(st);
		}
		jw_end_arr(w);
		yw_err_clear(&err);
	}
	/* SLA hook (sla.h): "sla" (and "coordinations" for staff) from the clocks */
	{
		struct yw_err e = YW_ERR_INIT;
		if (t->clocks ? sla_ticket_write_clocks(db, a, t->id, t->coordination_count != 0, t->clocks, w, &e)
			      : sla_ticket_write(db, a, t->id, t->coordination_count != 0, w, &e))
			yw_log_warn("sla state of ticket %" PRId64 ": %s", t->id, e.msg);
		yw_err_clear(&e);
	}
	jw_end_obj(w);
}

/* One row past the page tells whether there is another. */
int tk_page(struct db *db, const struct yw_actor *a, int64_t id, const char *sql, int64_t after, int limit,
	    tk_page_row_fn row, json_t **out, int64_t *next, struct yw_err *err)
{
	struct tk_row t;
	struct db_stmt *st;
	json_t *items;
	int64_t last = 0;
	int rc, n = 0;

	*next = 0;
	if ((rc = tk_load(db, a, id, &t, err)))
		return rc;
	tk_row_release(&t);
	if ((rc = db_prepare(db, sql, &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, acct_is_staff(a));
	db_bind_int(st, 3, after);
	db_bind_int(st, 4, limit + 1);
	items = json_array();
	while ((rc = db_step(st, err)) == DB_ROW) {
		if (++n > limit) {
			*next = last;
			break;
		}
		last = db_col_int(st, 0);
		json_array_append_new(items, row(db, st));
	}
	db_done(st);
	if (rc < 0) {
		json_decref(items);
		return rc;
	}
	*out = json_pack("{s:o}", "items", items);
	return 0;
}

int tk_get_write(struct db *db, const struct yw_actor *a, int64_t id, struct jw *w, struct yw_err *err)
{
	struct tk_row t;
	int rc;

	if ((rc = tk_load(db, a, id, &t, err)))
		return rc;
	tk_row_write(w, db, a, &t, true);
	tk_row_release(&t);
	return 0;
}

/* Reads a user's role, organisation and whether it is active; YW_ENOTFOUND when unknown. */
static int user_info(struct db *db, int64_t id, enum yw_role *role, int64_t *org, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT role, COALESCE(org_id, 0) FROM users WHERE id = ? AND disabled = 0",
			     &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	rc = db_step(st, err);
	if (rc == DB_ROW) {
		*role = ROLE_NONE;
		acct_role_parse(db_col_text(st, 0), role);
		*org = db_col_int(st, 1);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = YW_ENOTFOUND;
	}
	db_done(st);
	return rc;
}

/* An active category: its default group and impact, and whether requests in it need approval. */
static int category_info(struct db *db, int64_t id, int64_t *group, int64_t *impact, bool *approval,
			 struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT COALESCE(default_group_id, 0), requires_approval,"
			     " COALESCE(default_impact, 0) FROM categories WHERE id = ? AND active = 1", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	rc = db_step(st, err);
	if (rc == DB_ROW) {
		*group = db_col_int(st, 0);
		*approval = db_col_int(st, 1) != 0;
		*impact = db_col_int(st, 2);
		rc = 0;
	} else if (rc == DB_DONE) {
		rc = yw_errf(err, YW_EINVAL, "category_id", "category_id names no active category");
	}
	db_done(st);
	return rc;
}

/*
 * Where a new ticket goes when the caller names no group, and its impact
 * when the caller gives none: the category's (already in *group and
 * *impact), else the organisation's, else the service desk group and
 * 3 (low). A ticket that reaches no group is in nobody's queue.
 */
static int route_defaults(struct db *db, int64_t org, int64_t *group, int64_t *impact, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	if (org && (!*group || !*impact)) {
		if ((rc = db_prepare(db, "SELECT COALESCE(default_group_id, 0), COALESCE(default_impact, 0)"
				     " FROM organizations WHERE id = ?", &st, err)))
			return rc;
		db_bind_int(st, 1, org);
		if ((rc = db_step(st, err)) == DB_ROW) {
			*group = *group ? *group : db_col_int(st, 0);
			*impact = *impact ? *impact : db_col_int(st, 1);
		}
		db_done(st);
		if (rc < 0)
			return rc;
	}
	if (!*impact)
		*impact = 3;
	if (!*group && (rc = db_queryint(db, group, err, "SELECT id FROM groups WHERE is_desk = 1", "")) &&
	    rc != YW_ENOTFOUND)
		return rc;
	yw_err_clear(err);
	return 0;
}

static int check_text(const char *field, const char *s, int64_t min, int64_t max, bool multi,
		      struct yw_err *err)
{
	return jx_check_str(field, s, strlen(s), min, max, multi, err);
}

/* Validation that needs no database: types, lengths, ranges, enums. */
static int check_new(const struct yw_actor *a, const struct tk_new *in, const struct tk_type **type,
		     struct yw_err *err)
{
	int rc;

	if (!in->type)
		return yw_errf(err, YW_EINVAL, "type", "type is required");
	if (!(*type = tk_type_find(in->type)))
		return yw_errf(err, YW_EINVAL, "type", "type must be one of: incident, request");
	if (!in->title)
		return yw_errf(err, YW_EINVAL, "title", "title is required");
	if ((rc = check_text("title", in->title, 1, TK_TITLE_MAX, false, err)))
		return rc;
	if (in->description && (rc = check_text("description", in->description, 0, TK_TEXT_MAX, true, err)))
		return rc;
	if (in->channel && !in_list(tk_channels, in->channel))
		return yw_errf(err, YW_EINVAL, "channel",
			       "channel must be one of: phone, email, web, portal, monitoring, onsite");
	if (in->impact && (in->impact < 1 || in->impact > 3))
		return yw_errf(err, YW_EINVAL, "impact", "impact must be between 1 and 3");
	if (in->urgency && (in->urgency < 1 || in->urgency > 3))
		return yw_errf(err, YW_EINVAL, "urgency", "urgency must be between 1 and 3");
	if (in->fault_level && !(*type)->fault_level)
		return yw_errf(err, YW_EINVAL, "fault_level", "fault_level applies to incidents only");
	if (in->fault_level && (in->fault_level < 1 || in->fault_level > 3))
		return yw_errf(err, YW_EINVAL, "fault_level", "fault_level must be between 1 and 3");
	if (a->role == ROLE_CUSTOMER) {
		if (in->requester_id && in->requester_id != a->user_id)
			return yw_errf(err, YW_EPERM, "requester_id", "customers open tickets for themselves");
		if (in->organization_id && in->organization_id != a->org_id)
			return yw_errf(err, YW_EPERM, "organization_id",
				       "customers open tickets for their own organisation");
		/* a customer states urgency; impact and the fault level are the desk's to set */
		const char *f = in->group_id ? "group_id" : in->assignee_id ? "assignee_id" :
				in->impact ? "impact" : in->fault_level ? "fault_level" : NULL;
		if (f)
			return yw_errf(err, YW_EPERM, f, "customers may not set %s", f);
	} else if (!acct_is_staff(a)) {
		return yw_errf(err, YW_EPERM, "", "not allowed to open tickets");
	}
	return 0;
}

/* The next number of a type, from its counter, inside the caller's transaction. */
static int next_number(struct db *db, const struct tk_type *type, char *buf, size_t size,
		       struct yw_err *err)
{
	int64_t v = 1;
	/* not UPDATE ... RETURNING: SQLite builds a temporary table for that */
	int rc = db_execf(db, err, "UPDATE counters SET value = value + 1 WHERE name = ?", "s", type->prefix);

	if (!rc && db_changes(db))
		rc = db_queryint(db, &v, err, "SELECT value FROM counters WHERE name = ?", "s", type->prefix);
	else if (!rc)
		rc = db_execf(db, err, "INSERT INTO counters(name, value) VALUES (?, 1)", "s", type->prefix);
	if (rc)
		return rc;
	snprintf(buf, size, "%s%06" PRId64, type->prefix, v);
	return 0;
}

/* A ticket created assigned tells its assignee; one that waits for approval, its approvers. */
static int notify_created(struct db *db, const struct yw_actor *a, struct tk_row *t, int64_t id,
			  const char *number, const char *title, struct yw_err *err)
{
	struct strbuf path = STRBUF_INIT;
	struct tk_notice n = { TN_ASSIGNED, t, 0, NULL };
	int rc;

	if (!t->assignee_id && t->status != TS_PENDING_APPROVAL)
		return 0;
	t->id = id;
	snprintf(t->number, sizeof(t->number), "%s", number);
	t->title = (char *)title;   /* the caller's; tk_create frees nothing of t */
	if (t->status == TS_PENDING_APPROVAL) {
		tk_cat_path(db, t->category_id, &path);
		n.ev = TN_APPROVAL;
		n.text = path.buf;
	}
	rc = tk_notify(db, a, &n, err);
	strbuf_release(&path);
	return rc;
}

int tk_create(struct db *db, const struct yw_actor *a, const struct tk_new *in, int64_t *id,
	      struct yw_err *err)
{
	return tk_create_write(db, a, in, id, NULL, err);
}

int tk_create_write(struct db *db, const struct yw_actor *a, const struct tk_new *in, int64_t *id,
		    struct jw *w, struct yw_err *err)
{
	const struct tk_type *type = NULL;
	struct tk_row t;
	struct sla_ticket st;
	struct sla_clocks started;
	enum yw_role rrole = ROLE_NONE;
	int64_t rorg = 0, cat_group = 0, cat_impact = 0, now = yw_now();
	bool approval = false, found;
	int prio, rc;
	char number[32], name[256];
	const char *channel = in->channel ? in->channel : a->role == ROLE_CUSTOMER ? "portal" : "web";

	if ((rc = check_new(a, in, &type, err)))
		return rc;
	memset(&t, 0, sizeof(t));
	t.type = type;
	t.urgency = in->urgency ? in->urgency : 3;
	t.requester_id = in->requester_id ? in->requester_id : a->user_id;
	t.category_id = in->category_id;
	if ((rc = db_begin(db, err)))
		return rc;

	/* references: each must exist and be usable by this caller */
	if (t.category_id && (rc = category_info(db, t.category_id, &cat_group, &cat_impact, &approval, err)))
		goto fail;
	rc = user_info(db, t.requester_id, &rrole, &rorg, err);
	if (rc == YW_ENOTFOUND)
		rc = yw_errf(err, YW_EINVAL, "requester_id", "requester_id names no active user");
	if (rc)
		goto fail;
	if (rrole == ROLE_CUSTOMER) {
		if (in->organization_id && in->organization_id != rorg) {
			rc = yw_errf(err, YW_EINVAL, "organization_id",
				     "organization_id does not match the requester's organisation");
			goto fail;
		}
		t.org_id = rorg;
	} else {
		t.org_id = in->organization_id;
	}
	if (in->organization_id) {
		if ((rc = db_exists(db, &found, err, "SELECT 1 FROM organizations WHERE id = ? AND active = 1", "i",
				    in->organization_id)))
			goto fail;
		if (!found) {
			rc = yw_errf(err, YW_EINVAL, "organization_id", "organization_id names no active organisation");
			goto fail;
		}
	}
	t.group_id = in->group_id ? in->group_id : cat_group;
	t.impact = in->impact ? in->impact : cat_impact;
	if ((rc = route_defaults(db, t.org_id, &t.group_id, &t.impact, err)))
		goto fail;
	if (in->group_id) {
		if ((rc = db_exists(db, &found, err, "SELECT 1 FROM groups WHERE id = ?", "i", in->group_id)))
			goto fail;
		if (!found) {
			rc = yw_errf(err, YW_EINVAL, "group_id", "group_id names no group");
			goto fail;
		}
	}
	if ((rc = prio_of(db, (int)t.impact, (int)t.urgency, &prio, err)))
		goto fail;
	t.priority = prio;
	if (type->fault_level)
		t.fault_level = in->fault_level ? in->fault_level : prio_fault_level(prio);
	if (type->approval && approval)
		t.status = TS_PENDING_APPROVAL;
	if (in->assignee_id) {
		if (t.status == TS_PENDING_APPROVAL) {
			rc = yw_errf(err, YW_EINVAL, "assignee_id",
				     "a request that needs approval is assigned after it is approved");
			goto fail;
		}
		if ((rc = tk_check_assignee(db, a, tk_rel(db, a, &t), t.group_id, in->assignee_id, err)))
			goto fail;
		t.assignee_id = in->assignee_id;
		t.status = TS_ASSIGNED;
	}
	if ((rc = next_number(db, type, number, sizeof(number), err)))
		goto fail;
	rc = db_insert(db, id, err,
		       "INSERT INTO tickets(number, type, status, title, description, category_id, channel,"
		       " requester_id, org_id, impact, urgency, priority, fault_level, group_id, assignee_id,"
		       " created_by, created_at, updated_at, assigned_at)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "sssssdsddiiiddddiid", number, type->name, tk_states[t.status].name, in->title,
		       in->description ? in->description : "", t.category_id, channel, t.requester_id, t.org_id,
		       t.impact, t.urgency, t.priority, t.fault_level, t.group_id, t.assignee_id, a->user_id, now,
		       now, t.assignee_id ? now : 0);
	if (rc)
		goto fail;
	if ((rc = tk_hist(db, *id, a, "created", NULL, number, NULL, err)) ||
	    (rc = tk_hist(db, *id, a, "status", NULL, tk_states[t.status].name, NULL, err)))
		goto fail;
	if (t.assignee_id) {
		tk_user_name(db, t.assignee_id, name, sizeof(name));
		if ((rc = tk_hist(db, *id, a, "assignee", NULL, name, NULL, err)))
			goto fail;
	}
	if ((rc = tk_fts_mark(db, *id, err)) || (rc = notify_created(db, a, &t, *id, number, in->title, err)))
		goto fail;
	/* SLA hook (sla.h): start the clocks of the matching policy, from what was written */
	st = (struct sla_ticket){
		.id = *id, .org_id = t.org_id, .group_id = t.group_id, .assignee_id = t.assignee_id,
		.fault_level = t.fault_level, .priority = t.priority, .category_id = t.category_id,
		.created_at = now, .title = (char *)in->title,
	};
	snprintf(st.type, sizeof(st.type), "%s", type->name);
	snprintf(st.status, sizeof(st.status), "%s", tk_states[t.status].name);
	snprintf(st.number, sizeof(st.number), "%s", number);
	if ((rc = sla_ticket_created(db, a, &st, w ? &started : NULL, err)))
		goto fail;
	/*
	 * The row as written, for the answer: what tk_load would read back,
	 * the columns' defaults included (batch.test.mjs compares the two).
	 * The texts are the caller's; nothing here is freed.
	 */
	if (w && tk_can_see(a, t.org_id)) {
		t.id = *id;
		snprintf(t.number, sizeof(t.number), "%s", number);
		t.title = (char *)in->title;
		t.description = (char *)(in->description ? in->description : "");
		t.channel = (char *)channel;
		t.created_by = a->user_id;
		t.created_at = t.updated_at = now;
		t.ms[0] = t.assignee_id ? now : 0;   /* assigned_at */
		t.version = 1;
		t.clocks = &started;
		tk_row_write(w, db, a, &t, true);
	}
	return sla_commit(db, err);
fail:
	db_rollback(db);
	return rc;
}
