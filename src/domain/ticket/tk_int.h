/*
 * tk_int.h - what the tk_*.c files share and nobody else uses: the
 * loaded ticket row, the status table, the caller's relation to a
 * ticket, and the life-cycle rules (exposed for the unit tests).
 */
#ifndef YW_TK_INT_H
#define YW_TK_INT_H

#include "tk.h"

struct strbuf;
struct db_stmt;

/*
 * A page of a visible ticket's rows (comments, history, attachments) as
 * {"items":[...]}: sql takes the ticket id, whether the caller is staff,
 * the id to start after and the row limit, and yields the row id first;
 * row encodes one. *next is the last id of the page when more follow,
 * else 0.
 */
typedef json_t *(*tk_page_row_fn)(struct db *db, struct db_stmt *st);
int tk_page(struct db *db, const struct yw_actor *a, int64_t id, const char *sql, int64_t after, int limit,
	    tk_page_row_fn row, json_t **out, int64_t *next, struct yw_err *err);

enum tk_status {
	TS_NEW, TS_PENDING_APPROVAL, TS_APPROVED, TS_REJECTED, TS_ASSIGNED, TS_IN_PROGRESS,
	TS_PENDING, TS_RESOLVED, TS_CLOSED, TS_REOPENED, TS_CANCELLED, TS_COUNT
};

struct tk_state {
	const char *name;
	const char *at_col;   /* milestone column set when the status is entered, or NULL */
	bool final;           /* nothing but reading happens after it */
};
extern const struct tk_state tk_states[TS_COUNT];
/* Returns the status, or -1 for an unknown name. */
int tk_status_parse(const char *s);

/*
 * The caller's relation to one ticket, as bits: the life-cycle table and
 * the PATCH rules say which of them may do what.
 */
enum {
	R_STAFF = 1 << 0,      /* engineer, supervisor, manager or admin */
	R_MGR = 1 << 1,        /* manager or admin: everything */
	R_SUP = 1 << 2,        /* supervises the ticket's group */
	R_MEMBER = 1 << 3,     /* member of the ticket's group (any staff when it has none) */
	R_ASSIGNEE = 1 << 4,   /* the ticket is assigned to the caller */
	R_APPROVER = 1 << 5,   /* supervises the default group of the ticket's category */
	R_CUSTOMER = 1 << 6,   /* a customer of the ticket's organisation */
};
#define W_WORK (R_MGR | R_SUP | R_ASSIGNEE | R_MEMBER)   /* works the ticket */
#define W_ASSIGN (R_MGR | R_SUP | R_MEMBER)              /* members may only take it */

/* What a transition needs besides the right relation. */
enum {
	N_NOTE = 1 << 0,          /* a note (the reason) */
	N_RESOLUTION = 1 << 1,    /* resolution_code */
	N_ASSIGNEE = 1 << 2,      /* an assignee, given or already set */
	N_HAS_ASSIGNEE = 1 << 3,  /* the ticket already has an assignee */
	N_CREATION = 1 << 4,      /* happens only when the ticket is created */
};

struct tk_rule {
	enum tk_status from, to;
	unsigned who;     /* R_* bits, any of which may take it */
	unsigned needs;   /* N_* bits */
};
extern const struct tk_rule tk_rules[];
extern const size_t tk_nrules;
const struct tk_rule *tk_rule_find(enum tk_status from, enum tk_status to);
/* May a caller with relation rel take rule r on a ticket that has_assignee? */
bool tk_rule_allows(const struct tk_rule *r, unsigned rel, bool has_assignee);

/* Milestone columns in JSON order, as loaded into tk_row.ms[]. */
#define TK_NMS 10
extern const char *const tk_milestones[TK_NMS];

struct sla_clocks;

struct tk_row {
	int64_t id, category_id, requester_id, org_id, impact, urgency, priority, fault_level,
		group_id, assignee_id, created_by, created_at, updated_at, reopen_count, version;
	int64_t ms[TK_NMS];
	/* kept by triggers (migration 0011): a read looks for links and meetings only when there are some */
	int64_t link_count, coordination_count;
	enum tk_status status;
	const struct tk_type *type;
	char number[32];
	char *title, *description, *channel, *resolution_code, *resolution_notes;
	/* the SLA clocks, when the writer has them (tk_create); NULL: tk_row_write reads them */
	const struct sla_clocks *clocks;
	/*
	 * The readable names of the references are looked up as the row is
	 * written: the people's from acct_user_name(), the group's and the
	 * organisation's from the directory (dir.h), both kept per connection.
	 */
};

/*
 * The columns tk_row_read() expects, in order, and the FROM clause they
 * come from: the ticket's own row, no join (the names are looked up as
 * it is written, from per-connection caches). Macros, so SQL is built at
 * compile time.
 */
#define TK_ROW_COLS \
	"t.id, t.number, t.type, t.status, t.title, t.description, t.category_id, t.channel," \
	" t.requester_id, t.org_id, t.impact, t.urgency, t.priority, t.fault_level, t.group_id," \
	" t.assignee_id, t.resolution_code, t.resolution_notes, t.created_by, t.created_at," \
	" t.updated_at, t.reopen_count, t.version, t.assigned_at, t.first_response_at," \
	" t.in_progress_at, t.pending_at, t.approved_at, t.rejected_at, t.resolved_at," \
	" t.closed_at, t.cancelled_at, t.reopened_at, t.link_count, t.coordination_count"
#define TK_ROW_FROM "tickets t"
void tk_row_read(struct db_stmt *st, struct tk_row *t);
void tk_row_release(struct tk_row *t);
/* Loads a ticket the caller may see (YW_ENOTFOUND otherwise). */
int tk_load(struct db *db, const struct yw_actor *a, int64_t id, struct tk_row *t, struct yw_err *err);
unsigned tk_rel(struct db *db, const struct yw_actor *a, const struct tk_row *t);
bool tk_can_see(const struct yw_actor *a, int64_t org_id);

/*
 * Checks that assignee_id may be assigned to a ticket of group_id by the
 * caller, whose relation to the ticket is rel: an active staff member of
 * the group; engineers may only take it themselves.
 */
int tk_check_assignee(struct db *db, const struct yw_actor *a, unsigned rel, int64_t group_id,
		      int64_t assignee_id, struct yw_err *err);

/*
 * The group a ticket moves to when a manager or the supervisor of its
 * group assigns someone outside it: *group becomes the assignee's first
 * group by id (unchanged when the assignee is in it, or in none, or the
 * ticket has no group). Used by PATCH and the move to assigned.
 */
int tk_follow_assignee(struct db *db, int64_t assignee, int64_t *group, struct yw_err *err);

/* One ticket_history row; values may be NULL. */
int tk_hist(struct db *db, int64_t ticket_id, const struct yw_actor *a, const char *field,
	    const char *old_value, const char *new_value, const char *note, struct yw_err *err);
/* Rebuilds the ticket's search index row from the ticket and its entries. */
int tk_fts_refresh(struct db *db, int64_t id, struct yw_err *err);
/* Marks the ticket's search entry to be rebuilt (tk_fts_flush), in the caller's transaction. */
int tk_fts_mark(struct db *db, int64_t id, struct yw_err *err);

/* Readable names for output and history; "" when unset or gone. */
void tk_user_name(struct db *db, int64_t id, char *buf, size_t size);
void tk_group_name(struct db *db, int64_t id, char *buf, size_t size);
void tk_cat_path(struct db *db, int64_t id, struct strbuf *out);
/* {id, name} or null */
json_t *tk_user_json(struct db *db, int64_t id);
/* The first max characters of s, with "…" when cut. */
void tk_excerpt(const char *s, size_t max, struct strbuf *out);

/*
 * Writes the ticket as one JSON object: readable names, and with full the
 * long texts, allowed_transitions and related tickets; then the SLA hook's
 * members. Lists write their items with full false.
 */
struct jw;
void tk_row_write(struct jw *w, struct db *db, const struct yw_actor *a, const struct tk_row *t, bool full);
/* Which statuses the caller may move the ticket to: a JSON array of names. */
json_t *tk_allowed_json(const struct tk_row *t, unsigned rel);
void tk_allowed_write(struct jw *w, const struct tk_row *t, unsigned rel);

/*
 * The desk's events that tell people (tk_notify.c): each is written to
 * the notification outbox in the caller's transaction, to the people it
 * concerns (never the actor), in Chinese and English.
 */
enum tk_notice_ev {
	TN_ASSIGNED,   /* text: the new assignee's name (the previous one is told too) */
	TN_GROUP,      /* passed to another group with nobody assigned; text: the group's name */
	TN_REPLY,      /* a reply from the requester's side; text: the reply */
	TN_RESUMED,    /* the same, which ended pending; text: the reply */
	TN_RESOLVED,   /* asks the requester to confirm */
	TN_REOPENED,   /* text: the reason */
	TN_APPROVAL,   /* asks the approvers; text: the category's path */
};
struct tk_notice {
	enum tk_notice_ev ev;
	const struct tk_row *t;   /* as it is after the change: number, title, group, assignee, requester, category */
	int64_t prev_assignee;    /* TN_ASSIGNED: the assignee before it */
	const char *text;
};
int tk_notify(struct db *db, const struct yw_actor *a, const struct tk_notice *n, struct yw_err *err);
/* "2026-12-08 14:30": an instant as people read it, in Asia/Shanghai. */
char *tk_fmt_people_time(int64_t t, char *buf, size_t size);

#endif
