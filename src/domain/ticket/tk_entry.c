/*
 * tk_entry.c - what is written on a ticket besides its fields: comments
 * (public), notes and work logs (internal), links to related tickets,
 * and the history of all of it.
 */
#include "../../core/yw.h"
#include "../../core/jx.h"
#include "../../core/strbuf.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "../account/perm.h"
#include "tk_int.h"
#include "../sla/sla.h"

static json_t *entry_json(struct db *db, int64_t id, const char *kind, int64_t author, const char *body,
			  int64_t minutes, int64_t at)
{
	json_t *j = json_pack("{s:I, s:s, s:b, s:o, s:s, s:o}", "id", (json_int_t)id, "kind", kind,
			      "internal", strcmp(kind, "comment") != 0, "author", tk_user_json(db, author),
			      "body", body, "created_at", jx_time_or_null(at));
	json_object_set_new(j, "minutes", minutes ? json_integer(minutes) : json_null());
	return j;
}

/* Adds an entry and its history row, and refreshes what touching the ticket changes. */
static int add_entry(struct db *db, const struct yw_actor *a, const struct tk_row *t, const char *kind,
		     const char *body, int64_t minutes, json_t **out, struct yw_err *err)
{
	struct strbuf ex = STRBUF_INIT;
	int64_t now = yw_now(), eid;
	int rc;

	rc = db_queryint(db, &eid, err, "INSERT INTO ticket_entries(ticket_id, kind, author_id, body, minutes,"
			 " created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", "isdsdi",
			 t->id, kind, a->user_id, body, minutes, now);
	if (rc)
		return rc;
	if (minutes)
		strbuf_addf(&ex, "%" PRId64 " min", minutes);
	if (body[0]) {
		if (ex.len)
			strbuf_addstr(&ex, ": ");
		tk_excerpt(body, 200, &ex);
	}
	rc = tk_hist(db, t->id, a, kind, NULL, ex.buf, NULL, err);
	strbuf_release(&ex);
	if (rc)
		return rc;
	/* a first public answer by staff is the first response (SLA) */
	if (!strcmp(kind, "comment") && acct_is_staff(a)) {
		rc = db_execf(db, err, "UPDATE tickets SET first_response_at = COALESCE(first_response_at, ?),"
			      " updated_at = ? WHERE id = ?", "iii", now, now, t->id);
		/* SLA hook (sla.h): the first public reply stops the response clock */
		if (!rc)
			rc = sla_ticket_responded(db, a, t->id, err);
	} else
		rc = db_execf(db, err, "UPDATE tickets SET updated_at = ? WHERE id = ?", "ii", now, t->id);
	if (rc || (rc = tk_fts_mark(db, t->id, err)))
		return rc;
	*out = entry_json(db, eid, kind, a->user_id, body, minutes, now);
	return 0;
}

/*
 * A public reply from the requester's side (the requester, or a customer
 * of the ticket's organisation) tells whoever works the ticket, and on a
 * pending ticket it is the answer being waited for: the ticket is in
 * progress again (the only step back from pending) and its paused SLA
 * clocks run again.
 */
static int customer_replied(struct db *db, const struct yw_actor *a, const struct tk_row *t, const char *body,
			    struct yw_err *err)
{
	struct tk_row now = *t;   /* shares t's texts: read only */
	struct tk_notice n = { TN_REPLY, &now, 0, body };
	int64_t ts = yw_now();
	int rc;

	if (t->status == TS_PENDING) {
		if ((rc = db_execf(db, err, "UPDATE tickets SET status = 'in_progress', in_progress_at = ?, updated_at = ?,"
				   " version = version + 1 WHERE id = ?", "iii", ts, ts, t->id)) ||
		    (rc = tk_hist(db, t->id, a, "status", "pending", "in_progress", NULL, err)) ||
		    (rc = sla_ticket_moved(db, a, t->id, "pending", "in_progress", err)))
			return rc;
		now.status = TS_IN_PROGRESS;
		n.ev = TN_RESUMED;
	}
	return tk_notify(db, a, &n, err);
}

static bool requester_side(struct db *db, const struct yw_actor *a, const struct tk_row *t)
{
	if (a->role == ROLE_CUSTOMER)
		return tk_can_see(a, t->org_id);
	/*
	 * staff who asked for it themselves; not those who work it (the desk
	 * logs a call as its own requester when the caller has no account)
	 */
	return a->user_id && a->user_id == t->requester_id && !(tk_rel(db, a, t) & W_WORK);
}

int tk_comment(struct db *db, const struct yw_actor *a, int64_t id, const char *body, bool internal,
	       json_t **out, struct yw_err *err)
{
	struct tk_row t;
	int rc;

	if (!body)
		return yw_errf(err, YW_EINVAL, "body", "body is required");
	if ((rc = jx_check_str("body", body, strlen(body), 1, TK_TEXT_MAX, true, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = tk_load(db, a, id, &t, err)))
		goto fail_norow;
	if (internal && !perm_allows(a, P_TICKET_INTERNAL, NULL)) {
		rc = yw_errf(err, YW_EPERM, "internal", "only staff write internal notes");
		goto fail;
	}
	if ((rc = add_entry(db, a, &t, internal ? "note" : "comment", body, 0, out, err)))
		goto fail;
	if (!internal && requester_side(db, a, &t) && !tk_states[t.status].final &&
	    (rc = customer_replied(db, a, &t, body, err))) {
		json_decref(*out);
		goto fail;
	}
	tk_row_release(&t);
	if ((rc = sla_commit(db, err)))
		json_decref(*out);
	return rc;
fail:
	tk_row_release(&t);
fail_norow:
	db_rollback(db);
	return rc;
}

int tk_worklog(struct db *db, const struct yw_actor *a, int64_t id, int64_t minutes, const char *note,
	       json_t **out, struct yw_err *err)
{
	struct tk_row t;
	int rc;

	if (minutes < 1 || minutes > 1440)
		return yw_errf(err, YW_EINVAL, "minutes", "minutes must be between 1 and 1440");
	if (note && (rc = jx_check_str("note", note, strlen(note), 0, TK_NOTE_MAX, true, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = tk_load(db, a, id, &t, err)))
		goto fail_norow;
	if ((rc = perm_request(db, a, P_TICKET_WORKLOG, id, err)))
		goto fail;
	if ((rc = add_entry(db, a, &t, "worklog", note ? note : "", minutes, out, err)))
		goto fail;
	tk_row_release(&t);
	if ((rc = db_commit(db, err)))
		json_decref(*out);
	return rc;
fail:
	tk_row_release(&t);
fail_norow:
	db_rollback(db);
	return rc;
}

static json_t *entry_row(struct db *db, struct db_stmt *st)
{
	char kind[16];
	char *body = yw_strdup(db_col_text(st, 3));
	json_t *j;

	snprintf(kind, sizeof(kind), "%s", db_col_text(st, 1));
	j = entry_json(db, db_col_int(st, 0), kind, db_col_int(st, 2), body, db_col_int(st, 4), db_col_int(st, 5));
	free(body);
	return j;
}

int tk_entries_json(struct db *db, const struct yw_actor *a, int64_t id, int64_t after, int limit,
		    json_t **out, int64_t *next, struct yw_err *err)
{
	return tk_page(db, a, id, "SELECT id, kind, COALESCE(author_id, 0), body, COALESCE(minutes, 0), created_at"
		       " FROM ticket_entries WHERE ticket_id = ? AND (? = 1 OR kind = 'comment') AND id > ?"
		       " ORDER BY id LIMIT ?", after, limit, entry_row, out, next, err);
}

/*
 * History rows a customer may read: how the ticket moved and what was
 * said publicly; never internal notes, work logs, internal attachments,
 * assignments or gradings. In the query, so that a page is a full page.
 */
#define PUBLIC_FIELDS "'created', 'status', 'comment', 'attachment', 'resolution_code', 'resolution_notes', 'title'"

static json_t *history_row(struct db *db, struct db_stmt *st)
{
	(void)db;
	return json_pack("{s:I, s:o, s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)db_col_int(st, 0),
			 "at", jx_time_or_null(db_col_int(st, 1)), "actor_id", (json_int_t)db_col_int(st, 2),
			 "field", db_col_text(st, 3), "old", jx_str_or_null(db_col_text(st, 4)),
			 "new", jx_str_or_null(db_col_text(st, 5)), "note", jx_str_or_null(db_col_text(st, 6)));
}

int tk_history_json(struct db *db, const struct yw_actor *a, int64_t id, int64_t after, int limit,
		    json_t **out, int64_t *next, struct yw_err *err)
{
	json_t *j;
	size_t i;
	int rc = tk_page(db, a, id, "SELECT id, at, COALESCE(actor_id, 0), field, old_value, new_value, note"
			 " FROM ticket_history WHERE ticket_id = ? AND (? = 1 OR field IN (" PUBLIC_FIELDS "))"
			 " AND id > ? ORDER BY id LIMIT ?", after, limit, history_row, out, next, err);

	if (rc)
		return rc;
	/* names after the walk: the statement above must be done before others run */
	json_array_foreach(json_object_get(*out, "items"), i, j) {
		int64_t actor = json_integer_value(json_object_get(j, "actor_id"));
		json_object_set_new(j, "actor", actor ? tk_user_json(db, actor) :
				    json_pack("{s:n, s:s}", "id", "name", "system"));
		json_object_del(j, "actor_id");
	}
	return 0;
}

static int link_change(struct db *db, const struct yw_actor *a, int64_t id, int64_t other, bool add,
		       struct yw_err *err)
{
	struct tk_row t, o;
	int64_t one;
	int rc;

	if (other == id)
		return yw_errf(err, YW_EINVAL, "ticket_id", "a ticket cannot be linked to itself");
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = tk_load(db, a, id, &t, err)))
		goto fail_norow;
	if ((rc = tk_load(db, a, other, &o, err))) {
		tk_row_release(&t);
		if (add)
			rc = yw_errf(err, YW_EINVAL, "ticket_id", "ticket_id names no ticket");
		else
			rc = yw_errf(err, YW_ENOTFOUND, "other_id", "no such ticket");
		goto fail_norow;
	}
	if ((rc = perm_request(db, a, P_TICKET_LINK, id, err)))
		goto fail;
	rc = db_queryint(db, &one, err, "SELECT 1 FROM ticket_links WHERE ticket_id = ? AND other_id = ?", "ii",
			 id, other);
	if (rc && rc != YW_ENOTFOUND)
		goto fail;
	if (add && !rc) {
		rc = yw_errf(err, YW_ECONFLICT, "ticket_id", "the tickets are already linked");
		goto fail;
	}
	if (!add && rc) {
		rc = yw_errf(err, YW_ENOTFOUND, "other_id", "the tickets are not linked");
		goto fail;
	}
	if (add)
		rc = db_execf(db, err, "INSERT INTO ticket_links(ticket_id, other_id, created_at, created_by)"
			      " VALUES (?, ?, ?, ?), (?, ?, ?, ?)", "iiidiiid", id, other, yw_now(), a->user_id,
			      other, id, yw_now(), a->user_id);
	else
		rc = db_execf(db, err, "DELETE FROM ticket_links WHERE (ticket_id = ? AND other_id = ?)"
			      " OR (ticket_id = ? AND other_id = ?)", "iiii", id, other, other, id);
	if (rc ||
	    (rc = tk_hist(db, id, a, "link", add ? NULL : o.number, add ? o.number : NULL, NULL, err)) ||
	    (rc = tk_hist(db, other, a, "link", add ? NULL : t.number, add ? t.number : NULL, NULL, err)))
		goto fail;
	tk_row_release(&t);
	tk_row_release(&o);
	return db_commit(db, err);
fail:
	tk_row_release(&t);
	tk_row_release(&o);
fail_norow:
	db_rollback(db);
	return rc;
}

int tk_link(struct db *db, const struct yw_actor *a, int64_t id, int64_t other, struct yw_err *err)
{
	return link_change(db, a, id, other, true, err);
}

int tk_unlink(struct db *db, const struct yw_actor *a, int64_t id, int64_t other, struct yw_err *err)
{
	return link_change(db, a, id, other, false, err);
}
