/*
 * perm.h - who may do what: one table of (resource, action) rows, each
 * giving every role the scope in which it may take the action.
 *
 * The HTTP dispatcher checks a route's row for every request, after
 * authentication and before the handler (http.h: struct http_route names
 * its enum perm). The domain checks the same rows where it decides, so
 * that the CLI, which calls the domain directly, obeys the same rules.
 *
 * A scope is how far a role's permission reaches over records:
 *
 *	PERM_NONE   not at all
 *	PERM_OWN    records that are the caller's own: a ticket it requested
 *	            or is assigned, its own user, token, view, notification
 *	PERM_GROUP  its own records and those of the groups it is a member
 *	            of or supervises (a ticket without a group is every
 *	            staff member's; a request is also its approver's)
 *	PERM_ORG    its own records and those of its organisation (customers)
 *	PERM_ANY    every record
 *	PERM_PUBLIC everyone, logged in or not (health, login)
 *
 * Each scope includes the narrower ones before it. A record the caller
 * may not read (the resource's "read" row) answers 404, as if it did not
 * exist; one it may read but not act on answers 403 with the row's
 * message.
 *
 * Adding a route's permission: name an existing row in the route, or add
 * an enum perm value and its row in perm.c (a unit test checks that every
 * value has a row and every route a permission).
 */
#ifndef YW_PERM_H
#define YW_PERM_H

#include "../../core/err.h"
#include "acct.h"
#include "perm.h"

struct db;

enum perm_scope {
	PERM_NONE = 0,
	PERM_OWN,
	PERM_GROUP,
	PERM_ORG,
	PERM_ANY,
	PERM_PUBLIC,
};

/* What a route's {id} names, which says how the record's facts load. */
enum perm_kind {
	PK_NONE = 0,        /* no record, or none whose scope matters */
	PK_TICKET,
	PK_ATTACHMENT,      /* the facts of its ticket */
	PK_USER,
	PK_ORG,
	PK_GROUP,
	PK_TOKEN,
	PK_NOTIFICATION,
	PK_VIEW,
};

/* The rows. 0 is no permission: a route naming it is refused (500). */
enum perm {
	P_UNSET = 0,
	P_HEALTH_READ,
	P_SESSION_CREATE,
	P_SESSION_DELETE,
	P_ME_READ,
	P_PERMISSION_READ,
	P_USER_READ,
	P_USER_CREATE,
	P_USER_UPDATE,
	P_USER_PASSWORD,
	P_GROUP_READ,
	P_GROUP_CREATE,
	P_GROUP_UPDATE,
	P_ORG_READ,
	P_ORG_CREATE,
	P_ORG_UPDATE,
	P_CATEGORY_READ,
	P_CATEGORY_CREATE,
	P_CATEGORY_UPDATE,
	P_TOKEN_READ,
	P_TOKEN_CREATE,
	P_TOKEN_DELETE,
	P_AUDIT_READ,
	P_CALENDAR_READ,
	P_CALENDAR_CREATE,
	P_CALENDAR_UPDATE,
	P_SLA_POLICY_READ,
	P_SLA_POLICY_CREATE,
	P_SLA_POLICY_UPDATE,
	P_SLA_POLICY_DELETE,
	P_SLA_REPORT_READ,
	P_NOTIFICATION_READ,
	P_NOTIFICATION_UPDATE,
	P_VIEW_READ,
	P_VIEW_CREATE,
	P_VIEW_UPDATE,
	P_VIEW_DELETE,
	P_UPLOAD_CREATE,
	P_UPLOAD_WRITE,
	P_TICKET_READ,
	P_TICKET_CREATE,
	P_TICKET_UPDATE,
	P_TICKET_TRANSITION,
	P_TICKET_COMMENT,
	P_TICKET_WORKLOG,
	P_TICKET_ATTACH,
	P_TICKET_LINK,
	P_TICKET_ONSITE,
	P_ATTACHMENT_READ,
	P_TICKET_INTERNAL,
	P_PRIORITY_MATRIX_READ,
	P_PRIORITY_MATRIX_UPDATE,
	P_COUNT
};

#define PERM_NROLES (ROLE_ADMIN + 1)

struct perm_row {
	const char *resource;     /* "ticket" */
	const char *action;       /* "onsite" */
	enum perm_kind kind;      /* what a route's {id} names */
	const char *deny;         /* the 403 message, an English sentence */
	enum perm_scope scope[PERM_NROLES];   /* by enum yw_role; ROLE_NONE is always PERM_NONE */
};

/* What a missing (or invisible) record of kind answers: "no such ticket". */
const char *perm_missing(enum perm_kind kind);
/* The row of p, or NULL for P_UNSET or out of range. */
const struct perm_row *perm_row(enum perm p);
/* The "read" row of the resource p belongs to: which records are visible. */
enum perm perm_read_of(enum perm p);
/* A role's scope for p (PERM_PUBLIC for a public row, whatever the role). */
enum perm_scope perm_scope_of(enum yw_role role, enum perm p);
const char *perm_scope_name(enum perm_scope s);

/*
 * The facts of one record that the scopes look at. mine_group is
 * relative to the actor the facts were loaded for.
 */
struct perm_facts {
	int64_t org_id;        /* the record's organisation (a user's, a ticket's, the org itself) */
	int64_t owner_id;      /* its user: requester, token or view owner, the user itself */
	int64_t assignee_id;   /* a ticket's assignee */
	bool mine_group;       /* the actor is member or supervisor of the record's group */
};

/* Whether the scope s covers the record f for a. */
bool perm_covers(const struct yw_actor *a, enum perm_scope s, const struct perm_facts *f);
/*
 * Whether a may take p: on the record f, or, with f NULL, on some record
 * (any scope but PERM_NONE).
 */
bool perm_allows(const struct yw_actor *a, enum perm p, const struct perm_facts *f);
/* perm_allows(), or YW_EPERM with the row's message. */
int perm_check(const struct yw_actor *a, enum perm p, const struct perm_facts *f, struct yw_err *err);

/*
 * Loads the facts of the record kind/id for a: YW_ENOTFOUND (field "id")
 * when there is no such record.
 */
int perm_facts_load(struct db *db, const struct yw_actor *a, enum perm_kind kind, int64_t id,
		    struct perm_facts *f, struct yw_err *err);

/*
 * The one check of a request: a may take p, on the record id when p's
 * kind names one (id 0: none). 0 when allowed; YW_ENOTFOUND when the
 * record does not exist or a may not read it; YW_EPERM with the row's
 * message when a may read it but not take p.
 */
int perm_request(struct db *db, const struct yw_actor *a, enum perm p, int64_t id, struct yw_err *err);

#endif
