/*
 * tk_list.c - GET /tickets: filters, full-text search, sorting and keyset
 * pagination with an opaque cursor.
 *
 * Every filter becomes a condition with '?' placeholders; the sort key
 * and the id make the keyset, so a page costs an index range scan no
 * matter how deep it is. The cursor is base64url("<sort>:<key>:<id>") of
 * the last row sent; a cursor made for another sort is refused.
 */
#include "../../core/yw.h"
#include "../../core/jw.h"
#include "../../core/strbuf.h"
#include "../../core/tok.h"
#include "../../core/ytime.h"
#include "../../store/db.h"
#include "../account/acct.h"
#include "prio.h"
#include "tk_int.h"
#include "../sla/sla.h"
#include <sodium.h>

static const struct {
	const char *name;
	const char *col;
	bool desc;
} sorts[] = {
	{ "-created", "created_at", true },
	{ "created", "created_at", false },
	{ "-updated", "updated_at", true },
	{ "updated", "updated_at", false },
	/* priority 1 is P1: "priority" puts the most urgent first */
	{ "priority", "priority", false },
	{ "-priority", "priority", true },
};

/* The order of tk_query_params is the order of the members below it. */
const char *const tk_query_params[] = {
	"status", "type", "priority", "fault_level", "group", "assignee", "organization", "requester",
	"category", "q", "created_after", "created_before", "sort", "limit", "cursor",
	"sla_state", "breach_before", NULL
};

#define TQ(f) offsetof(struct tk_query, f)
static const size_t query_members[] = {
	TQ(status), TQ(type), TQ(priority), TQ(fault_level), TQ(group), TQ(assignee), TQ(organization),
	TQ(requester), TQ(category), TQ(q), TQ(created_after), TQ(created_before), TQ(sort), TQ(limit),
	TQ(cursor), TQ(sla_state), TQ(breach_before),
};
#undef TQ
_Static_assert(ARRAY_SIZE(query_members) == ARRAY_SIZE(tk_query_params) - 1,
	       "tk_query_params and query_members must list the same parameters");
_Static_assert(sizeof(struct tk_query) == ARRAY_SIZE(query_members) * sizeof(const char *),
	       "every member of struct tk_query is a parameter of query_members");

int tk_query_set(struct tk_query *q, const char *name, const char *value, struct yw_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(query_members); i++) {
		if (strcmp(tk_query_params[i], name))
			continue;
		memcpy((char *)q + query_members[i], &value, sizeof(value));
		return 0;
	}
	return yw_errf(err, YW_EUNKNOWN, name, "unknown query parameter %.60s", name);
}

#define MAX_BINDS 96

struct qb {
	struct strbuf sql;
	struct { char kind; int64_t i; char *s; } b[MAX_BINDS];
	int n;
};

static int bind_i(struct qb *q, int64_t v, struct yw_err *err)
{
	if (q->n >= MAX_BINDS)
		return yw_errf(err, YW_EINVAL, "", "too many filter values");
	q->b[q->n].kind = 'i';
	q->b[q->n++].i = v;
	return 0;
}

static int bind_s(struct qb *q, const char *s, struct yw_err *err)
{
	if (q->n >= MAX_BINDS)
		return yw_errf(err, YW_EINVAL, "", "too many filter values");
	q->b[q->n].kind = 's';
	q->b[q->n++].s = yw_strdup(s);
	return 0;
}

static int parse_id(const char *field, const char *s, int64_t *out, struct yw_err *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || !isdigit((unsigned char)*s) || *end || errno || v < 1 || v > ((int64_t)1 << 53))
		return yw_errf(err, YW_EINVAL, field, "%s must be a positive id", field);
	*out = v;
	return 0;
}

/*
 * A comma list: calls fn for each item, which binds its value; the
 * condition is "<col> IN (?, ...)".
 */
typedef int (*item_fn)(struct qb *q, const char *field, const char *item, struct yw_err *err);

static int in_list(struct qb *q, const char *field, const char *col, const char *value, item_fn fn,
		   struct yw_err *err)
{
	char *copy = yw_strdup(value), *p = copy, *next;
	int rc = 0, n = 0;

	/*
	 * Several values ("priority=P1,P2") are many matches in no useful
	 * order: the index on the column would make SQLite collect and sort
	 * all of them. The unary + keeps that index out of the plan, so the
	 * page is read in list order off the sort index and filtered, which
	 * stops after one page. One value keeps its (column, created_at)
	 * index, which is in list order already.
	 */
	strbuf_addf(&q->sql, " AND %s%s IN (", strchr(value, ',') ? "+" : "", col);
	for (; p; p = next) {
		next = strchr(p, ',');
		if (next)
			*next++ = '\0';
		if (!*p || n >= 20) {
			rc = yw_errf(err, YW_EINVAL, field, !*p ? "%s has an empty item" : "%s has too many items",
				     field);
			break;
		}
		if ((rc = fn(q, field, p, err)))
			break;
		strbuf_addstr(&q->sql, n++ ? ", ?" : "?");
	}
	strbuf_addch(&q->sql, ')');
	free(copy);
	return rc;
}

static int status_item(struct qb *q, const char *field, const char *s, struct yw_err *err)
{
	if (tk_status_parse(s) < 0)
		return yw_errf(err, YW_EINVAL, field, "status must be a list of: new, pending_approval, approved,"
			       " rejected, assigned, in_progress, pending, resolved, closed, reopened, cancelled");
	return bind_s(q, s, err);
}

static int type_item(struct qb *q, const char *field, const char *s, struct yw_err *err)
{
	if (!tk_type_find(s))
		return yw_errf(err, YW_EINVAL, field, "type must be a list of: incident, request");
	return bind_s(q, s, err);
}

static int prio_item(struct qb *q, const char *field, const char *s, struct yw_err *err)
{
	int p = prio_parse(s);
	if (!p)
		return yw_errf(err, YW_EINVAL, field, "priority must be a list of: P1, P2, P3, P4");
	return bind_i(q, p, err);
}

static int level_item(struct qb *q, const char *field, const char *s, struct yw_err *err)
{
	if (!(s[0] >= '1' && s[0] <= '3' && !s[1]))
		return yw_errf(err, YW_EINVAL, field, "fault_level must be a list of: 1, 2, 3");
	return bind_i(q, s[0] - '0', err);
}

static int id_cond(struct qb *q, const char *field, const char *col, const char *value, struct yw_err *err)
{
	int64_t id;
	int rc = parse_id(field, value, &id, err);
	if (rc)
		return rc;
	strbuf_addf(&q->sql, " AND %s = ?", col);
	return bind_i(q, id, err);
}

static int time_cond(struct qb *q, const char *field, const char *op, const char *value, struct yw_err *err)
{
	int64_t t;
	if (yw_parse_iso(value, &t))
		return yw_errf(err, YW_EINVAL, field, "%s must be an ISO 8601 time, e.g. 2026-11-25T10:00:00Z", field);
	strbuf_addf(&q->sql, " AND t.created_at %s ?", op);
	return bind_i(q, t, err);
}

/* Cursor: base64url of "<sort>:<key>:<id>". */
static void cursor_make(const char *sort, int64_t key, int64_t id, struct strbuf *out)
{
	char raw[96], enc[160];
	int n = snprintf(raw, sizeof(raw), "%s:%" PRId64 ":%" PRId64, sort, key, id);
	sodium_bin2base64(enc, sizeof(enc), (unsigned char *)raw, (size_t)n,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	strbuf_addstr(out, enc);
}

static int cursor_parse(const char *s, const char *sort, int64_t *key, int64_t *id, struct yw_err *err)
{
	unsigned char raw[96];
	size_t n;
	char text[100], *colon, *end;
	long long k, i;

	if (strlen(s) > 120 ||
	    sodium_base642bin(raw, sizeof(raw) - 1, s, strlen(s), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) || !n)
		goto bad;
	memcpy(text, raw, n);
	text[n] = '\0';
	if (!(colon = strchr(text, ':')))
		goto bad;
	*colon = '\0';
	if (strcmp(text, sort))
		return yw_errf(err, YW_EINVAL, "cursor", "the cursor belongs to another sort order");
	errno = 0;
	k = strtoll(colon + 1, &end, 10);
	if (end == colon + 1 || *end != ':' || errno)
		goto bad;
	i = strtoll(end + 1, &end, 10);
	if (*end || errno || i < 1)
		goto bad;
	*key = k;
	*id = i;
	return 0;
bad:
	return yw_errf(err, YW_EINVAL, "cursor", "cursor is not one this server made");
}

/*
 * The column a sort orders by. A search sorted by creation orders by id
 * instead: ids are handed out in creation order, and in id order SQLite
 * reads the matches' rowids straight off the full-text index and looks up
 * one page of tickets, where created_at would make it fetch and sort every
 * match (tens of thousands for a common word at a million tickets).
 */
static const char *sort_col(const struct tk_query *in, int sort_ix)
{
	if (in->q && !strcmp(sorts[sort_ix].col, "created_at"))
		return "id";
	return sorts[sort_ix].col;
}

static int build(struct db *db, const struct yw_actor *a, const struct tk_query *in, struct qb *q,
		 int *sort_ix, int64_t *limit, struct yw_err *err)
{
	int rc;

	*limit = TK_LIST_DEFAULT;
	if (in->limit) {
		char *end;
		long long v;
		errno = 0;
		v = strtoll(in->limit, &end, 10);
		if (!*in->limit || *end || errno || v < 1 || v > TK_LIST_MAX)
			return yw_errf(err, YW_EINVAL, "limit", "limit must be an integer between 1 and %d", TK_LIST_MAX);
		*limit = v;
	}
	*sort_ix = 0;
	if (in->sort) {
		int i;
		for (i = 0; i < (int)ARRAY_SIZE(sorts); i++)
			if (!strcmp(sorts[i].name, in->sort))
				break;
		if (i == (int)ARRAY_SIZE(sorts))
			return yw_errf(err, YW_EINVAL, "sort", "sort must be one of: created, -created, updated,"
				       " -updated, priority, -priority");
		*sort_ix = i;
	}

	/* a search drives the query from the index (db_fts_from) */
	if (in->q)
		strbuf_addf(&q->sql, "SELECT " TK_ROW_COLS " FROM %s, " TK_ROW_FROM " WHERE t.id = %s",
			    db_fts_from(db), db_fts_id(db));
	else
		strbuf_addstr(&q->sql, "SELECT " TK_ROW_COLS " FROM " TK_ROW_FROM " WHERE 1 = 1");
	if (!acct_is_staff(a)) {
		/* customers: their organisation only, whatever they ask */
		strbuf_addstr(&q->sql, " AND t.org_id = ?");
		if ((rc = bind_i(q, a->role == ROLE_CUSTOMER && a->org_id ? a->org_id : -1, err)))
			return rc;
	}
	if (in->status && (rc = in_list(q, "status", "t.status", in->status, status_item, err)))
		return rc;
	if (in->type && (rc = in_list(q, "type", "t.type", in->type, type_item, err)))
		return rc;
	if (in->priority && (rc = in_list(q, "priority", "t.priority", in->priority, prio_item, err)))
		return rc;
	if (in->fault_level) {
		if (!acct_is_staff(a))
			return yw_errf(err, YW_EPERM, "fault_level", "fault_level is not a customer filter");
		if ((rc = in_list(q, "fault_level", "t.fault_level", in->fault_level, level_item, err)))
			return rc;
	}
	if (in->group) {
		if (!strcmp(in->group, "mine")) {
			/* the groups the caller works in and those it leads */
			strbuf_addstr(&q->sql, " AND t.group_id IN (SELECT group_id FROM group_members WHERE user_id = ?"
				      " UNION SELECT id FROM groups WHERE supervisor_id = ?)");
			if (!(rc = bind_i(q, a->user_id, err)))
				rc = bind_i(q, a->user_id, err);
		} else {
			rc = id_cond(q, "group", "t.group_id", in->group, err);
		}
		if (rc)
			return rc;
	}
	if (in->assignee) {
		if (!strcmp(in->assignee, "me")) {
			strbuf_addstr(&q->sql, " AND t.assignee_id = ?");
			rc = bind_i(q, a->user_id, err);
		} else if (!strcmp(in->assignee, "none")) {
			strbuf_addstr(&q->sql, " AND t.assignee_id IS NULL");
			rc = 0;
		} else {
			rc = id_cond(q, "assignee", "t.assignee_id", in->assignee, err);
		}
		if (rc)
			return rc;
	}
	if (in->organization && (rc = id_cond(q, "organization", "t.org_id", in->organization, err)))
		return rc;
	if (in->requester && (rc = id_cond(q, "requester", "t.requester_id", in->requester, err)))
		return rc;
	if (in->category) {
		int64_t id;
		if ((rc = parse_id("category", in->category, &id, err)))
			return rc;
		/*
		 * a category means itself and everything under it; the ids are
		 * resolved first so that the planner sees a short IN list it can
		 * look up in tickets_category_created
		 */
		struct db_stmt *st;
		int n = 0;
		if ((rc = db_prepare(db, "WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT c.id FROM categories c"
				     " JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub LIMIT 64", &st, err)))
			return rc;
		db_bind_int(st, 1, id);
		strbuf_addstr(&q->sql, " AND t.category_id IN (");
		while (!rc && (rc = db_step(st, err)) == DB_ROW) {
			strbuf_addstr(&q->sql, n++ ? ", ?" : "?");
			rc = bind_i(q, db_col_int(st, 0), err);
		}
		db_done(st);
		strbuf_addch(&q->sql, ')');
		if (rc < 0)
			return rc;
	}
	if (in->created_after && (rc = time_cond(q, "created_after", ">=", in->created_after, err)))
		return rc;
	if (in->created_before && (rc = time_cond(q, "created_before", "<", in->created_before, err)))
		return rc;
	/* SLA hook (sla.h): the clock filters, as a subquery on sla_clocks */
	if (in->sla_state || in->breach_before) {
		int64_t v[8];
		int nv = 0;
		if ((rc = sla_filter_sql(in->sla_state, in->breach_before, "t.id", yw_now(), &q->sql, v, &nv,
					 (int)ARRAY_SIZE(v), err)))
			return rc;
		for (int i = 0; i < nv; i++)
			if ((rc = bind_i(q, v[i], err)))
				return rc;
	}
	if (in->q) {
		struct tok_term *terms;
		size_t n = tok_query(in->q, strlen(in->q), &terms);
		char *match;
		if (strlen(in->q) > 200) {
			tok_terms_free(terms, n);
			return yw_errf(err, YW_EINVAL, "q", "q is longer than 200 bytes");
		}
		if (!n)
			return yw_errf(err, YW_EINVAL, "q", "q has no word to search for");
		strbuf_addstr(&q->sql, " AND ");
		match = db_fts_match(db, &q->sql, terms, n, acct_is_staff(a));
		tok_terms_free(terms, n);
		rc = bind_s(q, match, err);
		free(match);
		if (rc)
			return rc;
	}
	if (in->cursor) {
		int64_t key = 0, id = 0;
		if ((rc = cursor_parse(in->cursor, sorts[*sort_ix].name, &key, &id, err)))
			return rc;
		const char *op = sorts[*sort_ix].desc ? "<" : ">";
		if (!strcmp(sort_col(in, *sort_ix), "id")) {
			/* on the index's own id, so the index starts the page at the cursor */
			strbuf_addf(&q->sql, " AND %s %s ?", db_fts_id(db), op);
			if ((rc = bind_i(q, id, err)))
				return rc;
		} else {
			strbuf_addf(&q->sql, " AND t.%s %s= ? AND (t.%s %s ? OR t.id %s ?)", sort_col(in, *sort_ix),
				    op, sort_col(in, *sort_ix), op, op);
			if ((rc = bind_i(q, key, err)) || (rc = bind_i(q, key, err)) || (rc = bind_i(q, id, err)))
				return rc;
		}
	}
	if (!strcmp(sort_col(in, *sort_ix), "id"))
		strbuf_addf(&q->sql, " ORDER BY %s %s LIMIT ?", db_fts_id(db), sorts[*sort_ix].desc ? "DESC" : "ASC");
	else
		strbuf_addf(&q->sql, " ORDER BY t.%s %s, t.id %s LIMIT ?", sort_col(in, *sort_ix),
			    sorts[*sort_ix].desc ? "DESC" : "ASC", sorts[*sort_ix].desc ? "DESC" : "ASC");
	return bind_i(q, *limit + 1, err);
}

static void qb_release(struct qb *q)
{
	for (int i = 0; i < q->n; i++)
		free(q->b[i].s);
	strbuf_release(&q->sql);
}

int tk_list_check(struct db *db, const struct yw_actor *a, const struct tk_query *in, struct yw_err *err)
{
	struct qb q;
	int64_t limit;
	int sort_ix, rc;

	memset(&q, 0, sizeof(q));
	strbuf_init(&q.sql, 1024);
	rc = build(db, a, in, &q, &sort_ix, &limit, err);
	qb_release(&q);
	return rc;
}

int tk_list_write(struct db *db, const struct yw_actor *a, const struct tk_query *in, struct jw *w,
		  struct yw_err *err)
{
	struct qb q;
	struct db_stmt *st;
	struct strbuf cur = STRBUF_INIT;
	int64_t limit = 0, n = 0, last_key = 0, last_id = 0;
	int sort_ix = 0, rc;

	memset(&q, 0, sizeof(q));
	strbuf_init(&q.sql, 1024);
	if (in->q && (rc = tk_fts_sync(db, err)))
		goto out;
	if ((rc = build(db, a, in, &q, &sort_ix, &limit, err)))
		goto out;
	if ((rc = db_prepare(db, q.sql.buf, &st, err)))
		goto out;
	for (int i = 0; i < q.n; i++) {
		if (q.b[i].kind == 'i')
			db_bind_int(st, i + 1, q.b[i].i);
		else
			db_bind_text(st, i + 1, q.b[i].s);
	}
	jw_obj(w);
	jw_key(w, "items");
	jw_arr(w);
	while ((rc = db_step(st, err)) == DB_ROW) {
		struct tk_row t;
		if (n == limit) {
			cursor_make(sorts[sort_ix].name, last_key, last_id, &cur);
			break;
		}
		tk_row_read(st, &t);
		tk_row_write(w, db, a, &t, false);
		last_id = t.id;
		last_key = !strcmp(sort_col(in, sort_ix), "id") ? t.id :
			   !strcmp(sort_col(in, sort_ix), "created_at") ? t.created_at :
			   !strcmp(sort_col(in, sort_ix), "updated_at") ? t.updated_at : t.priority;
		tk_row_release(&t);
		n++;
	}
	db_done(st);
	if (rc < 0)
		goto out;
	jw_end_arr(w);
	jw_key(w, "next_cursor");
	jw_str(w, cur.len ? cur.buf : NULL);
	jw_end_obj(w);
	rc = 0;
out:
	qb_release(&q);
	strbuf_release(&cur);
	return rc;
}
