/*
 * perm.c - the permission table (see perm.h) and the one check.
 */
#include "../../core/yw.h"
#include "../../store/db.h"
#include "acct.h"
#include "../directory/dir.h"
#include "perm.h"

/* Short names for the table: one column per role. */
#define N PERM_NONE
#define O PERM_OWN
#define G PERM_GROUP
#define R PERM_ORG
#define A PERM_ANY
#define PUBLIC { PERM_PUBLIC, PERM_PUBLIC, PERM_PUBLIC, PERM_PUBLIC, PERM_PUBLIC, PERM_PUBLIC }
/*                       customer  engineer  supervisor  manager  admin */
#define ROLES(c, e, s, m, a) { [ROLE_CUSTOMER] = c, [ROLE_ENGINEER] = e, [ROLE_SUPERVISOR] = s, \
			       [ROLE_MANAGER] = m, [ROLE_ADMIN] = a }
#define ADMIN_ONLY ROLES(N, N, N, N, A)
#define STAFF ROLES(N, A, A, A, A)
#define EVERYONE ROLES(A, A, A, A, A)
#define SELF ROLES(O, O, O, O, O)
#define SELF_OR_ADMIN ROLES(O, O, O, O, A)
/* works the ticket: assignee, its group's members and supervisor, managers */
#define WORKERS ROLES(N, G, G, A, A)
/* sees the ticket: its organisation's customers, all staff */
#define TICKET_READERS ROLES(R, A, A, A, A)

static const struct perm_row rows[P_COUNT] = {
	[P_HEALTH_READ] = { "health", "read", PK_NONE, "", PUBLIC },
	[P_SESSION_CREATE] = { "session", "create", PK_NONE, "", PUBLIC },
	[P_SESSION_DELETE] = { "session", "delete", PK_NONE, "you may not log out", SELF },
	[P_ME_READ] = { "me", "read", PK_NONE, "you may not read your own record", SELF },
	[P_PERMISSION_READ] = { "permission", "read", PK_NONE, "you may not read your permissions", SELF },

	[P_USER_READ] = { "user", "read", PK_USER, "you may not see users", ROLES(R, A, A, A, A) },
	[P_USER_CREATE] = { "user", "create", PK_NONE, "only an admin may create users", ADMIN_ONLY },
	[P_USER_UPDATE] = { "user", "update", PK_USER, "only an admin may change users", ADMIN_ONLY },
	[P_USER_PASSWORD] = { "user", "password", PK_USER, "only an admin may set another user's password",
			      SELF_OR_ADMIN },

	[P_GROUP_READ] = { "group", "read", PK_GROUP, "only staff may see support groups", STAFF },
	[P_GROUP_CREATE] = { "group", "create", PK_NONE, "only an admin may create groups", ADMIN_ONLY },
	[P_GROUP_UPDATE] = { "group", "update", PK_GROUP, "only an admin may change groups", ADMIN_ONLY },

	[P_ORG_READ] = { "organization", "read", PK_ORG, "you may not see organizations", ROLES(R, A, A, A, A) },
	[P_ORG_CREATE] = { "organization", "create", PK_NONE, "only an admin may create organizations",
			   ADMIN_ONLY },
	[P_ORG_UPDATE] = { "organization", "update", PK_ORG, "only an admin may change organizations",
			   ADMIN_ONLY },

	[P_CATEGORY_READ] = { "category", "read", PK_NONE, "you may not see categories", EVERYONE },
	[P_CATEGORY_CREATE] = { "category", "create", PK_NONE, "only an admin may create categories", ADMIN_ONLY },
	[P_CATEGORY_UPDATE] = { "category", "update", PK_NONE, "only an admin may change categories", ADMIN_ONLY },

	[P_TOKEN_READ] = { "token", "read", PK_TOKEN, "only an admin may list other users' tokens", SELF_OR_ADMIN },
	[P_TOKEN_CREATE] = { "token", "create", PK_NONE, "only an admin may create tokens for others",
			     SELF_OR_ADMIN },
	[P_TOKEN_DELETE] = { "token", "delete", PK_TOKEN, "only an admin may revoke other users' tokens",
			     SELF_OR_ADMIN },

	[P_AUDIT_READ] = { "audit", "read", PK_NONE, "only managers and admins may read the audit log",
			   ROLES(N, N, N, A, A) },

	[P_CALENDAR_READ] = { "calendar", "read", PK_NONE, "only staff may see business calendars", STAFF },
	[P_CALENDAR_CREATE] = { "calendar", "create", PK_NONE, "only admins may change business calendars",
				ADMIN_ONLY },
	[P_CALENDAR_UPDATE] = { "calendar", "update", PK_NONE, "only admins may change business calendars",
				ADMIN_ONLY },

	[P_SLA_POLICY_READ] = { "sla_policy", "read", PK_NONE, "only staff may see SLA policies", STAFF },
	[P_SLA_POLICY_CREATE] = { "sla_policy", "create", PK_NONE, "only admins may change SLA policies",
				  ADMIN_ONLY },
	[P_SLA_POLICY_UPDATE] = { "sla_policy", "update", PK_NONE, "only admins may change SLA policies",
				  ADMIN_ONLY },
	[P_SLA_POLICY_DELETE] = { "sla_policy", "delete", PK_NONE, "only admins may change SLA policies",
				  ADMIN_ONLY },
	/* a supervisor's report covers its own groups (sla_report.c) */
	[P_SLA_REPORT_READ] = { "sla_report", "read", PK_NONE,
				"only managers, supervisors and admins see the SLA report", ROLES(N, N, G, A, A) },

	[P_NOTIFICATION_READ] = { "notification", "read", PK_NOTIFICATION, "you may not read notifications", SELF },
	[P_NOTIFICATION_UPDATE] = { "notification", "update", PK_NOTIFICATION,
				    "you may not mark this notification read", SELF },

	[P_VIEW_READ] = { "view", "read", PK_VIEW, "you may not see saved views", SELF },
	[P_VIEW_CREATE] = { "view", "create", PK_NONE, "you may not save views", SELF },
	[P_VIEW_UPDATE] = { "view", "update", PK_VIEW, "you may not change this saved view", SELF },
	[P_VIEW_DELETE] = { "view", "delete", PK_VIEW, "you may not delete this saved view", SELF },

	/* an upload in parts is its uploader's alone (upload.c answers 404 to anyone else) */
	[P_UPLOAD_CREATE] = { "upload", "create", PK_NONE, "you may not upload files", SELF },
	[P_UPLOAD_WRITE] = { "upload", "write", PK_NONE, "you may not change this upload", SELF },

	[P_TICKET_READ] = { "ticket", "read", PK_TICKET, "you may not see tickets", TICKET_READERS },
	/* a customer opens tickets for itself in its organisation (tk_core.c) */
	[P_TICKET_CREATE] = { "ticket", "create", PK_NONE, "not allowed to open tickets", ROLES(R, A, A, A, A) },
	[P_TICKET_UPDATE] = { "ticket", "update", PK_TICKET,
			      "only the ticket's assignee, group and managers may change it", WORKERS },
	/* which steps: the life cycle's own table (tk_life.c) */
	[P_TICKET_TRANSITION] = { "ticket", "transition", PK_TICKET,
				  "only the ticket's assignee, group and managers may move it",
				  ROLES(R, G, G, A, A) },
	/* any staff member may add a note to any ticket: help comes from other groups too */
	[P_TICKET_COMMENT] = { "ticket", "comment", PK_TICKET, "you may not comment on this ticket", TICKET_READERS },
	[P_TICKET_WORKLOG] = { "ticket", "worklog", PK_TICKET, "only staff who work the ticket log time on it",
			       WORKERS },
	[P_TICKET_ATTACH] = { "ticket", "attach", PK_TICKET, "you may not add attachments to this ticket",
			      TICKET_READERS },
	[P_TICKET_LINK] = { "ticket", "link", PK_TICKET, "only staff link tickets", STAFF },
	/* not a route's: what a comment or an attachment may be (tk_entry.c, tk_attach.c) */
	[P_TICKET_INTERNAL] = { "ticket", "internal", PK_TICKET, "only staff write internal notes", STAFF },
	[P_TICKET_ONSITE] = { "ticket", "onsite", PK_TICKET,
			      "only the ticket's assignee, group and managers record the arrival on site", WORKERS },

	/* an internal attachment is staff's only (tk_attach.c) */
	[P_ATTACHMENT_READ] = { "attachment", "read", PK_ATTACHMENT, "you may not see attachments", TICKET_READERS },

	[P_PRIORITY_MATRIX_READ] = { "priority_matrix", "read", PK_NONE, "you may not see the priority matrix",
				     EVERYONE },
	[P_PRIORITY_MATRIX_UPDATE] = { "priority_matrix", "update", PK_NONE,
				       "only an admin may change the priority matrix", ADMIN_ONLY },
};

#undef N
#undef O
#undef G
#undef R
#undef A

static const char *const scope_names[] = {
	[PERM_NONE] = "none", [PERM_OWN] = "own", [PERM_GROUP] = "own_groups",
	[PERM_ORG] = "own_organization", [PERM_ANY] = "any", [PERM_PUBLIC] = "public",
};

/* What a missing or invisible record of each kind answers. */
static const char *const missing[] = {
	[PK_NONE] = "no such record", [PK_TICKET] = "no such ticket", [PK_ATTACHMENT] = "no such attachment",
	[PK_USER] = "no such user", [PK_ORG] = "no such organization", [PK_GROUP] = "no such group",
	[PK_TOKEN] = "no such token", [PK_NOTIFICATION] = "no such notification",
	[PK_VIEW] = "no such saved view",
};

const char *perm_missing(enum perm_kind kind)
{
	return kind < ARRAY_SIZE(missing) && missing[kind] ? missing[kind] : missing[PK_NONE];
}

const struct perm_row *perm_row(enum perm p)
{
	if (p <= P_UNSET || p >= P_COUNT || !rows[p].resource)
		return NULL;
	return &rows[p];
}

enum perm perm_read_of(enum perm p)
{
	const struct perm_row *row = perm_row(p);

	for (int i = P_UNSET + 1; row && i < P_COUNT; i++)
		if (rows[i].resource && !strcmp(rows[i].resource, row->resource) && !strcmp(rows[i].action, "read"))
			return i;
	return P_UNSET;
}

enum perm_scope perm_scope_of(enum yw_role role, enum perm p)
{
	const struct perm_row *row = perm_row(p);

	if (!row)
		return PERM_NONE;
	if (row->scope[ROLE_CUSTOMER] == PERM_PUBLIC)
		return PERM_PUBLIC;
	if (role <= ROLE_NONE || role > ROLE_ADMIN)
		return PERM_NONE;
	return row->scope[role];
}

const char *perm_scope_name(enum perm_scope s)
{
	return s <= PERM_PUBLIC ? scope_names[s] : "none";
}

bool perm_covers(const struct yw_actor *a, enum perm_scope s, const struct perm_facts *f)
{
	switch (s) {
	case PERM_PUBLIC:
	case PERM_ANY:
		return true;
	case PERM_ORG:
		if (a->org_id && f->org_id == a->org_id)
			return true;
		/* fall through */
	case PERM_GROUP:
		if (f->mine_group)
			return true;
		/* fall through */
	case PERM_OWN:
		return a->user_id && (f->owner_id == a->user_id || f->assignee_id == a->user_id);
	case PERM_NONE:
		break;
	}
	return false;
}

bool perm_allows(const struct yw_actor *a, enum perm p, const struct perm_facts *f)
{
	enum perm_scope s = perm_scope_of(a->role, p);

	if (!f)
		return s != PERM_NONE;
	return perm_covers(a, s, f);
}

/* The row's message is its format: one English sentence without arguments. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-security"
static int deny(enum perm p, struct yw_err *err)
{
	const struct perm_row *row = perm_row(p);

	if (!row)
		return yw_errf(err, YW_EINTERNAL, "", "this route names no permission");
	return yw_errf(err, YW_EPERM, "", row->deny);
}

static int not_found(enum perm_kind kind, struct yw_err *err)
{
	return yw_errf(err, YW_ENOTFOUND, "id", perm_missing(kind));
}
#pragma GCC diagnostic pop

int perm_check(const struct yw_actor *a, enum perm p, const struct perm_facts *f, struct yw_err *err)
{
	return perm_allows(a, p, f) ? 0 : deny(p, err);
}

/* A ticket's organisation, requester, assignee, and whether its group is the actor's. */
static int ticket_facts(struct db *db, const struct yw_actor *a, int64_t id, struct perm_facts *f,
			struct yw_err *err)
{
	struct db_stmt *st;
	int64_t group = 0, cat = 0;
	const struct dir *d;
	int rc;

	if ((rc = db_prepare(db, "SELECT COALESCE(org_id, 0), COALESCE(requester_id, 0), COALESCE(assignee_id, 0),"
			     " COALESCE(group_id, 0), COALESCE(category_id, 0) FROM tickets WHERE id = ?", &st, err)))
		return rc;
	db_bind_int(st, 1, id);
	if ((rc = db_step(st, err)) == DB_ROW) {
		f->org_id = db_col_int(st, 0);
		f->owner_id = db_col_int(st, 1);
		f->assignee_id = db_col_int(st, 2);
		group = db_col_int(st, 3);
		cat = db_col_int(st, 4);
	}
	db_done(st);
	if (rc < 0)
		return rc;
	if (rc == DB_DONE)
		return not_found(PK_TICKET, err);
	if (!acct_is_staff(a))
		return 0;
	/*
	 * A ticket no group holds yet is every staff member's (tk_rel): else
	 * no one but a manager could route it. A request is also the
	 * approver's: the supervisor of its category's group.
	 */
	f->mine_group = !group || acct_in_group(db, a->user_id, group) || acct_supervises(db, a->user_id, group);
	if (!f->mine_group && cat && !dir_get(db, &d, err)) {
		int64_t g = dir_cat_group(d, cat);
		f->mine_group = g && dir_supervises(d, a->user_id, g);
	}
	yw_err_clear(err);
	return 0;
}

/* A record's one fact: sql selects it by id; absent answers the kind's 404. */
static int one_fact(struct db *db, enum perm_kind kind, const char *sql, int64_t id, int64_t *out,
		    struct yw_err *err)
{
	int rc = db_queryint(db, out, err, sql, "i", id);

	if (rc == YW_ENOTFOUND)
		return not_found(kind, err);
	return rc;
}

int perm_facts_load(struct db *db, const struct yw_actor *a, enum perm_kind kind, int64_t id,
		    struct perm_facts *f, struct yw_err *err)
{
	int64_t v = 0;
	int rc;

	memset(f, 0, sizeof(*f));
	switch (kind) {
	case PK_TICKET:
		return ticket_facts(db, a, id, f, err);
	case PK_ATTACHMENT:
		if ((rc = one_fact(db, kind, "SELECT ticket_id FROM attachments WHERE id = ?", id, &v, err)))
			return rc;
		return ticket_facts(db, a, v, f, err);
	case PK_USER:
		f->owner_id = id;
		return one_fact(db, kind, "SELECT COALESCE(org_id, 0) FROM users WHERE id = ?", id, &f->org_id, err);
	case PK_ORG:
		return one_fact(db, kind, "SELECT id FROM organizations WHERE id = ?", id, &f->org_id, err);
	case PK_GROUP:
		if ((rc = one_fact(db, kind, "SELECT id FROM groups WHERE id = ?", id, &v, err)))
			return rc;
		f->mine_group = acct_in_group(db, a->user_id, id) || acct_supervises(db, a->user_id, id);
		return 0;
	case PK_TOKEN:
		return one_fact(db, kind, "SELECT user_id FROM api_tokens WHERE id = ?", id, &f->owner_id, err);
	case PK_NOTIFICATION:
		return one_fact(db, kind, "SELECT user_id FROM notifications WHERE id = ?", id, &f->owner_id, err);
	case PK_VIEW:
		return one_fact(db, kind, "SELECT user_id FROM saved_views WHERE id = ?", id, &f->owner_id, err);
	case PK_NONE:
		break;
	}
	return 0;
}

int perm_request(struct db *db, const struct yw_actor *a, enum perm p, int64_t id, struct yw_err *err)
{
	const struct perm_row *row = perm_row(p);
	enum perm_scope s, see;
	struct perm_facts f;
	int rc;

	if (!row) {
		THIS_SHOULD_NEVER_HAPPEN;
		return deny(p, err);
	}
	s = perm_scope_of(a->role, p);
	if (s == PERM_PUBLIC || s == PERM_ANY)
		return 0;
	if (!row->kind || !id)
		return s == PERM_NONE ? deny(p, err) : 0;
	see = perm_scope_of(a->role, perm_read_of(p));
	/* a caller who reads every record of the kind, or none, learns nothing from a 404 */
	if (s == PERM_NONE && (see == PERM_NONE || see == PERM_ANY || see == PERM_PUBLIC))
		return deny(p, err);
	if ((rc = perm_facts_load(db, a, row->kind, id, &f, err)))
		return rc;
	if (!perm_covers(a, see, &f))
		return not_found(row->kind, err);
	return perm_covers(a, s, &f) ? 0 : deny(p, err);
}
