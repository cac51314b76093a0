/* notify.c - the notification outbox and each user's view of it. */
#include "../../core/yw.h"
#include "../../core/jx.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "notify.h"

int ntf_add(struct db *db, const struct ntf_msg *m, struct yw_err *err)
{
	return db_execf(db, err,
			"INSERT INTO notifications (user_id, channel, kind, ticket_id, subject_zh, body_zh, subject_en,"
			" body_en, created_at) VALUES (?, 'inbox', ?, ?, ?, ?, ?, ?, ?)", "isdssssi",
			m->user_id, m->kind, m->ticket_id, m->subject_zh, m->body_zh, m->subject_en, m->body_en,
			yw_now());
}

static int need_user(const struct yw_actor *a, struct yw_err *err)
{
	if (!a->user_id)
		return yw_errf(err, YW_EPERM, "", "only users have notifications");
	return 0;
}

#define NTF_COLS "n.id, n.kind, n.channel, n.ticket_id, t.number, n.subject_zh, n.body_zh, n.subject_en," \
		 " n.body_en, n.created_at, n.read_at"

static json_t *row_json(struct db_stmt *st)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_integer(db_col_int(st, 0)));
	json_object_set_new(j, "kind", json_string(db_col_text(st, 1)));
	json_object_set_new(j, "channel", json_string(db_col_text(st, 2)));
	json_object_set_new(j, "ticket_id", jx_id_or_null(db_col_int(st, 3)));
	json_object_set_new(j, "ticket_number", jx_str_or_null(db_col_text(st, 4)));
	json_object_set_new(j, "subject", json_string(db_col_text(st, 5)));
	json_object_set_new(j, "body", json_string(db_col_text(st, 6)));
	json_object_set_new(j, "subject_en", json_string(db_col_text(st, 7)));
	json_object_set_new(j, "body_en", json_string(db_col_text(st, 8)));
	json_object_set_new(j, "created_at", jx_time_or_null(db_col_int(st, 9)));
	json_object_set_new(j, "read_at", jx_time_or_null(db_col_int(st, 10)));
	return j;
}

int ntf_unread_count(struct db *db, const struct yw_actor *a, int64_t *out, struct yw_err *err)
{
	int rc;

	if ((rc = need_user(a, err)))
		return rc;
	return db_queryint(db, out, err, "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL",
			   "i", a->user_id);
}

int ntf_list_json(struct db *db, const struct yw_actor *a, bool unread_only, int64_t before_id, int64_t limit,
		  json_t **items, int64_t *next, int64_t *unread, struct yw_err *err)
{
	static const char *const sql[2] = {
		"SELECT " NTF_COLS " FROM notifications n LEFT JOIN tickets t ON t.id = n.ticket_id"
		" WHERE n.user_id = ? AND n.id < ? ORDER BY n.id DESC LIMIT ?",
		"SELECT " NTF_COLS " FROM notifications n LEFT JOIN tickets t ON t.id = n.ticket_id"
		" WHERE n.user_id = ? AND n.id < ? AND n.read_at IS NULL ORDER BY n.id DESC LIMIT ?",
	};
	struct db_stmt *st;
	int64_t n = 0, last = 0;
	int rc;

	*next = 0;
	if ((rc = ntf_unread_count(db, a, unread, err)))
		return rc;
	if ((rc = db_prepare(db, sql[unread_only], &st, err)))
		return rc;
	db_bind_int(st, 1, a->user_id);
	db_bind_int(st, 2, before_id ? before_id : INT64_MAX);
	db_bind_int(st, 3, limit + 1);
	*items = json_array();
	while ((rc = db_step(st, err)) == DB_ROW) {
		if (n == limit) {
			*next = last;
			break;
		}
		last = db_col_int(st, 0);
		json_array_append_new(*items, row_json(st));
		n++;
	}
	db_done(st);
	if (rc < 0) {
		json_decref(*items);
		return rc;
	}
	return 0;
}

static int get_own(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err)
{
	struct db_stmt *st;
	int rc;

	if ((rc = db_prepare(db, "SELECT " NTF_COLS " FROM notifications n LEFT JOIN tickets t ON t.id = n.ticket_id"
			     " WHERE n.id = ? AND n.user_id = ?", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, a->user_id);
	rc = db_step(st, err);
	if (rc == DB_ROW && out)
		*out = row_json(st);
	db_done(st);
	if (rc == DB_DONE)
		return yw_errf(err, YW_ENOTFOUND, "id", "no such notification");
	return rc < 0 ? rc : 0;
}

int ntf_read(struct db *db, const struct yw_actor *a, int64_t id, json_t **out, struct yw_err *err)
{
	int rc;

	if ((rc = need_user(a, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = get_own(db, a, id, NULL, err)) ||
	    (rc = db_execf(db, err, "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL",
			   "iii", yw_now(), id, a->user_id)) ||
	    (rc = get_own(db, a, id, out, err))) {
		db_rollback(db);
		return rc;
	}
	if ((rc = db_commit(db, err)))
		json_decref(*out);
	return rc;
}

int ntf_read_all(struct db *db, const struct yw_actor *a, int64_t *n, struct yw_err *err)
{
	int rc;

	if ((rc = need_user(a, err)))
		return rc;
	if ((rc = db_begin(db, err)))
		return rc;
	if ((rc = db_execf(db, err, "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL",
			   "ii", yw_now(), a->user_id))) {
		db_rollback(db);
		return rc;
	}
	*n = db_changes(db);
	return db_commit(db, err);
}
